"""Plain reads: regions, the building registry, one building's record and its consumption.

Every read takes ``region_scope``: the region code of the reader (None = national scope). A scoped
reader sees the buildings whose province or city code equals the scope, and the regions inside it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from app.domain.regions import NATION_CODE
from app.models import (
    AuditCarrierTotal,
    Building,
    BuildingHistory,
    ConsumptionHistory,
    ConsumptionRecord,
    EnergyAudit,
    Region,
    RetrofitMeasure,
    Upload,
)
from app.services.indicators import in_region

BUILDING_SORTS = {
    "code": Building.code,
    "name": Building.name,
    "floor_area_m2": Building.floor_area_m2,
    "year_built": Building.year_built,
    "district_code": Building.district_code,
    "building_class": Building.building_class,
}


class ScopeError(PermissionError):
    """The reader's region scope does not cover what was asked for."""


@dataclass(frozen=True, slots=True)
class BuildingPage:
    """One page of buildings and the number matching the filters."""

    total: int
    page: int
    page_size: int
    items: list[Building]


def region_in_scope(code: str, region_scope: str | None) -> bool:
    """True when a reader with this scope may see region ``code`` (it equals or lies in the scope)."""
    if region_scope is None or region_scope == NATION_CODE:
        return True
    if code == NATION_CODE:
        return False
    if region_scope.endswith("0000"):
        return code[:2] == region_scope[:2]
    if region_scope.endswith("00"):
        return code[:4] == region_scope[:4]
    return code == region_scope


def building_in_scope(building: Building, region_scope: str | None) -> bool:
    """True when a reader with this scope may see the building."""
    if region_scope is None or region_scope == NATION_CODE:
        return True
    return region_scope in (building.province_code, building.city_code, building.district_code)


def list_regions(*, session: Session, region_scope: str | None = None, demonstration_only: bool = False) -> list[Region]:
    """Regions the reader may see, nation first, then by code."""
    stmt = select(Region).order_by((Region.code != NATION_CODE), Region.code)
    if demonstration_only:
        stmt = stmt.where(or_(Region.is_demonstration.is_(True), Region.code == NATION_CODE))
    return [r for r in session.scalars(stmt) if region_in_scope(r.code, region_scope)]


def get_region(*, session: Session, code: str, region_scope: str | None = None) -> Region | None:
    """One region, None when unknown; raises ScopeError when outside the reader's scope."""
    region = session.get(Region, code)
    if region is not None and not region_in_scope(code, region_scope):
        raise ScopeError(f"region {code} is outside scope {region_scope}")
    return region


def _building_filters(
    *,
    region_scope: str | None,
    region_code: str | None,
    building_class: str | None,
    is_government_office: bool | None,
    is_large_public: bool | None,
    q: str | None,
    codes: list[str] | None,
) -> list[ColumnElement[bool]]:
    conditions = [in_region(region_scope)]
    if region_code is not None:
        conditions.append(in_region(region_code))
    if building_class is not None:
        conditions.append(Building.building_class == building_class)
    if is_government_office is not None:
        conditions.append(Building.is_government_office.is_(is_government_office))
    if is_large_public is not None:
        conditions.append(Building.is_large_public.is_(is_large_public))
    if q:
        conditions.append(
            or_(Building.name.icontains(q, autoescape=True), Building.code.istartswith(q, autoescape=True))
        )
    if codes is not None:
        conditions.append(Building.code.in_(codes))
    return conditions


def list_buildings(
    *,
    session: Session,
    region_scope: str | None = None,
    region_code: str | None = None,
    building_class: str | None = None,
    is_government_office: bool | None = None,
    is_large_public: bool | None = None,
    q: str | None = None,
    codes: list[str] | None = None,
    sort: str = "code",
    page: int = 1,
    page_size: int = 50,
) -> BuildingPage:
    """Filtered, sorted page of buildings within the reader's scope ('-' before sort = descending)."""
    if region_code is not None and not region_in_scope(region_code, region_scope):
        raise ScopeError(f"region {region_code} is outside scope {region_scope}")
    descending = sort.startswith("-")
    column = BUILDING_SORTS.get(sort.removeprefix("-"))
    if column is None:
        raise ValueError(f"unknown sort {sort!r}; one of {', '.join(BUILDING_SORTS)}")
    conditions = _building_filters(
        region_scope=region_scope,
        region_code=region_code,
        building_class=building_class,
        is_government_office=is_government_office,
        is_large_public=is_large_public,
        q=q,
        codes=codes,
    )
    total = session.scalar(select(func.count()).select_from(Building).where(*conditions)) or 0
    order = [column.desc().nulls_last() if descending else column.asc().nulls_last()]
    if column is not Building.code:
        order.append(Building.code)
    stmt = select(Building).where(*conditions).order_by(*order).limit(page_size).offset((page - 1) * page_size)
    return BuildingPage(total=total, page=page, page_size=page_size, items=list(session.scalars(stmt)))


