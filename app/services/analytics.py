"""Region-scoped reads over the analytics services: region summary, targets, progress, assessments.

Regions are read from the national indicator frames held by app.services.frames; results are
cached per process and keyed by a fingerprint of the data (uploads, records, buildings, targets),
so any import, load or new decomposition invalidates them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import asdict
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from app.models import Region, SavingTarget
from app.services import assessment as assessment_service
from app.services import comparison, frames, indicators
from app.services import summary as summary_service
from app.services.frames import data_fingerprint
from app.services import targets as targets_service
from app.services.catalog import NATION_CODE, ScopeError, get_region, region_in_scope

METHODS = ("calorific", "generation")
_CACHE_SIZE = 4096
_cache: OrderedDict[tuple, Any] = OrderedDict()
_cache_lock = threading.Lock()


def _cached(key: tuple, compute):
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    value = compute()
    with _cache_lock:
        _cache[key] = value
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def clear_cache() -> None:
    """Forget every cached result (tests and benchmarks)."""
    with _cache_lock:
        _cache.clear()


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _region_frame(session: Session, code: str, year: int, method: str) -> pd.DataFrame:
    return frames.region_frame(session=session, year=year, method=method, region_code=None if code == NATION_CODE else code)


def region_summary(
    *, session: Session, code: str, year: int, method: str = "calorific", region_scope: str | None = None
) -> dict[str, Any] | None:
    """Buildings reporting, totals by both methods, intensity by class, benchmark status counts, target progress."""
    region = get_region(session=session, code=code, region_scope=region_scope)
    if region is None:
        return None
    key = ("summary", code, year, method, data_fingerprint(session=session))
    return _cached(key, lambda: _summary(session, region, year, method))


def _summary(session: Session, region: Region, year: int, method: str) -> dict[str, Any]:
    frame = _region_frame(session, region.code, year, method)
    region_row = pd.DataFrame(
        [{"code": region.code, "name_zh": region.name_zh, "name_en": region.name_en, "level": region.level,
          "climate_zone": region.climate_zone}]
    )
    rollup = indicators.rollup_frame(frame, region_row)
    totals = rollup[rollup["region_code"] == region.code].drop(columns=["name_zh", "name_en", "level", "climate_zone"])
    by_class = []
    for building_class, subset in frame.groupby("building_class", sort=True):
        row = indicators.rollup_frame(subset, region_row.iloc[0:0])
        by_class.append({"building_class": building_class, **_records(row.drop(columns=["region_code"]))[0]})
    status = frame.loc[frame["is_reporting"], "benchmark_status"].fillna("not_judged").value_counts()
    progress = targets_service.target_progress(session=session, year=year, region_code=region.code, frame=frame)
    headline = summary_service.year_summary(session=session, year=year, region_code=region.code,
                                            frame=frame if method == summary_service.CHANGE_METHOD else None)
    return {
        "region_code": region.code,
        "name_zh": region.name_zh,
        "name_en": region.name_en,
        "year": year,
        "method": method,
        "totals": _records(totals)[0],
        "headline": headline.to_dict(),
        "by_class": by_class,
        "benchmark_status_counts": {str(k): int(v) for k, v in status.items()},
        "target_progress": _records(progress),
    }


def region_comparison(
    *, session: Session, code: str, year_from: int, year_to: int, method: str = "calorific",
    region_scope: str | None = None,
) -> dict[str, Any] | None:
    """A region's change between two years on the comparable basis, with every building left out and why."""
    region = get_region(session=session, code=code, region_scope=region_scope)
    if region is None:
        return None
    key = ("comparison", code, year_from, year_to, method, data_fingerprint(session=session))
    return _cached(key, lambda: comparison.compare(session=session, year_from=year_from, year_to=year_to,
                                                   region_code=code, method=method).to_dict())


def building_indicators(*, session: Session, building_id: int, method: str = "calorific") -> list[dict[str, Any]]:
    """A building's indicators and benchmark status for every year it reported (app.services.frames)."""
    return frames.building_records(session=session, building_id=building_id, method=method)


def scoped_targets(*, session: Session, region_scope: str | None = None) -> list[dict[str, Any]]:
    """Stored nation and region targets whose scope the reader may see, newest first."""
    frame = targets_service.list_targets(session=session)
    if frame.empty:
        return []
    visible = frame["scope_code"].map(lambda code: region_in_scope(code, region_scope))
    return _records(frame[visible])


def target_progress(
    *, session: Session, target_id: int, year: int, region_scope: str | None = None
) -> dict[str, Any] | None:
    """Progress of one nation or region target in a year; None when there is no such target."""
    target = session.get(SavingTarget, target_id)
    if target is None:
        return None
    if target.scope_level == "building":
        raise ValueError("progress is reported for nation and region targets; see the building's own indicators")
    if not region_in_scope(target.scope_code, region_scope):
        raise ScopeError(f"target {target_id} ({target.scope_code}) is outside scope {region_scope}")
    key = ("progress", target_id, year, data_fingerprint(session=session))
    return _cached(key, lambda: _progress(session, target, year))


def _progress(session: Session, target: SavingTarget, year: int) -> dict[str, Any]:
    inputs = target.method_inputs or {}
    targets = pd.DataFrame([{
        "target_id": target.id, "root_id": target.parent_id or target.id, "scope_level": target.scope_level,
        "region_code": target.scope_code, "parent_id": target.parent_id, "baseline_year": target.baseline_year,
        "target_year": target.target_year, "method_basis": target.method_basis, "method": target.method,
        "baseline_kgce": target.baseline_kgce, "saving_target_kgce": target.saving_kgce,
        "target_kgce": target.target_kgce, "baseline_area_m2": inputs.get("baseline_area_m2"),
        "milestone_shape": inputs.get("milestone_shape"),
    }])
    basis = targets_service.progress_basis(session=session, year=year, targets=targets, method=target.method_basis)
    progress = targets_service.progress_frame(
        year=year, targets=targets, basis=basis, thresholds=assessment_service.assessment_config().progress,
        min_basis_coverage=assessment_service.min_basis_coverage(),
    )
    row = _records(progress)[0]
    return {"target_id": target.id, "name": target.name, **row}


def scoped_assessments(
    *, session: Session, year: int, region_code: str | None = None, region_scope: str | None = None
) -> list[dict[str, Any]]:
    """Assessments of the demonstration regions (and nation) the reader may see, or of one region."""
    if region_code is not None and not region_in_scope(region_code, region_scope):
        raise ScopeError(f"region {region_code} is outside scope {region_scope}")
    key = ("assess", year, region_code, data_fingerprint(session=session))
    results = _cached(key, lambda: assessment_service.assess(session=session, year=year, region_code=region_code))
    return [asdict(a) for a in results if region_in_scope(a.region_code, region_scope)]
