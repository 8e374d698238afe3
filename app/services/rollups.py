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
from sqlalchemy import Select, and_, case, column, delete, exists, func, insert, literal, or_, select, table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.domain.indicators import SUB_ITEMS
from app.domain.regions import NATION_CODE, region_column
from app.models import AreaMonthTotal, Building, BuildingYearTotal, ConsumptionRecord

KEYS = table("rollup_keys", column("building_id"), column("year"), column("is_new"))
AREAS = table("rollup_areas", column("year"), column("district_code"))
COMPLETE_COVERAGE = 1 - 1e-9  # a month summed from interval readings is complete at full coverage
LOCK_ID = 7_415_031_201  # pg_advisory_xact_lock key of the rollup refresh
WORK_MEM = "128MB"  # default 4 MB spills the aggregation of a large upload to disk
TOTAL_COLUMNS = ["year", "building_id", "carrier_code", "grain", "months_reported", "months_mask", "quantity",
                 "kgce_calorific", "kgce_generation", *[f"{name}_kwh" for name in SUB_ITEMS.values()]]
AREA_COLUMNS = ["year", "month", "carrier_code", "district_code", "province_code", "city_code", "buildings",
                "quantity", "kgce_calorific", "kgce_generation"]


# ---------------------------------------------------------------- refresh

def _lock(session: Session) -> None:
    """Serialise refreshes (PostgreSQL); and let their hash aggregates stay in memory for this transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(LOCK_ID)))
        session.execute(select(func.set_config("work_mem", WORK_MEM, True)))


def _building_totals(source=None) -> Select:
    """Totals per (year, building, carrier) of ``source``: the records, or a staging table shaped like them."""
    r = source if source is not None else ConsumptionRecord.__table__
    whole = r.c.sub_item == ""
    # a month summed from interval readings that do not cover it is stored but not reported
    reported = and_(whole, or_(r.c.coverage.is_(None), r.c.coverage >= COMPLETE_COVERAGE))

    def part(value, condition):
        return func.sum(case((condition, value)))

    return (
        select(
            r.c.year, r.c.building_id, r.c.carrier_code, func.max(r.c.grain),
            func.sum(case((reported, 1), else_=0)),
            func.sum(case((reported, literal(1).op("<<")(r.c.month)), else_=0)),
            part(r.c.quantity, whole), part(r.c.kgce_calorific, whole), part(r.c.kgce_generation, whole),
            *[part(r.c.quantity, r.c.sub_item == letter) for letter in SUB_ITEMS],
        )
        .group_by(r.c.year, r.c.building_id, r.c.carrier_code)
    )


def _area_totals(source=None) -> Select:
    """Whole-meter totals per (year, month, carrier, district) of ``source`` (default: the records)."""
    r, b = (source if source is not None else ConsumptionRecord.__table__), Building
    keys = [r.c.year, r.c.month, r.c.carrier_code, b.district_code, b.province_code, b.city_code]
    return (
        select(*keys, func.count(), func.sum(r.c.quantity), func.sum(r.c.kgce_calorific), func.sum(r.c.kgce_generation))
        .join(b, b.id == r.c.building_id)
        .where(r.c.sub_item == "")
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
    """Bring the rollups in step with a merged upload whose rows are in ``stage_table``.

    A (building, year) that had no records before holds exactly the staged rows, so its totals are
    aggregated from the stage and added to its districts' totals. A (building, year) that had
    records is recomputed from the records, with every district it lies in.
    """
    _lock(session)
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql(f"ANALYZE {stage_table}")  # a temp table has no statistics of its own
    _temp_table(session, "rollup_keys",
                "building_id INTEGER NOT NULL, year INTEGER NOT NULL, is_new INTEGER NOT NULL, PRIMARY KEY (year, building_id)",
                "SELECT s.building_id, s.year, CASE WHEN EXISTS (SELECT 1 FROM building_year_totals t "
                "WHERE t.year = s.year AND t.building_id = s.building_id) THEN 0 ELSE 1 END "
                f"FROM (SELECT DISTINCT building_id, year FROM {stage_table}) s")
    _temp_table(session, "rollup_areas",
                "year INTEGER NOT NULL, district_code VARCHAR(6) NOT NULL, PRIMARY KEY (year, district_code)",
                "SELECT DISTINCT k.year, b.district_code FROM rollup_keys k JOIN buildings b ON b.id = k.building_id "
                "WHERE k.is_new = 0")
    t, r = BuildingYearTotal, ConsumptionRecord.__table__
    stage = table(stage_table, *[column(name) for name in ("building_id", "carrier_code", "year", "month", "grain",
                                                           "sub_item", "quantity", "kgce_calorific", "kgce_generation",
                                                           "coverage")])
    new = and_(KEYS.c.building_id == stage.c.building_id, KEYS.c.year == stage.c.year, KEYS.c.is_new == 1)
    old = and_(KEYS.c.building_id == r.c.building_id, KEYS.c.year == r.c.year, KEYS.c.is_new == 0)
    session.execute(delete(t).where(exists().where(KEYS.c.building_id == t.building_id, KEYS.c.year == t.year)))
    session.execute(insert(t).from_select(TOTAL_COLUMNS, _building_totals(stage).join(KEYS, new)))
    session.execute(insert(t).from_select(TOTAL_COLUMNS, _building_totals(r).join(KEYS, old)))
    _refresh_areas(session)
    _add_to_areas(session, _area_totals(stage).join(KEYS, new).where(
        ~exists().where(AREAS.c.year == stage.c.year, AREAS.c.district_code == Building.district_code)))
    _drop(session, "rollup_keys", "rollup_areas")


def _add_to_areas(session: Session, totals: Select) -> None:
    """Add ``totals`` (shaped like AREA_COLUMNS) to the stored area totals."""
    a = AreaMonthTotal
    stmt = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(a)
    stmt = stmt.from_select(AREA_COLUMNS, totals)
    added = ["buildings", "quantity", "kgce_calorific", "kgce_generation"]
    session.execute(stmt.on_conflict_do_update(
        index_elements=[a.year, a.month, a.carrier_code, a.district_code],
        set_={name: getattr(a, name) + getattr(stmt.excluded, name) for name in added}))


def refresh_districts(*, session: Session, district_codes: list[str]) -> None:
    """Recompute the area totals of some districts in every year (a building moved between them)."""
    if not district_codes:
        return
    _lock(session)
    codes = sorted(set(district_codes))
    marks = ", ".join(["%s" if session.get_bind().dialect.name == "postgresql" else "?"] * len(codes))
    _temp_table(session, "rollup_areas", "year INTEGER NOT NULL, district_code VARCHAR(6) NOT NULL, PRIMARY KEY (year, district_code)",
                f"SELECT DISTINCT year, district_code FROM area_month_totals WHERE district_code IN ({marks}) "
                f"UNION SELECT DISTINCT t.year, b.district_code FROM building_year_totals t "
                f"JOIN buildings b ON b.id = t.building_id WHERE b.district_code IN ({marks})",
                tuple(codes) * 2)
    _refresh_areas(session)
    _drop(session, "rollup_areas")


def _refresh_areas(session: Session) -> None:
    a, r, b = AreaMonthTotal, ConsumptionRecord.__table__, Building
    session.execute(delete(a).where(exists().where(AREAS.c.year == a.year, AREAS.c.district_code == a.district_code)))
    session.execute(insert(a).from_select(AREA_COLUMNS, _area_totals(r).join(
        AREAS, and_(AREAS.c.year == r.c.year, AREAS.c.district_code == b.district_code))))


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
