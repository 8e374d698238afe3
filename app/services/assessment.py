"""Assessment (考核评价) of regions for a year, with measures read from the data.

Measures, each a share of the region's registered buildings:
- statistics_coverage: buildings reporting energy statistics in the year;
- audits_completed: buildings with an energy audit in or before the year;
- disclosure_published: buildings whose year is complete and has a benchmark status;
- metering_installed: buildings with electricity sub-item records in the year.
The target part is the region's saving against what its milestone path expects by the year.
"""

from __future__ import annotations

import math
from dataclasses import replace
from functools import lru_cache
from typing import Any

import pandas as pd
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.assessment import Assessment, AssessmentConfig
from app.domain.assessment import assess as assess_region
from app.domain.regions import NATION_CODE
from app.models import EnergyAudit
from app.services.frames import national_frame
from app.services.indicators import (
    SEEDS_DIR,
    demonstration_regions,
    rollup_frame,
)
from app.services.targets import current_targets, progress_basis, progress_frame


@lru_cache
def _scheme() -> dict[str, Any]:
    return yaml.safe_load((SEEDS_DIR / "assessment.yaml").read_text(encoding="utf-8"))


@lru_cache
def assessment_config() -> AssessmentConfig:
    """The scheme in seeds/assessment.yaml."""
    return AssessmentConfig.from_mapping(_scheme())


def min_basis_coverage() -> float:
    """Share of a target's baseline energy its comparable basis must cover for the target to be judged."""
    return float((_scheme().get("target") or {}).get("min_basis_coverage", 0.8))


def _insufficient_basis(result: Assessment, coverage_pct: float | None, minimum: float) -> Assessment:
    covered = "无可比建筑" if coverage_pct is None else f"可比口径仅覆盖基准年能耗的 {coverage_pct:.1f}%"
    covered_en = "no comparable building" if coverage_pct is None else (
        f"the comparable basis covers only {coverage_pct:.1f} % of the baseline energy")
    return replace(
        result,
        reason_zh=f"{covered}（要求至少 {minimum * 100:.0f}%），节能目标无法认定，一票否决。",
        reason_en=f"Saving target cannot be judged: {covered_en} (at least {minimum * 100:.0f} % required); "
                  "fails outright.",
    )


def _audited_ids(session: Session, year: int) -> set[int]:
    stmt = select(EnergyAudit.building_id).where(EnergyAudit.audit_year <= year).distinct()
    return set(session.scalars(stmt))


def measure_frame(*, session: Session, year: int, frame: pd.DataFrame | None = None, method: str = "calorific") -> pd.DataFrame:
    """Per demonstration region and the nation: registered buildings, the four measure counts and their rates."""
    if frame is None:
        frame = national_frame(session=session, year=year, method=method)
    audited = _audited_ids(session, year)
    frame = frame.assign(has_audit=frame["building_id"].isin(audited))
    rollup = rollup_frame(frame, demonstration_regions(session=session))
    registered = rollup["buildings_registered"].where(rollup["buildings_registered"] > 0)
    rollup["statistics_coverage"] = rollup["buildings_reporting"] / registered
    rollup["audits_completed"] = rollup["buildings_audited"] / registered
    rollup["disclosure_published"] = rollup["buildings_benchmarked"] / registered
    rollup["metering_installed"] = rollup["buildings_metered"] / registered
    return rollup


def _none_if_nan(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def assess(
    *,
    session: Session,
    year: int,
    region_code: str | None = None,
    config: AssessmentConfig | None = None,
    frame: pd.DataFrame | None = None,
) -> list[Assessment]:
    """Assess every demonstration region (and the nation), or one region, for a year."""
    config = config or assessment_config()
    targets = current_targets(session=session)
    method = str(targets["method_basis"].iloc[0]) if not targets.empty else "calorific"
    if frame is None:
        frame = national_frame(session=session, year=year, method=method)
    measures = measure_frame(session=session, year=year, frame=frame, method=method)
    minimum = min_basis_coverage()
    basis = progress_basis(session=session, year=year, targets=targets, method=method, frame=frame)
    progress = progress_frame(year=year, targets=targets, basis=basis, thresholds=config.progress,
                              min_basis_coverage=min_basis_coverage())
    by_region = progress.set_index("region_code") if not progress.empty else pd.DataFrame()
    results = []
    for row in measures.itertuples(index=False):
        code = row.region_code
        if region_code and code != region_code:
            continue
        ratio, details, insufficient, coverage = None, {}, False, None
        if code in by_region.index:
            p = by_region.loc[code]
            expected = p["expected_saving_kgce"]
            coverage = _none_if_nan(p["basis_coverage_pct"])
            insufficient = coverage is None or coverage < minimum * 100.0
            if not insufficient and pd.notna(p["saving_kgce"]) and pd.notna(expected) and expected > 0:
                ratio = float(p["saving_kgce"] / expected)
            details = {key: _none_if_nan(p[key]) for key in (
                "target_id", "saving_target_kgce", "basis_target_kgce", "saving_kgce", "absolute_saving_kgce",
                "intensity_saving_kgce", "expected_saving_kgce", "percent_of_target", "status",
                "comparable_buildings", "comparable_area_m2", "basis_label_zh", "basis_label_en",
                "basis_coverage_pct")}
            details["basis_sufficient"] = not insufficient
        details.update({
            "buildings_registered": int(row.buildings_registered),
            "buildings_reporting": int(row.buildings_reporting),
            "buildings_audited": int(row.buildings_audited),
            "buildings_benchmarked": int(row.buildings_benchmarked),
            "buildings_metered": int(row.buildings_metered),
        })
        result = assess_region(
            region_code=code, year=year, target_ratio=ratio, config=config,
            measures={key: _none_if_nan(getattr(row, key)) for key in (
                "statistics_coverage", "audits_completed", "disclosure_published", "metering_installed")},
            region_name_zh=row.name_zh or "", region_name_en=row.name_en or "", details=details,
        )
        results.append(_insufficient_basis(result, coverage, minimum) if insufficient else result)
    if region_code and not results and region_code != NATION_CODE:
        raise LookupError(f"{region_code} is not a demonstration region")
    return results


def assessment_table(assessments: list[Assessment]) -> pd.DataFrame:
    """One row per assessment with every sub-score's points as a column."""
    rows = []
    for a in assessments:
        row = {"region_code": a.region_code, "name_zh": a.region_name_zh, "name_en": a.region_name_en, "year": a.year,
               "score": a.score, "grade": a.grade, "grade_zh": a.grade_zh, "is_target_met": a.is_target_met,
               "target_ratio": a.target_ratio}
        row.update({f"{s.key}_points": s.points for s in a.sub_scores})
        rows.append(row)
    return pd.DataFrame(rows)


def progress_and_assessment(
    *, session: Session, year: int, region_code: str | None = None
) -> tuple[pd.DataFrame, list[Assessment]]:
    """Target progress and assessment of a year from one pass over the year's statistics."""
    from app.services.targets import target_progress

    targets = current_targets(session=session)
    method = str(targets["method_basis"].iloc[0]) if not targets.empty else "calorific"
    frame = national_frame(session=session, year=year, method=method)
    progress = target_progress(session=session, year=year, region_code=region_code, frame=frame)
    return progress, assess(session=session, year=year, region_code=region_code, frame=frame)
