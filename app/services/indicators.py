"""Building-year indicators, GB/T 51161 benchmarking and rollups, read set-based from the database.

The heavy lifting is two grouped queries per year (whole-meter totals per building and carrier,
electricity sub-items per building); everything after that is vectorised pandas in app.domain.
Region membership follows the district code through ``buildings.province_code`` / ``city_code``, so
regions overlap (沈阳 lies in 辽宁) and the national row counts each building once.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.orm import Session

from app.bulk import read_frame
from app.domain import benchmarks as bm
from app.domain.indicators import SUB_ITEMS, add_intensities, completeness
from app.domain.regions import NATION_CODE, region_column
from app.models import (
    AuditCarrierTotal,
    Benchmark,
    Building,
    BuildingYearTotal,
    ClimateZone,
    ConversionFactor,
    ConsumptionHistory,
    ConsumptionRecord,
    EnergyAudit,
    EnergyCarrier,
    Region,
    RetrofitMeasure,
)
from app.services.reference import non_energy_carriers

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
BENCHMARK_EDITION = "GB/T 51161-2016"
METHODS = ("calorific", "generation")
ROLLUP_KEYS = ("building_class", "climate_zone", "is_government_office", "is_large_public")
ELECTRICITY = "electricity"
HEATING_CARRIER = bm.HEATING_CARRIER
COOLING_CARRIER = "district_cooling"
# billed only in their season: any month of theirs counts as a full year for completeness
SEASONAL_CARRIERS = frozenset({HEATING_CARRIER, COOLING_CARRIER})

BUILDING_COLUMNS = [
    Building.id.label("building_id"),
    Building.code,
    Building.name,
    Building.district_code,
    Building.province_code,
    Building.city_code,
    Building.building_class,
    Building.is_government_office,
    Building.is_large_public,
    Building.climate_zone,
    Building.floor_area_m2,
    Building.ac_area_m2,
    Building.heated_area_m2,
    Building.occupants,
    Building.operating_hours_per_year,
    Building.benchmark_class,
]


def in_region(region_code: str | None) -> ColumnElement[bool]:
    """SQL condition for the buildings of a region (true for the nation); membership follows the code."""
    column = region_column(region_code or NATION_CODE)
    return true() if column is None else getattr(Building, column) == region_code


@lru_cache
def office_corrections() -> dict[str, bm.OfficeCorrection]:
    """T0 and S0 by office subtype, from seeds/office_correction.yaml."""
    data = yaml.safe_load((SEEDS_DIR / "office_correction.yaml").read_text(encoding="utf-8"))
    return {name: bm.OfficeCorrection(float(v["standard_hours"]), float(v["standard_area_per_person_m2"]))
            for name, v in data["subtypes"].items()}


@lru_cache
def default_subtypes() -> dict[str, str]:
    """Class -> GB/T 51161 sub-type assumed when a building declares none, from seeds/benchmark_subtypes.yaml."""
    data = yaml.safe_load((SEEDS_DIR / "benchmark_subtypes.yaml").read_text(encoding="utf-8"))
    return {code: str(v["default"]) for code, v in data["classes"].items() if v.get("default")}


@lru_cache
def heating_benchmarks() -> pd.DataFrame:
    """GB/T 51161 building heat consumption (GJ/(m2*a)) by district prefix and zone, seeds/heating_benchmarks.csv."""
    return pd.read_csv(SEEDS_DIR / "heating_benchmarks.csv", dtype={"code_prefix": str}, keep_default_na=False,
                       na_values={"constraint_gj_m2": [""], "guide_gj_m2": [""]}, encoding="utf-8")


def electricity_factor(*, session: Session, year: int, method: str = "calorific") -> float:
    """kgce per kWh of electricity for a year by method (calorific 0.1229, generation the year's coal rate)."""
    return electricity_factors(session=session, years=[year], method=method)[year]


def electricity_factors(*, session: Session, years: list[int], method: str = "calorific") -> dict[int, float]:
    """``electricity_factor`` of several years from one read of the factor table."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    f = ConversionFactor
    rows = session.execute(select(f.valid_from_year, f.valid_to_year, f.kgce_per_unit)
                           .where(f.carrier_code == ELECTRICITY, f.method == method).order_by(f.valid_from_year)).all()
    factors = {}
    for year in years:
        valid = [value for start, end, value in rows if start <= year and (end is None or end >= year)]
        if not valid:
            raise LookupError(f"no {method} electricity factor for {year}")
        factors[year] = float(valid[-1])
    return factors


def benchmark_table(*, session: Session, edition: str = BENCHMARK_EDITION) -> pd.DataFrame:
    """The benchmark rows of one edition as a DataFrame."""
    stmt = select(Benchmark.building_class, Benchmark.subtype, Benchmark.benchmark_class, Benchmark.climate_zone,
                  Benchmark.constraint_kwh_m2, Benchmark.guide_kwh_m2).where(Benchmark.edition == edition)
    return pd.read_sql(stmt, session.connection())


def _scope(region_code: str | None, building_class: str | None, government_only: bool,
           building_ids: list[int] | None) -> ColumnElement[bool]:
    conditions = [in_region(region_code)]
    if building_class:
        conditions.append(Building.building_class == building_class)
    if government_only:
        conditions.append(Building.is_government_office.is_(True))
    if building_ids is not None:
        conditions.append(Building.id.in_(building_ids))
    return and_(*conditions)


def _totals(session: Session, where: ColumnElement[bool], scope: ColumnElement[bool] | None = None) -> pd.DataFrame:
    """Whole-meter totals and electricity sub-items per building, year and carrier, from the stored rollup."""
    t = BuildingYearTotal
    stmt = select(t.building_id, t.year, t.carrier_code, t.grain, t.months_reported, t.quantity, t.kgce_calorific,
                  t.kgce_generation, *[getattr(t, f"{name}_kwh") for name in SUB_ITEMS.values()]).where(where)
    if scope is not None:
        stmt = stmt.join(Building, Building.id == t.building_id).where(scope)
    frame = read_frame(session, stmt)
    numeric = ["months_reported", "quantity", "kgce_calorific", "kgce_generation", *[f"{n}_kwh" for n in SUB_ITEMS.values()]]
    frame[numeric] = frame[numeric].apply(pd.to_numeric, errors="coerce")
    return frame


def _buildings(session: Session, scope: ColumnElement[bool]) -> pd.DataFrame:
    buildings = read_frame(session, select(*BUILDING_COLUMNS).where(scope).order_by(Building.code))
    for flag in ("is_government_office", "is_large_public"):
        buildings[flag] = buildings[flag].astype(bool)
    for number in ("floor_area_m2", "ac_area_m2", "heated_area_m2", "occupants", "operating_hours_per_year"):
        buildings[number] = pd.to_numeric(buildings[number], errors="coerce").astype("float64")
    return buildings


def building_year_indicators(
    *,
    session: Session,
    year: int,
    region_code: str | None = None,
    building_class: str | None = None,
    government_only: bool = False,
    method: str = "calorific",
    building_ids: list[int] | None = None,
) -> pd.DataFrame:
    """One row per registered building in scope with its indicators, completeness and benchmark for a year.

    Columns: building_id, code, name, district/province/city codes, building_class,
    is_government_office, is_large_public, climate_zone, floor_area_m2, ac_area_m2, occupants, ...;
    kgce_calorific, kgce_generation, energy_kgce (the chosen method), energy_kwh_eq,
    electricity_kwh, heating_kgce, energy_kgce_m2, energy_kwh_m2, electricity_kwh_m2,
    hvac_kwh_m2_ac, energy_kgce_per_person, <sub-item>_kwh and _share, carriers_reported, carrier_mask,
    months_reported, is_reporting, is_complete, has_sub_items, constraint_kwh_m2, guide_kwh_m2,
    non_heating_kwh_m2, heating_kgce_m2, correction_factor, comparable_kwh_m2, benchmark_status,
    saving_potential_kgce. Buildings that did not report have is_reporting False and NaN energy.
    """
    factors = {year: electricity_factor(session=session, year=year, method=method)}
    scope = _scope(region_code, building_class, government_only, building_ids)
    joined = region_code not in (None, NATION_CODE) or bool(building_class) or government_only or building_ids is not None
    totals = _totals(session, BuildingYearTotal.year == year, scope if joined else None)
    return _indicators(session, _buildings(session, scope), totals, factors, method)


def building_indicators_by_year(*, session: Session, building_id: int, method: str = "calorific") -> pd.DataFrame:
    """``building_year_indicators`` of one building for every year it reported, oldest first, in one pass."""
    scope = _scope(None, None, False, [building_id])
    totals = _totals(session, BuildingYearTotal.building_id == building_id)
    years = sorted(int(y) for y in totals["year"].unique())
    if not years:
        return pd.DataFrame()
    factors = electricity_factors(session=session, years=years, method=method)
    return _indicators(session, _buildings(session, scope), totals, factors, method).sort_values("year", ignore_index=True)


def _indicators(session: Session, buildings: pd.DataFrame, totals_by_carrier: pd.DataFrame, factors: dict[int, float],
                method: str) -> pd.DataFrame:
    """Indicators of every (building, year): ``buildings`` crossed with the years of ``factors``.

    Rows are keyed by position in that cross product, so one pass serves a nation's year or a
    building's years alike.
    """
    frame = buildings.merge(pd.DataFrame({"year": list(factors)}), how="cross")
    rows = frame[["building_id", "year"]].reset_index(names="row")
    totals_by_carrier = totals_by_carrier.merge(rows, on=["building_id", "year"])
    # quantities that are not energy (water) never enter kgce totals nor the completeness of a year
    totals_by_carrier = totals_by_carrier[~totals_by_carrier["carrier_code"].isin(non_energy_carriers(session=session))]
    carriers = totals_by_carrier[totals_by_carrier["months_reported"] > 0]
    sub_columns = [f"{name}_kwh" for name in SUB_ITEMS.values()]
    elec_all = totals_by_carrier[totals_by_carrier["carrier_code"] == ELECTRICITY].set_index("row")

    totals = carriers.groupby("row")[["kgce_calorific", "kgce_generation"]].sum()
    elec = carriers[carriers.carrier_code == ELECTRICITY].set_index("row")
    heat = carriers[carriers.carrier_code == HEATING_CARRIER].set_index("row")
    complete = completeness(carriers[["row", "carrier_code", "grain", "months_reported"]].rename(columns={"row": "building_id"}),
                            seasonal=SEASONAL_CARRIERS)
    frame = frame.join(totals, how="left")
    frame["carrier_mask"] = _carrier_masks(session, carriers).reindex(frame.index).fillna(0).astype("int64")
    frame["electricity_kwh"] = elec["quantity"].reindex(frame.index)
    heating_column = f"kgce_{method}"
    frame["heating_kgce"] = heat[heating_column].reindex(frame.index)
    for column in sub_columns:
        frame[column] = elec_all[column].reindex(frame.index)
    frame = frame.join(complete, how="left")
    frame["is_reporting"] = frame["carriers_reported"].notna()
    frame["carriers_reported"] = frame["carriers_reported"].fillna(0).astype("int64")
    frame["months_reported"] = frame["months_reported"].fillna(0).astype("int64")
    frame["is_complete"] = frame["is_complete"].astype("boolean").fillna(False).astype(bool)
    frame["has_sub_items"] = frame[sub_columns].notna().any(axis=1)
    factor = next(iter(factors.values())) if len(factors) == 1 else frame["year"].map(factors).astype("float64")
    frame = add_intensities(frame, kgce_column=heating_column, kgce_per_kwh=factor)
    frame["has_heating"] = frame["climate_zone"].map(_heating_zones(session)).astype("boolean").fillna(False).astype(bool)
    benchmarked = bm.benchmark_frame(frame, benchmark_table(session=session), office_corrections(), kgce_per_kwh=factor,
                                     default_subtypes=default_subtypes(), heating_table=heating_benchmarks())
    frame = frame.join(benchmarked)
    # Only a complete year can be judged against an annual benchmark; a class the standard does not
    # cover stays marked so whatever the year.
    incomplete = ~frame["is_complete"]
    judged = ["comparable_kwh_m2", "benchmark_status", "saving_potential_kwh", "saving_potential_kgce", "heating_status"]
    frame.loc[incomplete & frame["benchmark_status"].ne(bm.STATUS_NOT_COVERED), judged] = None
    frame.loc[incomplete, ["comparable_kwh_m2", "heating_status"]] = None
    frame["method"] = method
    return frame.reset_index(drop=True)


@lru_cache(maxsize=8)
def _carrier_bits(carrier_codes: tuple[str, ...]) -> dict[str, int]:
    return {code: 1 << i for i, code in enumerate(carrier_codes)}


def carrier_bits(*, session: Session) -> dict[str, int]:
    """One bit per carrier of the reference table, in code order (a building-year's carrier_mask)."""
    return _carrier_bits(tuple(session.scalars(select(EnergyCarrier.code).order_by(EnergyCarrier.code))))


def _carrier_masks(session: Session, carriers: pd.DataFrame) -> pd.Series:
    """Per row of the cross product: the bits of the carriers with a whole-meter figure."""
    bits = carriers["carrier_code"].map(carrier_bits(session=session)).fillna(0).astype("int64")
    return bits.groupby(carriers["row"].to_numpy()).sum()


def _heating_zones(session: Session) -> pd.Series:
    return pd.read_sql(select(ClimateZone.code, ClimateZone.has_heating), session.connection()).set_index("code")["has_heating"]


AGGREGATE_INPUTS = ["building_id", "is_reporting", "is_complete", "has_sub_items", "benchmark_status", "floor_area_m2",
                    "energy_kgce", "energy_kwh_eq", "electricity_kwh", "kgce_calorific", "kgce_generation",
                    "saving_potential_kgce"]


def _aggregate(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Totals and intensities per group.

    The complete-year total (energy_kgce, kgce_calorific, kgce_generation) and every intensity use
    complete building-years only; all_reported_kgce (and by method) adds the part years, as the
    second named total of app.domain.comparison.LABELS.
    """
    inputs = [*keys, *AGGREGATE_INPUTS, *(["has_audit"] if "has_audit" in frame else [])]
    data = frame[list(dict.fromkeys(inputs))].assign(  # only what is summed: a national frame has 50+ columns
        _complete_kgce=frame["energy_kgce"].where(frame["is_complete"]),
        _complete_kwh=frame["energy_kwh_eq"].where(frame["is_complete"]),
        _complete_elec=frame["electricity_kwh"].where(frame["is_complete"]),
        _complete_area=frame["floor_area_m2"].where(frame["is_complete"]),
        _calorific=frame["kgce_calorific"].where(frame["is_complete"]),
        _generation=frame["kgce_generation"].where(frame["is_complete"]),
        _incomplete_kgce=frame["energy_kgce"].where(frame["is_reporting"] & ~frame["is_complete"]),
        _reported_kgce=frame["energy_kgce"].where(frame["is_reporting"]),
        _reported_calorific=frame["kgce_calorific"].where(frame["is_reporting"]),
        _reported_generation=frame["kgce_generation"].where(frame["is_reporting"]),
        _better=frame["benchmark_status"].eq(bm.STATUS_BETTER_THAN_GUIDE),
        _between=frame["benchmark_status"].eq(bm.STATUS_BETWEEN),
        _above=frame["benchmark_status"].eq(bm.STATUS_ABOVE_CONSTRAINT),
        _disclosed=frame["is_complete"] & frame["benchmark_status"].isin(bm.STATUSES),
    )
    grouped = data.groupby(keys, dropna=False) if keys else data.groupby(np.zeros(len(data), dtype="int64"))
    optional = {"buildings_audited": ("has_audit", "sum")} if "has_audit" in data else {}
    out = grouped.agg(
        **optional,
        buildings_registered=("building_id", "size"),
        buildings_reporting=("is_reporting", "sum"),
        buildings_complete=("is_complete", "sum"),
        buildings_metered=("has_sub_items", "sum"),
        buildings_benchmarked=("_disclosed", "sum"),
        buildings_better_than_guide=("_better", "sum"),
        buildings_between=("_between", "sum"),
        buildings_above_constraint=("_above", "sum"),
        floor_area_m2=("_complete_area", "sum"),
        energy_kgce=("_complete_kgce", "sum"),
        energy_kwh_eq=("_complete_kwh", "sum"),
        electricity_kwh=("_complete_elec", "sum"),
        kgce_calorific=("_calorific", "sum"),
        kgce_generation=("_generation", "sum"),
        incomplete_kgce=("_incomplete_kgce", "sum"),
        all_reported_kgce=("_reported_kgce", "sum"),
        all_reported_kgce_calorific=("_reported_calorific", "sum"),
        all_reported_kgce_generation=("_reported_generation", "sum"),
        saving_potential_kgce=("saving_potential_kgce", "sum"),
    )
    area = out["floor_area_m2"].where(out["floor_area_m2"] > 0)
    out["energy_kgce_m2"] = out["energy_kgce"] / area
    out["energy_kwh_m2"] = out["energy_kwh_eq"] / area
    out["electricity_kwh_m2"] = out["electricity_kwh"] / area
    out["buildings_incomplete"] = out["buildings_reporting"] - out["buildings_complete"]
    count_columns = [c for c in out.columns if c.startswith("buildings_")]
    out[count_columns] = out[count_columns].astype("int64")
    return out


def rollup_frame(frame: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Per-region rollup of a building frame: one row per region in ``regions`` plus the nation.

    A building counts for its province and its city; the nation aggregates the frame once.
    """
    codes = set(regions["code"]) - {NATION_CODE}
    inputs = frame[[c for c in [*AGGREGATE_INPUTS, "has_audit"] if c in frame]]
    membership = pd.concat([inputs.assign(region_code=frame[column]) for column in ("province_code", "city_code")],
                           ignore_index=True)
    membership = membership[membership["region_code"].isin(codes)].drop_duplicates(["region_code", "building_id"])
    # a region (or nation) without buildings gets zero totals and no intensity, never a missing row
    by_region = _aggregate(membership, ["region_code"]).reindex(sorted(codes), fill_value=0)
    nation = _aggregate(frame, []).reindex([0], fill_value=0).set_axis([NATION_CODE])
    out = pd.concat([nation, by_region])
    out.loc[out["floor_area_m2"] <= 0, ["energy_kgce_m2", "energy_kwh_m2", "electricity_kwh_m2"]] = np.nan
    out.index.name = "region_code"
    out = out.reset_index().merge(regions, left_on="region_code", right_on="code", how="left").drop(columns="code")
    count_columns = [c for c in out.columns if c.startswith("buildings_")]
    out[count_columns] = out[count_columns].fillna(0).astype("int64")
    return out


def demonstration_regions(*, session: Session) -> pd.DataFrame:
    """The nation and the 21 demonstration regions: code, name_zh, name_en, level, climate_zone."""
    stmt = (select(Region.code, Region.name_zh, Region.name_en, Region.level, Region.climate_zone)
            .where((Region.is_demonstration.is_(True)) | (Region.code == NATION_CODE)).order_by(Region.code))
    return pd.read_sql(stmt, session.connection())


def region_rollup(*, session: Session, year: int, method: str = "calorific", frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per demonstration region plus the nation ('000000', first), each building counted once nationally.

    Energy totals and intensities cover complete building-years; incomplete ones are counted
    (buildings_incomplete) and their partial energy shown apart (incomplete_kgce), never summed in.
    """
    if frame is None:
        frame = building_year_indicators(session=session, year=year, method=method)
    out = rollup_frame(frame, demonstration_regions(session=session))
    out.insert(1, "year", year)
    return out


def rollup_by(*, session: Session, year: int, region_code: str | None = None, by: str = "building_class",
              method: str = "calorific") -> pd.DataFrame:
    """Rollup of a region's (or the nation's) buildings by building_class, climate_zone or a flag."""
    if by not in ROLLUP_KEYS:
        raise ValueError(f"by must be one of {ROLLUP_KEYS}")
    frame = building_year_indicators(session=session, year=year, region_code=region_code, method=method)
    out = _aggregate(frame, [by]).reset_index()
    out.insert(0, "year", year)
    out.insert(1, "region_code", region_code or NATION_CODE)
    return out


def monthly_trend(*, session: Session, region_code: str | None = None, years: list[int] | tuple[int, ...],
                  by: str | None = "carrier", method: str = "calorific") -> pd.DataFrame:
    """Monthly kgce (and canonical quantity per carrier) of a region for some years; annual-only figures are left out.

    Columns: year, month, [carrier_code,] kgce, quantity (per carrier only), buildings_reporting.
    """
    if by not in ("carrier", None):
        raise ValueError("by must be 'carrier' or None")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    r = ConsumptionRecord
    kgce = func.sum(r.kgce_calorific if method == "calorific" else r.kgce_generation).label("kgce")
    keys = [r.year, r.month] + ([r.carrier_code] if by == "carrier" else [])
    columns = [*keys, kgce, func.count(func.distinct(r.building_id)).label("buildings_reporting")]
    if by == "carrier":
        columns.insert(len(keys) + 1, func.sum(r.quantity).label("quantity"))
    stmt = select(*columns).where(r.year.in_(list(years)), r.sub_item == "", r.grain == "M").group_by(*keys).order_by(*keys)
    if region_code not in (None, NATION_CODE):
        stmt = stmt.join(Building, Building.id == r.building_id).where(in_region(region_code))
    return pd.read_sql(stmt, session.connection())


def _records(rows) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in rows]


def building_profile(*, session: Session, code: str, method: str = "calorific") -> dict[str, Any]:
    """A building's attributes, indicators for every year it reported, audits with measures, and value history."""
    building = session.scalar(select(Building).where(Building.code == code))
    if building is None:
        raise LookupError(f"unknown building {code}")
    by_year = building_indicators_by_year(session=session, building_id=building.id, method=method)
    attributes = {c.key: getattr(building, c.key) for c in Building.__mapper__.column_attrs}
    audits = _records(session.execute(
        select(EnergyAudit.id, EnergyAudit.audit_year, EnergyAudit.auditor, EnergyAudit.electricity_kwh,
               EnergyAudit.lighting_kwh, EnergyAudit.hvac_kwh, EnergyAudit.power_kwh, EnergyAudit.special_kwh,
               EnergyAudit.total_kgce_calorific, EnergyAudit.total_kgce_generation)
        .where(EnergyAudit.building_id == building.id).order_by(EnergyAudit.audit_year)))
    audit_ids = [a["id"] for a in audits]
    measures = _records(session.execute(
        select(RetrofitMeasure.audit_id, RetrofitMeasure.name, RetrofitMeasure.category,
               RetrofitMeasure.investment_10k_cny, RetrofitMeasure.expected_saving_tce, RetrofitMeasure.payback_years)
        .where(RetrofitMeasure.audit_id.in_(audit_ids)).order_by(RetrofitMeasure.audit_id, RetrofitMeasure.name)))
    carrier_totals = _records(session.execute(
        select(AuditCarrierTotal.audit_id, AuditCarrierTotal.carrier_code, AuditCarrierTotal.quantity,
               AuditCarrierTotal.kgce_calorific, AuditCarrierTotal.kgce_generation)
        .where(AuditCarrierTotal.audit_id.in_(audit_ids)).order_by(AuditCarrierTotal.audit_id, AuditCarrierTotal.carrier_code)))
    for audit in audits:
        audit["measures"] = [m for m in measures if m["audit_id"] == audit["id"]]
        audit["carrier_totals"] = [t for t in carrier_totals if t["audit_id"] == audit["id"]]
    history = _records(session.execute(
        select(ConsumptionHistory.carrier_code, ConsumptionHistory.year, ConsumptionHistory.month,
               ConsumptionHistory.sub_item, ConsumptionHistory.quantity_reported, ConsumptionHistory.unit_reported,
               ConsumptionHistory.kgce_calorific, ConsumptionHistory.kgce_generation, ConsumptionHistory.upload_id,
               ConsumptionHistory.superseded_by_upload_id, ConsumptionHistory.superseded_at)
        .where(ConsumptionHistory.building_id == building.id)
        .order_by(ConsumptionHistory.superseded_at, ConsumptionHistory.year, ConsumptionHistory.month)))
    return {
        "building": attributes,
        "indicators": by_year.replace({np.nan: None}).to_dict("records"),
        "audits": audits,
        "history": history,
    }
