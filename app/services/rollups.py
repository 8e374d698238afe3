"""Stored rollups of the consumption records: how they are kept in step, and the reads they serve.

``building_year_totals`` (per building, carrier and year) feeds the indicators; ``area_month_totals``
(per district, carrier and month) feeds trends and the path against a target. Every writer of
``consumption_records`` calls one of the refresh functions in the same transaction: the ETL merge
refreshes the (building, year) pairs it staged, bulk loaders rebuild everything. Refreshes are
serialised on PostgreSQL by a transaction-scoped advisory lock, so two concurrent uploads of the
same building-year cannot each write a total that misses the other's rows.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Select, and_, case, column, delete, exists, func, insert, literal, select, table
from sqlalchemy.orm import Session

from app.domain.indicators import SUB_ITEMS
from app.domain.regions import NATION_CODE, region_column
from app.models import AreaMonthTotal, Building, BuildingYearTotal, ConsumptionRecord

KEYS = table("rollup_keys", column("building_id"), column("year"))
AREAS = table("rollup_areas", column("year"), column("district_code"))
LOCK_ID = 7_415_031_201  # pg_advisory_xact_lock key of the rollup refresh
TOTAL_COLUMNS = ["year", "building_id", "carrier_code", "grain", "months_reported", "months_mask", "quantity",
                 "kgce_calorific", "kgce_generation", *[f"{name}_kwh" for name in SUB_ITEMS.values()]]
AREA_COLUMNS = ["year", "month", "carrier_code", "district_code", "province_code", "city_code", "buildings",
                "quantity", "kgce_calorific", "kgce_generation"]


# ---------------------------------------------------------------- refresh

def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(LOCK_ID)))


def _building_totals() -> Select:
    r = ConsumptionRecord
    whole = r.sub_item == ""

    def part(value, condition):
        return func.sum(case((condition, value)))

    return (
        select(
            r.year, r.building_id, r.carrier_code, func.max(r.grain),
            func.sum(case((whole, 1), else_=0)),
            func.sum(case((whole, literal(1).op("<<")(r.month)), else_=0)),
            part(r.quantity, whole), part(r.kgce_calorific, whole), part(r.kgce_generation, whole),
            *[part(r.quantity, r.sub_item == letter) for letter in SUB_ITEMS],
        )
        .group_by(r.year, r.building_id, r.carrier_code)
    )


def _area_totals() -> Select:
    r, b = ConsumptionRecord, Building
    keys = [r.year, r.month, r.carrier_code, b.district_code, b.province_code, b.city_code]
    return (
        select(*keys, func.count(), func.sum(r.quantity), func.sum(r.kgce_calorific), func.sum(r.kgce_generation))
        .join(b, b.id == r.building_id)
        .where(r.sub_item == "")
        .group_by(*keys)
    )


def rebuild(*, session: Session) -> None:
    """Recompute both rollups from every record (after a bulk load or a migration)."""
    _lock(session)
    session.execute(delete(BuildingYearTotal))
    session.execute(delete(AreaMonthTotal))
    session.execute(insert(BuildingYearTotal).from_select(TOTAL_COLUMNS, _building_totals()))
    session.execute(insert(AreaMonthTotal).from_select(AREA_COLUMNS, _area_totals()))


def _temp_table(session: Session, name: str, columns: str, rows_sql: str, params: dict | None = None) -> None:
    conn = session.connection()
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {name} ({columns})")
    conn.exec_driver_sql(f"INSERT INTO {name} {rows_sql}", params or ())
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {name}")  # a fresh temp table has no statistics: plan on real counts


def refresh_staged(*, session: Session, stage_table: str) -> None:
    """Recompute the totals of every (building, year) in ``stage_table`` and the areas they lie in."""
    _lock(session)
    _temp_table(session, "rollup_keys", "building_id INTEGER NOT NULL, year INTEGER NOT NULL",
                f"SELECT DISTINCT building_id, year FROM {stage_table}")
    _temp_table(session, "rollup_areas", "year INTEGER NOT NULL, district_code VARCHAR(6) NOT NULL",
                "SELECT DISTINCT k.year, b.district_code FROM rollup_keys k JOIN buildings b ON b.id = k.building_id")
    t, r = BuildingYearTotal, ConsumptionRecord
    session.execute(delete(t).where(exists().where(KEYS.c.building_id == t.building_id, KEYS.c.year == t.year)))
    session.execute(insert(t).from_select(TOTAL_COLUMNS, _building_totals().join(
        KEYS, and_(KEYS.c.building_id == r.building_id, KEYS.c.year == r.year))))
    _refresh_areas(session)
    _drop(session, "rollup_keys", "rollup_areas")


def refresh_districts(*, session: Session, district_codes: list[str]) -> None:
    """Recompute the area totals of some districts in every year (a building moved between them)."""
    if not district_codes:
        return
    _lock(session)
    codes = sorted(set(district_codes))
    marks = ", ".join(["%s" if session.get_bind().dialect.name == "postgresql" else "?"] * len(codes))
    _temp_table(session, "rollup_areas", "year INTEGER NOT NULL, district_code VARCHAR(6) NOT NULL",
                f"SELECT DISTINCT year, district_code FROM area_month_totals WHERE district_code IN ({marks}) "
                f"UNION SELECT DISTINCT t.year, b.district_code FROM building_year_totals t "
                f"JOIN buildings b ON b.id = t.building_id WHERE b.district_code IN ({marks})",
                tuple(codes) * 2)
    _refresh_areas(session)
    _drop(session, "rollup_areas")


def _refresh_areas(session: Session) -> None:
    a, r, b = AreaMonthTotal, ConsumptionRecord, Building
    session.execute(delete(a).where(exists().where(AREAS.c.year == a.year, AREAS.c.district_code == a.district_code)))
    session.execute(insert(a).from_select(AREA_COLUMNS, _area_totals().join(
        AREAS, and_(AREAS.c.year == r.year, AREAS.c.district_code == b.district_code))))


def _drop(session: Session, *names: str) -> None:
    for name in names:
        session.connection().exec_driver_sql(f"DROP TABLE IF EXISTS {name}")


# ---------------------------------------------------------------- reads

def data_years(*, session: Session) -> list[int]:
    """Years with whole-meter consumption data, newest first (from the small district-month rollup)."""
    a = AreaMonthTotal
    return [int(y) for y in session.scalars(select(a.year).distinct().order_by(a.year.desc()))]


def area_month_totals(*, session: Session) -> pd.DataFrame:
    """Whole-meter totals per (year, month, carrier, province_code, city_code); month 0 holds annual figures.

    Columns: year, month, carrier_code, province_code, city_code, quantity, kgce_calorific, kgce_generation.
    Sub-item rows are left out (they break the whole meter down and are never added to it).
    """
    a = AreaMonthTotal
    keys = [a.year, a.month, a.carrier_code, a.province_code, a.city_code]
    stmt = (select(*keys, func.sum(a.quantity).label("quantity"), func.sum(a.kgce_calorific).label("kgce_calorific"),
                   func.sum(a.kgce_generation).label("kgce_generation"))
            .group_by(*keys))
    return pd.read_sql(stmt, session.connection())


def in_area(totals: pd.DataFrame, region_code: str | None) -> pd.DataFrame:
    """The rows of ``area_month_totals`` inside a region (membership by code prefix; None = nation)."""
    column = region_column(region_code or NATION_CODE)
    return totals if column is None else totals[totals[column] == region_code]


def monthly_trend_from(totals: pd.DataFrame, *, region_code: str | None, years, by: str | None = "carrier",
                       method: str = "calorific") -> pd.DataFrame:
    """Monthly kgce of a region for some years (annual-only figures left out), as ``monthly_trend`` gives it.

    Columns: year, month, [carrier_code,] kgce.
    """
    rows = in_area(totals, region_code)
    rows = rows[rows["year"].isin(list(years)) & (rows["month"] > 0)]
    keys = ["year", "month"] + (["carrier_code"] if by == "carrier" else [])
    out = rows.groupby(keys, as_index=False)[f"kgce_{method}"].sum().rename(columns={f"kgce_{method}": "kgce"})
    return out.sort_values(keys, ignore_index=True)


def year_totals_from(totals: pd.DataFrame, *, region_code: str | None, method: str = "calorific") -> pd.Series:
    """kgce per year of a region, monthly and annual figures together (as ``year_summary`` counts them)."""
    rows = in_area(totals, region_code)
    return rows.groupby("year")[f"kgce_{method}"].sum()
