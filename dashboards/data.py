"""Read-only data for the pages, as DataFrames and plain dicts, through the services.

Aggregates are cached per database and per "data version" (the newest upload, target, building and
record ids), so a page stays fast at national scale and an upload or a new target shows at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import select

from app.models import BuildingClass
from app.services import building_data, frames, quality
from app.services.frames import select_buildings
from dashboards.context import current_engine, read_session
from dashboards.i18n import t

logger = logging.getLogger("jieneng.dashboards")
TTL_SECONDS = 600.0
_CACHE: dict[tuple, tuple[float, Any]] = {}
_LOCK = threading.Lock()
F = TypeVar("F", bound=Callable[..., Any])


def data_version(session) -> tuple:
    """Changes whenever an upload, a target, a building or a record is added (app.services.frames)."""
    return frames.data_fingerprint(session=session)


def cached(fn: F) -> F:
    """Cache ``fn(session=..., **kwargs)`` by database, arguments and data version."""

    @wraps(fn)
    def wrapper(**kwargs):
        engine = current_engine()
        with read_session() as session:
            key = (str(engine.url), fn.__name__, tuple(sorted(kwargs.items())), data_version(session))
            now = time.monotonic()
            with _LOCK:
                hit = _CACHE.get(key)
            if hit is not None and hit[0] > now:
                return hit[1]
            value = fn(session=session, **kwargs)
        with _LOCK:
            if len(_CACHE) > 512:
                for stale in [k for k, (expires, _) in _CACHE.items() if expires <= now][:256] or list(_CACHE)[:128]:
                    _CACHE.pop(stale, None)
            _CACHE[key] = (now + TTL_SECONDS, value)
        return value

    wrapper.uncached = fn  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def warm_up() -> None:
    """Compute every year's national views (both methods), progress, assessment and quality ahead of visitors."""
    try:
        options = filter_options()
        regions = tuple(r["region_code"] for r in options["regions"])
        for year in options["years"][: frames.SLOTS // len(frames.METHODS)]:
            for method in frames.METHODS:
                overview_view(year=year, method=method, building_class=None, government_only=False, region_code=None)
            assessments(year=year)
            quality_view(year=year, region_codes=regions, uploaded_by=None)
    except Exception:  # a missing or empty database must not break the app; the pages report it
        logger.warning("warming the dashboards' cache failed", exc_info=True)


# Shared by every view and computed for every year by warm_up after each data change.
BUILDING_BLOCKS = frozenset({"filter_options", "area_totals", "carrier_names", "progress_table", "assessments",
                             "completeness_grid"})


def clear_views() -> None:
    """Forget the cached views, keeping their building blocks and the national indicator frames."""
    with _LOCK:
        for key in [k for k in _CACHE if k[1] not in BUILDING_BLOCKS]:
            del _CACHE[key]


def clear_cache() -> None:
    """Forget every cached view and the national indicator frames."""
    clear_views()
    frames.clear()


# ---------------------------------------------------------------- reference and filters

@cached
def filter_options(*, session) -> dict:
    """Years with data (newest first), demonstration regions and building classes."""
    regions = quality.demonstration_regions(session=session)
    classes = pd.read_sql(select(BuildingClass.code, BuildingClass.name_zh, BuildingClass.name_en)
                          .order_by(BuildingClass.code), session.connection())
    return {
        "years": quality.data_years(session=session),
        "regions": regions.to_dict("records"),
        "classes": classes.to_dict("records"),
    }


def region_name(code: str | None, lang: str) -> str:
    """The region's name in the language, the nation's for None."""
    if code in (None, "", "000000"):
        return t("nation", lang)
    for region in filter_options()["regions"]:
        if region["region_code"] == code:
            return region["name_en" if lang == "en" else "name_zh"]
    return code


def class_labels(lang: str) -> dict[str, str]:
    """Class code -> 'A 办公建筑' style label."""
    return {c["code"]: f"{c['code']} {c['name_en' if lang == 'en' else 'name_zh']}" for c in filter_options()["classes"]}


# ---------------------------------------------------------------- data quality

@cached
def quality_view(*, session, year: int | None, region_codes: tuple[str, ...], uploaded_by: str | None) -> dict:
    """Uploads by day, recent uploads, top finding codes and the region × month completeness grid."""
    return {
        "by_day": quality.uploads_by_day(session=session, uploaded_by=uploaded_by),
        "recent": quality.recent_uploads(session=session, limit=200, uploaded_by=uploaded_by),
        "findings": quality.top_finding_codes(session=session, limit=12, uploaded_by=uploaded_by),
        "completeness": _completeness_of(year, region_codes),
    }


def _completeness_of(year: int | None, region_codes: tuple[str, ...]) -> pd.DataFrame:
    if year is None:
        return pd.DataFrame()
    grid = completeness_grid(year=year)
    extra = tuple(c for c in region_codes if c not in set(grid["region_code"]))
    if extra:  # a region outside the demonstration set: its own grid
        grid = pd.concat([grid, completeness_grid(year=year, region_codes=extra)], ignore_index=True)
    order = {code: i for i, code in enumerate(region_codes)}
    mine = grid[grid["region_code"].isin(order)]
    return mine.sort_values(["region_code", "month"], key=lambda s: s.map(order) if s.name == "region_code" else s,
                            ignore_index=True)


@cached
def completeness_grid(*, session, year: int, region_codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Region × month completeness of a year for the demonstration regions (or the given ones)."""
    codes = region_codes or tuple(quality.demonstration_regions(session=session)["region_code"])
    return quality.completeness_by_region_month(session=session, year=year, region_codes=codes)


# ---------------------------------------------------------------- building

def building_view(*, code: str) -> dict | None:
    """Everything the building page shows, or None when the code is unknown."""
    with read_session() as session:
        building = building_data.building_by_code(session=session, code=code)
        if building is None:
            return None
        bid = building["id"]
        monthly = building_data.monthly_consumption(session=session, building_id=bid)
        years = sorted(monthly["year"].unique().tolist()) if not monthly.empty else []
        latest = years[-1] if years else None
        return {
            "building": building,
            "monthly": monthly,
            "years": years,
            "sub_items": (building_data.sub_item_totals(session=session, building_id=bid, year=latest)
                          if latest is not None else pd.DataFrame(columns=["sub_item", "name_zh", "name_en", "kwh"])),
            "audits": building_data.audits_with_measures(session=session, building_id=bid),
            "uploads": building_data.supplying_uploads(session=session, building_id=bid),
            "history": building_data.value_history(session=session, building_id=bid),
        }


# ---------------------------------------------------------------- indicators, progress, assessment

def national_frame(session, *, year: int, method: str) -> pd.DataFrame:
    """Every building's indicators for a year (held by app.services.frames); pages filter it in memory."""
    return frames.national_frame(session=session, year=year, method=method)


def _target_basis(session) -> str | None:
    from app.services.targets import current_targets

    targets = current_targets(session=session)
    return None if targets.empty else str(targets["method_basis"].iloc[0])


@cached
def progress_table(*, session, year: int) -> pd.DataFrame:
    """Progress of the current decomposition (nation and regions) in a year; empty without a target."""
    from app.services.targets import target_progress

    basis = _target_basis(session)
    if basis is None:
        return pd.DataFrame()
    return target_progress(session=session, year=year, frame=national_frame(session, year=year, method=basis))


@cached
def assessments(*, session, year: int) -> dict:
    """Assessment of every demonstration region and the nation for a year, by region code."""
    from app.services.assessment import assess

    basis = _target_basis(session) or "calorific"
    results = assess(session=session, year=year, frame=national_frame(session, year=year, method=basis))
    return {a.region_code: a for a in results}


@cached
def area_totals(*, session) -> pd.DataFrame:
    """Whole-meter totals by year, month, carrier and area (one scan of the records per data version)."""
    from app.services.rollups import area_month_totals

    return area_month_totals(session=session)


@cached
def overview_view(*, session, year: int, method: str, building_class: str | None, government_only: bool,
                  region_code: str | None) -> dict:
    """KPIs, the regions' progress and intensity, and the monthly trend against the baseline year."""
    from app.services.indicators import region_rollup
    from app.services.rollups import monthly_trend_from

    frame = select_buildings(national_frame(session, year=year, method=method), building_class=building_class,
                             government_only=government_only)
    rollup = region_rollup(session=session, year=year, method=method, frame=frame)
    progress = progress_table(year=year)
    baseline_year = int(progress["baseline_year"].iloc[0]) if not progress.empty else None
    trend_years = sorted({year} | ({baseline_year} if baseline_year else set()))
    trend = monthly_trend_from(area_totals(), region_code=region_code, years=trend_years, by=None, method=method)
    return {"rollup": rollup, "progress": progress, "trend": trend, "baseline_year": baseline_year}


@cached
def region_view(*, session, region_code: str, year: int, method: str, building_class: str | None,
                government_only: bool) -> dict:
    """Everything the region page shows for one region and year."""
    from app.services.rollups import monthly_trend_from
    from app.services.targets import path_actuals

    frame = select_buildings(national_frame(session, year=year, method=method), region_code=region_code,
                             building_class=building_class, government_only=government_only)
    progress = progress_table(year=year)
    mine = progress[progress["region_code"] == region_code] if not progress.empty else progress
    baseline_year = int(mine["baseline_year"].iloc[0]) if not mine.empty else None
    target_year = int(mine["target_year"].iloc[0]) if not mine.empty else None
    trend_years = sorted({year} | ({baseline_year} if baseline_year else set()))
    totals = area_totals()
    trend = monthly_trend_from(totals, region_code=region_code, years=trend_years, by="carrier", method=method)
    path = pd.DataFrame()
    if not mine.empty:
        from app.domain.targets import milestones

        row = mine.iloc[0]
        path = milestones(baseline_year=baseline_year, target_year=target_year, baseline_kgce=float(row["baseline_kgce"]),
                          saving_kgce=float(row["saving_target_kgce"]))
        actual = path_actuals(session=session, region_code=region_code, baseline_year=baseline_year,
                              baseline_kgce=float(row["baseline_kgce"]),
                              years=[int(y) for y in path["year"] if y <= year], method=method)
        actual = {y: v for y, v in actual.items() if v is not None}
        path = path.assign(path_tce=path["expected_kgce"] / 1000.0,
                           actual_tce=[actual[y] / 1000.0 if y in actual else float("nan") for y in path["year"]])
    return {"frame": frame, "progress": mine, "trend": trend, "baseline_year": baseline_year, "path": path,
            "assessment": assessments(year=year).get(region_code)}


@cached
def carrier_names(*, session) -> dict[str, tuple[str, str]]:
    """Carrier code -> (Chinese, English) name."""
    from app.models import EnergyCarrier

    return {c: (zh, en) for c, zh, en in session.execute(select(EnergyCarrier.code, EnergyCarrier.name_zh, EnergyCarrier.name_en))}


@cached
def accepted_values(*, session, lang: str) -> dict:
    """What the survey fields accept, for the import report: carrier names, units per carrier, class labels."""
    from app.services.reference import conversion_tables
    from dashboards import finding_text

    tables = conversion_tables(session=session)
    names = carrier_names.uncached(session=session)
    return {
        "carriers": [names.get(c, (c, c))[1 if lang == "en" else 0] for c in tables.carriers["code"]],
        "units": finding_text.accepted_units(tables.units, tables.carriers, names, lang),
        "classes": list(class_labels(lang).values()),
    }


def replaced_values(*, upload_id: int) -> pd.DataFrame:
    """The stored values an upload replaced, old and new (not cached: one upload's rows)."""
    with read_session() as session:
        return building_data.replaced_by_upload(session=session, upload_id=upload_id)


@cached
def building_benchmark(*, session, code: str, year: int) -> dict:
    """The building's comparable intensity, benchmark values and status for a year."""
    from app.models import Building as B
    from app.services.indicators import building_year_indicators

    building_id = session.scalar(select(B.id).where(B.code == code))
    if building_id is None:
        return {}
    frame = building_year_indicators(session=session, year=year, building_ids=[building_id])
    if frame.empty:
        return {}
    row = frame.iloc[0]
    keys = ("comparable_kwh_m2", "constraint_kwh_m2", "guide_kwh_m2", "benchmark_status", "energy_kgce_m2", "is_complete")
    return {k: (None if pd.isna(row.get(k)) else row.get(k)) for k in keys if k in row.index}


# ---------------------------------------------------------------- targets

@cached
def targets_view(*, session, year: int, region_code: str | None) -> dict:
    """The current decomposition (nation and regions) with its progress for a year."""
    from app.services.targets import current_targets

    return {"targets": current_targets(session=session), "progress": progress_table(year=year)}


def preview_decomposition(*, scope_code: str, saving_tce: float | None, cut_percent: float | None, baseline_year: int,
                          target_year: int, method: str, created_by: str | None, apply: bool):
    """Decompose a target: a preview (nothing stored) or, with ``apply``, stored and committed."""
    from app.services.targets import decompose
    from dashboards.context import write_session

    if apply:
        with write_session() as session:
            return decompose(session=session, scope_code=scope_code, saving_tce=saving_tce, cut_percent=cut_percent,
                             baseline_year=baseline_year, target_year=target_year, method=method, created_by=created_by,
                             preview=False)
    with read_session() as session:
        return decompose(session=session, scope_code=scope_code, saving_tce=saving_tce, cut_percent=cut_percent,
                         baseline_year=baseline_year, target_year=target_year, method=method, created_by=created_by,
                         preview=True)
