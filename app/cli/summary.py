"""`jieneng summary`: buildings reporting and total energy for a year and scope."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from app.db import session_scope
from app.services.summary import year_summary


def summary(
    year: int = typer.Option(..., "--year", help="Statistics year"),
    region: str | None = typer.Option(None, "--region", help="GB/T 2260 region code; default: national"),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object"),
) -> None:
    """Buildings reporting and total kgce (both methods); national counts each building once."""
    try:
        with session_scope() as session:
            result = year_summary(session=session, year=year, region_code=region)
    except LookupError as exc:
        Console(stderr=True).print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    table = Table(title=f"{result.region_name_zh} {result.region_name_en} · {year}")
    table.add_column("指标 Indicator")
    table.add_column("数值 Value", justify="right")
    table.add_row("登记建筑 Buildings registered", f"{result.buildings_registered:,}")
    table.add_row("上报建筑 Buildings reporting", f"{result.buildings_reporting:,}")
    table.add_row("能耗 当量值 (tce, calorific)", f"{result.kgce_calorific / 1000:,.1f}")
    table.add_row("能耗 等价值 (tce, generation)", f"{result.kgce_generation / 1000:,.1f}")
    Console().print(table)
