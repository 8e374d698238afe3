"""`jieneng summary`: buildings reporting and total energy for a year and scope."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from app.db import session_scope
from app.domain.comparison import LABELS
from app.services import comparison
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
    complete, reported = LABELS["complete_year_total"], LABELS["all_reported_total"]
    table.add_row("登记建筑 Buildings registered", f"{result.buildings_registered:,}")
    table.add_row("上报建筑 Buildings reporting", f"{result.buildings_reporting:,}")
    table.add_row("全年完整建筑 Buildings with a complete year", f"{result.buildings_complete:,}")
    table.add_row(f"{complete[0]} {complete[1]} (tce, 当量值 calorific)",
                  f"{result.complete_year_kgce_calorific / 1000:,.1f}")
    table.add_row(f"{complete[0]} {complete[1]} (tce, 等价值 generation)",
                  f"{result.complete_year_kgce_generation / 1000:,.1f}")
    table.add_row(f"{reported[0]} {reported[1]} (tce, 当量值 calorific)",
                  f"{result.all_reported_kgce_calorific / 1000:,.1f}")
    table.add_row(f"{reported[0]} {reported[1]} (tce, 等价值 generation)",
                  f"{result.all_reported_kgce_generation / 1000:,.1f}")
    change = result.change_vs_last_year
    label = LABELS["change"]
    value = "—" if change["change_pct"] is None else f"{change['change_pct']:+.1f} %"
    table.add_row(f"{label[0]} {label[1]} ({year - 1}→{year})", value)
    table.add_row(f"{LABELS['basis'][0]} {LABELS['basis'][1]}", f"{change['label_zh']} / {change['label_en']}")
    Console().print(table)


def compare(
    year: int = typer.Option(..., "--year", help="The later year"),
    year_from: int | None = typer.Option(None, "--from", help="The earlier year (default: year - 1)"),
    region: str | None = typer.Option(None, "--region", help="GB/T 2260 region code; default: national"),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object"),
) -> None:
    """The like-for-like change between two years, its basis, and every building left out with the reason."""
    earlier = year - 1 if year_from is None else year_from
    if earlier >= year:
        Console(stderr=True).print("[red]--from 必须早于 --year / --from must come before --year[/red]")
        raise typer.Exit(2)
    try:
        with session_scope() as session:
            result = comparison.compare(session=session, year_from=earlier, year_to=year, region_code=region)
    except LookupError as exc:
        Console(stderr=True).print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    basis = result.basis
    change = "—" if basis.change_pct is None else f"{basis.change_pct:+.1f} %"
    console = Console()
    console.print(f"{LABELS['change'][0]} {LABELS['change'][1]} {result.region_code} {earlier}→{year}: {change}")
    console.print(f"{basis.label('zh')} / {basis.label('en')}")
    excluded = result.excluded()
    if excluded.empty:
        return
    table = Table(title=f"未纳入可比口径的建筑 Buildings left out ({len(excluded)})")
    for name in ("建筑代码 Code", "名称 Name", "原因 Reason"):
        table.add_column(name)
    for row in excluded.itertuples(index=False):
        table.add_row(row.code, row.name, f"{row.reason_zh} / {row.reason_en}")
    console.print(table)
