"""`jieneng report ...`: the annual energy-efficiency report as XLSX, PDF, CSV or HTML."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from app.db import session_scope
from app.reports import FORMATS, build_annual_report

app = typer.Typer(help="Annual energy-efficiency reports (年度能效报告).", no_args_is_help=True)
console = Console(stderr=True)


@app.command()
def annual(
    year: int = typer.Option(..., "--year", help="Statistics year"),
    region: str | None = typer.Option(None, "--region", help="GB/T 2260 region code; default: national"),
    fmt: str = typer.Option("xlsx", "--format", help=f"One of {', '.join(FORMATS)}"),
    out: Path | None = typer.Option(None, "--out", help="Output file; default: the report's own name here"),
) -> None:
    """Write the annual report of YEAR for the nation or one region."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        console.print(f"[red]未知格式 unknown format {fmt!r}; choose one of {', '.join(FORMATS)}[/red]")
        raise typer.Exit(2)
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("年度报告 Annual report", total=1.0)

        def report(message: str, fraction: float) -> None:
            progress.update(task, description=message, completed=min(max(fraction, 0.0), 1.0))

        try:
            with session_scope() as session:
                content, _media_type, filename = build_annual_report(
                    session=session, year=year, region_code=region, fmt=fmt, progress=report
                )
        except LookupError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
    target = out or Path(filename)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    console.print(f"[green]已生成 Written[/green] {target} ({len(content):,} bytes)")
