"""`jieneng assess`: the assessment (考核评价) of regions for a year."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from app.cli._output import dumps, pct
from app.db import session_scope
from app.services.assessment import assess as assess_service


def assess(
    year: int = typer.Option(..., "--year", help="Year assessed"),
    region: str | None = typer.Option(None, "--region", help="One region code; default: the nation and every region"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON with every sub-score explained"),
    detail: bool = typer.Option(False, "--detail", help="Also print each sub-score's explanation"),
) -> None:
    """Score regions out of 100 (40 target + 60 measures) and grade them 超额完成/完成/基本完成/未完成."""
    try:
        with session_scope() as session:
            results = assess_service(session=session, year=year, region_code=region)
    except LookupError as exc:
        Console(stderr=True).print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(dumps([a.to_dict() for a in results]))
        return
    table = Table(title=f"考核评价 Assessment {year}")
    table.add_column("地区 Region")
    if results:
        for sub in results[0].sub_scores:
            table.add_column(f"{sub.name_zh}\n{sub.name_en} /{sub.max_points:g}", justify="right")
    table.add_column("总分 Score", justify="right")
    table.add_column("等级 Grade")
    colours = {"exceeded": "bold green", "met": "green", "nearly_met": "yellow", "not_met": "red"}
    for a in results:
        colour = colours.get(a.grade, "white")
        table.add_row(f"{a.region_code} {a.region_name_zh}", *[f"{s.points:g}" for s in a.sub_scores], f"{a.score:g}",
                      f"[{colour}]{a.grade_zh} {a.grade_en}[/{colour}]")
    console = Console()
    console.print(table)
    if detail:
        for a in results:
            console.print(f"[bold]{a.region_code} {a.region_name_zh}[/bold] · {a.reason_zh} {a.reason_en}")
            ratio = "—" if a.target_ratio is None else pct(a.target_ratio, 100)
            console.print(f"  target ratio 目标完成比 {ratio}")
            for s in a.sub_scores:
                console.print(f"  · {s.explanation_zh} {s.explanation_en}")
