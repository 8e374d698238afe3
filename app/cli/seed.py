"""`jieneng seed ...`: reference data and demo data."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import func, select

from app.db import session_scope
from app.models import Building
from seeds.demo import generate
from seeds.loader import load_reference

app = typer.Typer(help="Load reference data and demo data.", no_args_is_help=True)
console = Console(stderr=True)


@app.command()
def reference() -> None:
    """Load or update the reference tables from seeds/*.csv (safe to run again)."""
    with session_scope() as session:
        changed = load_reference(session)
    table = Table("table", "rows inserted or updated", title="Reference data")
    for name, count in changed.items():
        table.add_row(name, str(count))
    console.print(table)


@app.command()
def demo(
    buildings_per_region: int = typer.Option(20, min=1, max=20_000, help="Buildings generated in each of the 21 regions"),
    seed: int = typer.Option(2007, help="Random seed; the same seed gives the same data"),
) -> None:
    """Generate the deterministic demo population (buildings, 2005-2008 statistics, audits)."""
    load_demo(buildings_per_region=buildings_per_region, seed=seed)


def load_demo(*, buildings_per_region: int, seed: int) -> bool:
    """Load the demo population unless buildings already exist; True if it loaded."""
    with session_scope() as session:
        if session.scalar(select(func.count()).select_from(Building)):
            console.print("[yellow]Buildings already exist; demo data not generated again.[/yellow]")
            return False
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("Generating demo data", total=3)

            def advance(step: str, done: int, total: int) -> None:
                progress.update(task, completed=done, total=total, description=f"Loaded {step}")

            population = generate(session, buildings_per_region=buildings_per_region, seed=seed, progress=advance)
    console.print(
        f"[green]Demo data loaded:[/green] {len(population.buildings):,} buildings, "
        f"{len(population.consumption):,} consumption records, {len(population.audits):,} audits."
    )
    return True
