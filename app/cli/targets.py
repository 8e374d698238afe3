"""`jieneng targets ...`: decompose a saving target, list targets, show progress."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
import yaml
from rich.console import Console
from rich.table import Table

from app.cli._output import dumps, pct, tce
from app.db import session_scope
from app.domain.regions import NATION_CODE
from app.domain.targets import STATUS_LABELS, DecompositionError
from app.services.targets import decompose as decompose_service
from app.services.targets import list_targets, target_progress

app = typer.Typer(help="节能目标 Saving targets: decomposition and progress.", no_args_is_help=True)
err = Console(stderr=True)


class Method(StrEnum):
    baseline = "baseline"
    potential = "potential"
    equal = "equal"
    weights = "weights"
    mix = "mix"


class Basis(StrEnum):
    calorific = "calorific"
    generation = "generation"


def read_weights(path: Path) -> dict[str, dict[str, float]]:
    """Weights file: CSV (code, weight[, floor_tce, cap_tce]) or YAML/JSON ({code: weight} or weights/mix/floors/caps)."""
    if path.suffix.lower() == ".csv":
        frame = pd.read_csv(path, dtype={"code": str})
        out: dict[str, dict[str, float]] = {}
        for column, key in (("weight", "weights"), ("floor_tce", "floors"), ("cap_tce", "caps")):
            if column in frame:
                values = frame.dropna(subset=[column])
                out[key] = {str(c): float(v) for c, v in zip(values["code"], values[column], strict=True)}
        return out
    text = path.read_text(encoding="utf-8")
    data: Any = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    if not isinstance(data, dict):
        raise typer.BadParameter("the weights file must hold a mapping")
    if not set(data) & {"weights", "mix", "floors", "caps"}:
        data = {"weights": data}
    return {key: {str(k): float(v) for k, v in (data.get(key) or {}).items()} for key in ("weights", "mix", "floors", "caps")}


@app.command()
def decompose(
    scope: str = typer.Option("national", help="'national' or a region code such as 210000"),
    saving_tce: float | None = typer.Option(None, "--saving-tce", help="Saving to reach, tce"),
    cut_percent: float | None = typer.Option(None, "--cut-percent", help="Or: % cut from the baseline year's use"),
    baseline_year: int = typer.Option(..., "--baseline-year"),
    target_year: int = typer.Option(..., "--target-year"),
    method: Annotated[Method, typer.Option(help="baseline | potential | equal | weights | mix")] = Method.baseline,
    method_basis: Annotated[Basis, typer.Option("--method-basis", help="Electricity kgce method")] = Basis.calorific,
    weights_file: Annotated[Path | None, typer.Option(
        "--weights", exists=True, dir_okay=False, help="CSV/YAML/JSON: weights, mix, floors and caps (tce)")] = None,
    to_buildings: bool = typer.Option(False, "--to-buildings", help="Also store one target per building"),
    preview: bool = typer.Option(False, "--preview", help="Compute and show, store nothing"),
    created_by: str | None = typer.Option(None, "--created-by"),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object"),
) -> None:
    """Split a saving (tce, or a % cut) among regions (and buildings); children add up exactly."""
    if (saving_tce is None) == (cut_percent is None):
        err.print("[red]给出 --saving-tce 或 --cut-percent 之一 · give exactly one of --saving-tce and --cut-percent[/red]")
        raise typer.Exit(2)
    extra = read_weights(weights_file) if weights_file else {}
    scope_code = NATION_CODE if scope in ("national", "nation", NATION_CODE) else scope
    try:
        with session_scope() as session:
            result = decompose_service(
                session=session, scope_code=scope_code, saving_tce=saving_tce, cut_percent=cut_percent,
                baseline_year=baseline_year, target_year=target_year, method=method.value,
                method_basis=method_basis.value, weights=extra.get("weights") or None, mix=extra.get("mix") or None,
                floors=extra.get("floors") or None, caps=extra.get("caps") or None, to_buildings=to_buildings,
                created_by=created_by, preview=preview,
            )
    except (DecompositionError, LookupError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(dumps(result.to_dict()))
        return
    rows = result.rows[result.rows["scope_level"] != "building"]
    title = (f"{result.scope_name_zh} {result.baseline_year}→{result.target_year} 节能目标分解 · {method.value}"
             + (" (预览 preview)" if preview else f" · #{result.root_id}"))
    table = Table(title=title)
    for name in ("地区 Region", "上级 Parent", "基期能耗 Baseline tce", "节能量 Saving tce", "降幅 Cut", "份额 Share"):
        table.add_column(name, justify="left" if "Region" in name or "Parent" in name else "right")
    for row in rows.itertuples(index=False):
        table.add_row(f"{row.scope_code} {row.name}", row.parent_code or "", tce(row.baseline_kgce), tce(row.saving_kgce),
                      pct(row.cut_percent), pct(row.share, 100))
    Console().print(table)
    buildings = int((result.rows["scope_level"] == "building").sum())
    if buildings:
        Console().print(f"建筑目标 Building targets: {buildings:,}")


@app.command("list")
def list_command(as_json: bool = typer.Option(False, "--json")) -> None:
    """Stored national and regional targets, newest first."""
    with session_scope() as session:
        frame = list_targets(session=session)
    if as_json:
        typer.echo(dumps(frame))
        return
    table = Table(title="节能目标 Saving targets")
    for name in ("#", "名称 Name", "范围 Scope", "上级 Parent", "年份 Years", "方法 Method", "节能量 Saving tce"):
        table.add_column(name)
    for row in frame.itertuples(index=False):
        table.add_row(str(row.id), row.name, row.scope_code, "" if pd.isna(row.parent_id) else str(int(row.parent_id)),
                      f"{row.baseline_year}→{row.target_year}", row.method or "", tce(row.saving_kgce))
    Console().print(table)


@app.command()
def progress(
    year: int = typer.Option(..., "--year"),
    region: str | None = typer.Option(None, "--region", help="One region code; default: nation and every region"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Saving achieved against the current targets in a year, on each region's comparable basis."""
    with session_scope() as session:
        frame = target_progress(session=session, year=year, region_code=region)
    if frame.empty:
        err.print("[yellow]没有节能目标 No saving targets: run `jieneng targets decompose` first.[/yellow]")
        if as_json:
            typer.echo("[]")
        raise typer.Exit(0 if as_json else 1)
    columns = ["region_code", "name_zh", "name_en", "year", "baseline_year", "target_year", "saving_target_kgce",
               "absolute_saving_kgce", "intensity_saving_kgce", "saving_kgce", "percent_of_target",
               "expected_saving_kgce", "percent_of_expected", "status", "basis_target_kgce", "basis_baseline_kgce",
               "basis_coverage_pct", "comparable_buildings", "comparable_area_m2", "basis_label_zh", "basis_label_en"]
    if as_json:
        typer.echo(dumps(frame[columns]))
        return
    table = Table(title=f"节能目标进度 Progress {year}")
    for name in ("地区 Region", "目标 Target tce", "可比口径目标 Target on basis tce", "节能 Saving tce",
                 "完成 Of target", "应完成 Expected tce", "状态 Status", "可比建筑 Comparable basis"):
        table.add_column(name, justify="left" if "Region" in name or "Status" in name else "right")
    colours = {"on_track": "green", "at_risk": "yellow", "off_track": "red"}
    for row in frame.itertuples(index=False):
        zh, en = STATUS_LABELS.get(row.status, ("—", "no data"))
        colour = colours.get(row.status, "white")
        table.add_row(f"{row.region_code} {row.name_zh}", tce(row.saving_target_kgce), tce(row.basis_target_kgce),
                      tce(row.saving_kgce), pct(row.percent_of_target), tce(row.expected_saving_kgce),
                      f"[{colour}]{zh} {en}[/{colour}]", f"{row.basis_label_zh} / {row.basis_label_en}")
    Console().print(table)
