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
from etl.profiles import read_profile

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
    return read_profile(path.read_bytes())


TERMINAL_FINDINGS = 50  # a terminal shows this many findings; a pipe or file gets them all


def sorted_findings(report: ImportReport) -> list:
    """File-level findings first, then by row, column and code."""
    return sorted(report.findings, key=lambda f: (f.row is not None, f.row or 0, f.column or "", f.code))


def _print(report: ImportReport, out: Console | None = None) -> None:
    """The report on stdout: a table on a terminal; plain, tab-separated, untruncated lines otherwise."""
    out = out or Console()
    findings = sorted_findings(report)
    if not out.is_terminal:
        lines = [f"{report.filename} -> upload {report.upload_id}: {report.status}", report.message_zh, report.message_en]
        if findings:
            lines.append("\t".join(("row", "column", "value", "code", "severity", "message_zh", "message_en")))
            for f in findings:
                cells = ("" if f.row is None else str(f.row), f.column or "", f.value or "", f.code, f.severity,
                         f.message_zh, f.message_en)
                lines.append("\t".join(" ".join(str(c).split()) for c in cells))
        typer.echo("\n".join(lines))
        return
    out.print(f"[bold]{report.filename}[/bold] → upload {report.upload_id}: [bold]{report.status}[/bold]")
    out.print(report.message_zh)
    out.print(report.message_en)
    if findings:
        table = Table("行 row", "列 column", "值 value", "代码 code", "级别", "说明 message", show_lines=False)
        for column in table.columns:
            column.overflow = "fold"  # wrap long codes and messages instead of cutting them
        for f in findings[:TERMINAL_FINDINGS]:
            table.add_row("" if f.row is None else str(f.row), f.column or "", f.value or "", f.code, f.severity,
                          f.message)
        out.print(table)
        if len(findings) > TERMINAL_FINDINGS:
            more = len(findings) - TERMINAL_FINDINGS
            out.print(f"… {more} more / 另有 {more} 条 (--json, or pipe the output, for all)")


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
