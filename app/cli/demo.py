"""`jieneng demo`: one command from an empty data directory to a running platform with demo data."""

from __future__ import annotations

import typer
from rich.console import Console

from app import migrate
from app.cli.seed import load_demo
from app.cli.seed import reference as seed_reference
from app.cli.serve import serve
from app.cli.users import demo_users
from app.config import get_settings

console = Console(stderr=True)


def demo(
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help="Serve the platform when the data is ready"),
    buildings_per_region: int = typer.Option(20, min=1, max=20_000, help="Demo buildings in each of the 21 regions"),
    seed: int = typer.Option(2007, help="Random seed of the demo data"),
) -> None:
    """Migrate, load reference and demo data (once), create the demo accounts, then serve."""
    settings = get_settings()
    console.print(f"数据库 Database: {settings.resolved_database_url}")
    migrate.upgrade()
    seed_reference()
    load_demo(buildings_per_region=buildings_per_region, seed=seed)
    demo_users()
    if serve_after:
        console.print(f"[bold green]jieneng 已启动 running:[/bold green] http://{settings.host}:{settings.port}/  "
                      f"(API docs /docs, dashboards /dashboards/)")
        serve(host=None, port=None, workers=None, reload=False)
