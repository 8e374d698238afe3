"""The check every data command makes first: the database exists and is migrated to the newest revision."""

from __future__ import annotations

import typer
from rich.console import Console
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from app import migrate
from app.config import Settings, settings_file

console = Console(stderr=True)


def schema_problem(settings: Settings) -> str | None:
    """None when the database is at the newest revision, else what is wrong, in Chinese and English."""
    url = settings.resolved_database_url
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        current = migrate.current_revisions(url)
    except SQLAlchemyError as exc:
        first_line = str(exc.orig if getattr(exc, "orig", None) else exc).strip().splitlines()[0]
        return f"无法连接数据库 / cannot reach the database {shown}: {first_line}"
    heads = migrate.head_revisions()
    if current is None:
        return f"数据库不存在 / no database at {shown}"
    if not current:
        return f"数据库尚未迁移 / the database {shown} is not migrated (no schema; newest revision {', '.join(heads)})"
    if set(current) != set(heads):
        return (f"数据库版本过旧 / the database {shown} is at revision {', '.join(current)}, "
                f"the newest is {', '.join(heads)}")
    return None


def require_migrated(settings: Settings) -> None:
    """Exit with code 2 and say how to fix it when the database is missing or not migrated."""
    problem = schema_problem(settings)
    if problem is None:
        return
    console.print(f"[red]{problem}[/red]")
    console.print(
        "修复 / to fix: run [bold]jieneng db upgrade[/bold] (or [bold]jieneng demo[/bold]) to create the schema, "
        "or point the command at your data directory: [bold]JIENENG_DATA_DIR[/bold] / [bold]JIENENG_DATABASE_URL[/bold] "
        f"in the environment or in the settings file {settings_file()} (see [bold]jieneng config[/bold])."
    )
    raise typer.Exit(2)
