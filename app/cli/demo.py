"""`jieneng demo`: one command from an empty data directory to a running platform with demo data."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from app import migrate
from app.cli.disclosure import publish_demo
from app.cli.seed import load_demo
from app.cli.seed import reference as seed_reference
from app.cli.serve import serve
from app.cli.users import demo_users
from app.config import get_settings, settings_file
from app.db import session_scope
from app.services.targets import decompose

console = Console(stderr=True)


def demo(
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help="Serve the platform when the data is ready"),
    buildings_per_region: int = typer.Option(20, min=1, max=20_000, help="Demo buildings in each of the 21 regions"),
    seed: int = typer.Option(2007, help="Random seed of the demo data"),
    reset_passwords: bool = typer.Option(False, "--reset-passwords",
                                         help="New demo passwords instead of the ones kept in the data directory"),
    save_settings: bool = typer.Option(False, "--save-settings",
                                       help="Record this data directory in the settings file (if it has none yet), "
                                            "so `jieneng` finds it from any folder"),
) -> None:
    """Migrate, load reference and demo data (once), create the demo accounts, then serve."""
    settings = get_settings()
    console.print(f"数据库 Database: {settings.resolved_database_url}")
    if save_settings:
        remember_data_dir(settings.data_dir)
    migrate.upgrade()
    seed_reference()
    if load_demo(buildings_per_region=buildings_per_region, seed=seed):
        decompose_demo_target()
    demo_users(reset=reset_passwords)
    publish_demo()
    if serve_after:
        console.print(f"[bold green]jieneng 已启动 running:[/bold green] http://{settings.host}:{settings.port}/  "
                      f"(API docs /docs, dashboards /dashboards/, disclosure /disclosure/)")
        serve(host=None, port=None, workers=None, reload=False)


def decompose_demo_target() -> None:
    """The 2007 circular's goal: a 20 % cut from 2005 by 2010, split by share of baseline use."""
    with session_scope() as session:
        result = decompose(session=session, cut_percent=20, baseline_year=2005, target_year=2010, method="baseline",
                           to_buildings=True, created_by="demo")
    console.print(f"[green]节能目标已分解 Target decomposed:[/green] {result.saving_kgce / 1000:,.0f} tce "
                  f"from 2005 to 2010 across the demonstration regions and their buildings.")


def remember_data_dir(data_dir: Path) -> None:
    """Write JIENENG_DATA_DIR (absolute) to the settings file unless that file exists already."""
    path = settings_file()
    if path.exists():
        console.print(f"设置文件 Settings file: {path} (kept as it is)")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# jieneng settings: read by the jieneng command from any folder\n"
                    f"JIENENG_DATA_DIR={data_dir.resolve()}\n", encoding="utf-8")
    console.print(f"设置文件 Settings file written: {path} (JIENENG_DATA_DIR={data_dir.resolve()})")