def get_building(*, session: Session, code: str, region_scope: str | None = None) -> Building | None:
    """One building by code, None when unknown; raises ScopeError when outside the reader's scope."""
    building = session.scalar(select(Building).where(Building.code == code))
    if building is not None and not building_in_scope(building, region_scope):
        raise ScopeError(f"building {code} is outside scope {region_scope}")
    return building


def annual_totals(*, session: Session, building_id: int) -> list[dict[str, Any]]:
    """Whole-meter totals per year and carrier (both kgce methods) with the months reported."""
    r = ConsumptionRecord
    stmt = (
        select(
            r.year,
            r.carrier_code,
            func.min(r.grain).label("grain"),
            func.count().label("periods_reported"),
            func.sum(r.quantity).label("quantity"),
            func.sum(r.kgce_calorific).label("kgce_calorific"),
            func.sum(r.kgce_generation).label("kgce_generation"),
        )
        .where(r.building_id == building_id, r.sub_item == "")
        .group_by(r.year, r.carrier_code)
        .order_by(r.year, r.carrier_code)
    )
    return [dict(row._mapping) for row in session.execute(stmt)]


def building_audits(*, session: Session, building_id: int) -> list[dict[str, Any]]:
    """The building's energy audits, each with its carrier totals and retrofit measures."""
    audits = list(
        session.scalars(select(EnergyAudit).where(EnergyAudit.building_id == building_id).order_by(EnergyAudit.audit_year))
    )
    ids = [a.id for a in audits]
    totals: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    measures: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        for t in session.scalars(select(AuditCarrierTotal).where(AuditCarrierTotal.audit_id.in_(ids))):
            totals[t.audit_id].append(_columns(t, exclude={"id", "audit_id"}))
        for m in session.scalars(
            select(RetrofitMeasure).where(RetrofitMeasure.audit_id.in_(ids)).order_by(RetrofitMeasure.name)
        ):
            measures[m.audit_id].append(_columns(m, exclude={"id", "audit_id"}))
    return [
        {**_columns(a, exclude={"building_id", "updated_at"}), "carrier_totals": totals[a.id], "measures": measures[a.id]}
        for a in audits
    ]


def building_history(*, session: Session, building_id: int, limit: int = 500) -> dict[str, list[dict[str, Any]]]:
    """Superseded attribute values and superseded consumption values, newest first."""
    attributes = session.scalars(
        select(BuildingHistory)
        .where(BuildingHistory.building_id == building_id)
        .order_by(BuildingHistory.superseded_at.desc(), BuildingHistory.id.desc())
        .limit(limit)
    )
    values = session.scalars(
        select(ConsumptionHistory)
        .where(ConsumptionHistory.building_id == building_id)
        .order_by(ConsumptionHistory.superseded_at.desc(), ConsumptionHistory.id.desc())
        .limit(limit)
    )
    return {
        "attributes": [_columns(h, exclude={"id", "building_id"}) for h in attributes],
        "consumption": [_columns(h, exclude={"id", "building_id", "record_id"}) for h in values],
    }


def consumption(
    *,
    session: Session,
    building_code: str,
    region_scope: str | None = None,
    from_period: tuple[int, int] | None = None,
    to_period: tuple[int, int] | None = None,
    carrier_code: str | None = None,
) -> list[ConsumptionRecord] | None:
    """A building's records in a (year, month) range (annual figures count when their year overlaps).

    None when the building is unknown; raises ScopeError outside the reader's scope.
    """
    building = get_building(session=session, code=building_code, region_scope=region_scope)
    if building is None:
        return None
    r = ConsumptionRecord
    conditions: list[ColumnElement[bool]] = [r.building_id == building.id]
    if carrier_code is not None:
        conditions.append(r.carrier_code == carrier_code)
    period = r.year * 100 + r.month
    if from_period is not None:
        fy, fm = from_period
        conditions.append(or_(and_(r.month == 0, r.year >= fy), and_(r.month > 0, period >= fy * 100 + fm)))
    if to_period is not None:
        ty, tm = to_period
        conditions.append(or_(and_(r.month == 0, r.year <= ty), and_(r.month > 0, period <= ty * 100 + tm)))
    stmt = select(r).where(*conditions).order_by(r.year, r.month, r.carrier_code, r.sub_item)
    return list(session.scalars(stmt))


def _columns(obj: Any, *, exclude: Collection[str] = ()) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns if c.key not in exclude}


def get_upload(*, session: Session, upload_id: int, uploaded_by: str | None = None) -> Upload | None:
    """One upload, None when unknown; with ``uploaded_by``, raises ScopeError for another user's upload."""
    upload = session.get(Upload, upload_id)
    if upload is not None and uploaded_by is not None and upload.uploaded_by != uploaded_by:
        raise ScopeError(f"upload {upload_id} belongs to another user")
    return upload
