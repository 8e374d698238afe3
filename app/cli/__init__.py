"""The `jieneng` command: one typer sub-application per concern."""

from __future__ import annotations

import typer

from app.cli import assess as assess_cli
from app.cli import db as db_cli
from app.cli import demo as demo_cli
from app.cli import disclosure as disclosure_cli
from app.cli import imports as imports_cli
from app.cli import report as report_cli
from app.cli import seed as seed_cli
from app.cli import serve as serve_cli
from app.cli import summary as summary_cli
from app.cli import targets as targets_cli
from app.cli import users as users_cli

app = typer.Typer(help="jieneng: building energy-efficiency monitoring data platform", no_args_is_help=True)
app.add_typer(db_cli.app, name="db")
app.add_typer(seed_cli.app, name="seed")
app.command("summary")(summary_cli.summary)
app.command(name="import")(imports_cli.import_file)
app.add_typer(users_cli.app, name="users")
app.command("serve")(serve_cli.serve)
app.add_typer(report_cli.app, name="report")
app.add_typer(targets_cli.app, name="targets")
app.command("assess")(assess_cli.assess)
app.command("demo")(demo_cli.demo)
app.add_typer(disclosure_cli.app, name="disclosure")


def main() -> None:
    app()
