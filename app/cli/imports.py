"""`jieneng import buildings|consumption|audits FILE`: load a survey file and report what happened."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import typer
import yaml
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.db import session_factory
from etl.findings import ImportReport
from etl.pipeline import run

console = Console(stderr=True)


class Kind(str, Enum):
    buildings = "buildings"
    consumption = "consumption"
    audits = "audits"


def exit_code(report: ImportReport) -> int:
    """0: every row accepted; 1: some rows rejected; 2: the file itself was rejected."""
    if report.file_rejected or report.status == "rejected" and report.rows_read == 0:
        return 2
    if report.rows_rejected:
        return 1
    return 0


def _load_mapping(mapping: str | None, kind: str) -> dict | None:
    """A mapping profile from a YAML/JSON file, or else the saved profile of that name."""
    if mapping is None:
        return None
    path = Path(mapping)
    if not path.is_file():
        from app.services.profiles import find_profile

        session = session_factory()()
        try:
            saved = find_profile(session=session, name=mapping, kind=kind)
            if saved is None:
                raise ValueError(f"no file and no saved {kind} mapping profile named {mapping!r}")
            return saved.spec
        finally:
            session.close()
    text = path.read_text(encoding="utf-8-sig")
    return json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)


def _print(report: ImportReport) -> None:
    console.print(f"[bold]{report.filename}[/bold] → upload {report.upload_id}: [bold]{report.status}[/bold]")
    console.print(report.message_zh)
    console.print(report.message_en)
    if report.findings:
        table = Table("行 row", "列 column", "值 value", "代码 code", "级别", "说明 message", show_lines=False)
        for f in report.findings[:50]:
            table.add_row("" if f.row is None else str(f.row), f.column or "", (f.value or "")[:30], f.code, f.severity,
                          f.message)
        console.print(table)
        if len(report.findings) > 50:
            console.print(f"… {len(report.findings) - 50} more / 另有 {len(report.findings) - 50} 条")


def import_file(
    kind: Kind = typer.Argument(..., help="buildings | consumption | audits"),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="CSV or XLSX file"),
    mapping: str | None = typer.Option(None, "--mapping", help="Mapping profile: a YAML/JSON file or a saved profile's name"),
    sheet: str | None = typer.Option(None, "--sheet", help="XLSX sheet name (default: the first)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report, load nothing"),
    all_or_nothing: bool = typer.Option(False, "--all-or-nothing", help="Load nothing if any row is rejected"),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON object"),
    uploaded_by: str | None = typer.Option(None, "--user", help="Recorded as the uploader"),
) -> None:
    """导入调查表 / Import FILE as a KIND survey. Exit code 0: all rows accepted; 1: some rejected; 2: file rejected."""
    try:
        profile = _load_mapping(mapping, kind.value)
    except (ValueError, yaml.YAMLError) as exc:
        console.print(f"[red]映射文件无法读取 / mapping file unreadable: {exc}[/red]")
        raise typer.Exit(2) from exc
    data = file.read_bytes()
    session = session_factory()()
    try:
        if sys.stderr.isatty() and not as_json:
            with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=console) as bar:
                task = bar.add_task(f"导入 importing {file.name}", total=None)
                report = run(session=session, data=data, filename=file.name, kind=kind.value, mapping=profile, sheet=sheet,
                             all_or_nothing=all_or_nothing, dry_run=dry_run, uploaded_by=uploaded_by,
                             progress=lambda done, total: bar.update(task, completed=done, total=total))
        else:
            report = run(session=session, data=data, filename=file.name, kind=kind.value, mapping=profile, sheet=sheet,
                         all_or_nothing=all_or_nothing, dry_run=dry_run, uploaded_by=uploaded_by)
    finally:
        session.close()
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        _print(report)
    raise typer.Exit(exit_code(report))
