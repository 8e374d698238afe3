"""Data-quality reads: uploads over time, finding codes, reporting completeness by region and month."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models import Building, BuildingYearTotal, Finding, Region, Upload
from app.services import rollups

MONTHS = list(range(1, 13))


def uploads_by_day(*, session: Session, uploaded_by: str | None = None) -> pd.DataFrame:
    """Per day: number of uploads and rows read, accepted and rejected."""
    day = func.date(Upload.uploaded_at).label("day")
    stmt = (
        select(day, func.count().label("uploads"), func.coalesce(func.sum(Upload.rows_read), 0).label("rows_read"),
               func.coalesce(func.sum(Upload.rows_accepted), 0).label("rows_accepted"),
               func.coalesce(func.sum(Upload.rows_rejected), 0).label("rows_rejected"))
        .group_by(day).order_by(day)
    )
    if uploaded_by is not None:
        stmt = stmt.where(Upload.uploaded_by == uploaded_by)
    frame = pd.read_sql(stmt, session.connection())
    frame["day"] = pd.to_datetime(frame["day"])
    return frame.astype({"uploads": "int64", "rows_read": "int64", "rows_accepted": "int64", "rows_rejected": "int64"})


def recent_uploads(*, session: Session, limit: int = 100, uploaded_by: str | None = None) -> pd.DataFrame:
    """The latest uploads, newest first, with their counts and status."""
    stmt = (
        select(Upload.id.label("upload_id"), Upload.filename, Upload.kind, Upload.uploaded_by, Upload.uploaded_at,
               Upload.status, Upload.rows_read, Upload.rows_accepted, Upload.rows_rejected, Upload.warnings)
        .order_by(Upload.uploaded_at.desc(), Upload.id.desc()).limit(limit)
    )
    if uploaded_by is not None:
        stmt = stmt.where(Upload.uploaded_by == uploaded_by)
    return pd.read_sql(stmt, session.connection())


def top_finding_codes(*, session: Session, limit: int = 10, uploaded_by: str | None = None) -> pd.DataFrame:
    """The most frequent finding codes with their count, severity and one message of each language."""
    stmt = (
        select(Finding.code, func.count().label("count"), func.min(Finding.severity).label("severity"),
               func.min(Finding.message_zh).label("message_zh"), func.min(Finding.message_en).label("message_en"))
        .group_by(Finding.code).order_by(func.count().desc(), Finding.code).limit(limit)
    )
    if uploaded_by is not None:
        stmt = stmt.join(Upload, Upload.id == Finding.upload_id).where(Upload.uploaded_by == uploaded_by)
    return pd.read_sql(stmt, session.connection()).astype({"count": "int64"})


def completeness_by_region_month(*, session: Session, year: int, region_codes: Sequence[str]) -> pd.DataFrame:
    """Share of each region's registered buildings with a whole-meter record in each month of ``year``.

    Regions are matched by code prefix (province_code or city_code), so overlapping regions are each
    complete in their own right. Annual figures (month 0) count for every month; a building counts
    once whatever the number of carriers it reports.
    """
    codes = list(region_codes)
    if not codes:
        return pd.DataFrame(columns=["region_code", "month", "buildings_reporting", "buildings_registered", "complete_pct"])
    conn = session.connection()
    t = BuildingYearTotal
    province_level = [c for c in codes if c.endswith("0000")]
    city_level = [c for c in codes if not c.endswith("0000")]
    registered_parts, reporting_parts = [], []
    for column, wanted in ((Building.province_code, province_level), (Building.city_code, city_level)):
        if not wanted:
            continue
        registered_parts.append(pd.read_sql(
            select(column.label("region_code"), func.count().label("buildings_registered"))
            .where(column.in_(wanted)).group_by(column), conn))
        # per building: reported in month m (bit m) or for the whole year (bit 0), over all its carriers
        per_building = (
            select(column.label("region_code"), *[
                func.max(case((t.months_mask.op("&")((1 << m) | 1) != 0, 1), else_=0)).label(f"m{m}")
                for m in MONTHS])
            .join(Building, Building.id == t.building_id)
            .where(t.year == year, t.months_reported > 0, column.in_(wanted))
            .group_by(column, t.building_id)
            .subquery()
        )
        reporting_parts.append(pd.read_sql(
            select(per_building.c.region_code, *[func.sum(per_building.c[f"m{m}"]).label(f"m{m}") for m in MONTHS])
            .group_by(per_building.c.region_code), conn))
    registered = pd.concat(registered_parts, ignore_index=True)
    reporting = pd.concat(reporting_parts, ignore_index=True).melt(
        id_vars="region_code", var_name="month", value_name="buildings_reporting")
    reporting["month"] = reporting["month"].str[1:].astype("int64")
    grid = pd.MultiIndex.from_product([codes, MONTHS], names=["region_code", "month"]).to_frame(index=False)
    frame = grid.merge(reporting, on=["region_code", "month"], how="left").merge(registered, on="region_code", how="left")
    frame["buildings_reporting"] = pd.to_numeric(frame["buildings_reporting"]).fillna(0).astype("int64")
    frame["buildings_registered"] = frame["buildings_registered"].fillna(0).astype("int64")
    registered_count = frame["buildings_registered"].where(frame["buildings_registered"] > 0)
    frame["complete_pct"] = (100.0 * frame["buildings_reporting"] / registered_count).round(1)
    return frame


def demonstration_regions(*, session: Session) -> pd.DataFrame:
    """The demonstration regions: code, names, level and climate zone, by code."""
    stmt = (select(Region.code.label("region_code"), Region.name_zh, Region.name_en, Region.level, Region.climate_zone)
            .where(Region.is_demonstration.is_(True)).order_by(Region.code))
    return pd.read_sql(stmt, session.connection())


def data_years(*, session: Session) -> list[int]:
    """The years that hold consumption data, newest first."""
    return rollups.data_years(session=session)


__all__ = [
    "completeness_by_region_month",
    "data_years",
    "demonstration_regions",
    "recent_uploads",
    "top_finding_codes",
    "uploads_by_day",
]



def upload_owner(*, session: Session, upload_id: int) -> str | None:
    """Who uploaded the file (None for an unknown upload or an anonymous one)."""
    return session.scalar(select(Upload.uploaded_by).where(Upload.id == upload_id))
