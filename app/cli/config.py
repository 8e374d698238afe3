"""`jieneng config`: where the command looks for its settings, which data directory and database it uses."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy.engine import make_url

from app.cli._schema import schema_problem
from app.config import get_settings, settings_file


def show() -> None:
    """Print the settings file, data directory, database and whether the schema is current."""
    settings = get_settings()
    path = settings_file()
    local = Path(".env").resolve()
    typer.echo(f"settings file 设置文件: {path} ({'found' if path.exists() else 'none'})")
    typer.echo(f"local .env:           {local} ({'found' if local.exists() else 'none'})")
    typer.echo(f"data dir 数据目录:     {settings.data_dir.resolve()}")
    typer.echo(f"database 数据库:       {make_url(settings.resolved_database_url).render_as_string(hide_password=True)}")
    problem = schema_problem(settings)
    typer.echo(f"schema 表结构:         {problem or 'current / 已是最新'}")
    if problem:
        raise typer.Exit(2)
