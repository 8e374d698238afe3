"""The `jieneng` command: one typer sub-application per concern."""

from __future__ import annotations

import typer
from typer.core import TyperGroup

from app.cli import assess as assess_cli
from app.cli import config as config_cli
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
from app.cli._schema import require_migrated
from app.config import get_settings

# Commands that create the schema, report on it, or check it themselves after their own checks.
NEEDS_NO_SCHEMA = {"db", "demo", "config", "serve"}
HELP = """jieneng: building energy-efficiency monitoring data platform.

The data directory and database come from JIENENG_DATA_DIR / JIENENG_DATABASE_URL in the environment, a .env
file in the current folder, or the settings file ~/.config/jieneng/settings.env (JIENENG_SETTINGS_FILE names
another); `jieneng config` shows which. A command that needs data exits with code 2 when the database is
missing or not migrated.
"""


class SchemaCheckedGroup(TyperGroup):
    """Checks the database before a command that reads or writes data (not before --help)."""

    def invoke(self, ctx):
        args = [*getattr(ctx, "_protected_args", []), *ctx.args]
        if args and args[0] not in NEEDS_NO_SCHEMA and "--help" not in args and not ctx.resilient_parsing:
            require_migrated(get_settings())
        return super().invoke(ctx)


app = typer.Typer(cls=SchemaCheckedGroup, help=HELP, no_args_is_help=True)
app.add_typer(db_cli.app, name="db")
app.add_typer(seed_cli.app, name="seed")
app.command("summary")(summary_cli.summary)
app.command("compare")(summary_cli.compare)
app.command(name="import")(imports_cli.import_file)
app.add_typer(users_cli.app, name="users")
app.command("serve")(serve_cli.serve)
app.add_typer(report_cli.app, name="report")
app.add_typer(targets_cli.app, name="targets")
app.command("assess")(assess_cli.assess)
app.command("demo")(demo_cli.demo)
app.command("config")(config_cli.show)
app.add_typer(disclosure_cli.app, name="disclosure")


def main() -> None:
    app()
