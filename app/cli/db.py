"""`jieneng db ...`: schema migrations."""

from __future__ import annotations

import typer
from rich.console import Console

from app import migrate

app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
console = Console(stderr=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Migrate the database to REVISION (default: the newest)."""
    migrate.upgrade(revision=revision)
    console.print(f"[green]Database at revision {revision}.[/green]")


@app.command()
def downgrade(revision: str = typer.Argument(..., help="Target revision, e.g. base")) -> None:
    """Migrate the database down to REVISION."""
    migrate.downgrade(revision=revision)
    console.print(f"[yellow]Database at revision {revision}.[/yellow]")
