"""Headline figures for a year and a scope (the nation or one region)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from app.domain.regions import NATION_CODE
from app.services.indicators import in_region
from app.models import Building, BuildingYearTotal, Region


@dataclass(frozen=True)
class YearSummary:
    year: int
    region_code: str
    region_name_zh: str
    region_name_en: str
    buildings_registered: int
    buildings_reporting: int
    kgce_calorific: float
    kgce_generation: float

    def to_dict(self) -> dict:
        return asdict(self)


def year_summary(*, session: Session, year: int, region_code: str | None = None) -> YearSummary:
    """Buildings reporting and total kgce by both methods; each building counts once."""
    code = region_code or NATION_CODE
    region = session.get(Region, code)
    if region is None:
        raise LookupError(f"unknown region {code}")
    scope = in_region(code)
    registered = session.scalar(select(func.count()).select_from(Building).where(scope))
    t = BuildingYearTotal
    totals = session.execute(
        select(
            func.count(distinct(t.building_id)),
            func.coalesce(func.sum(t.kgce_calorific), 0.0),
            func.coalesce(func.sum(t.kgce_generation), 0.0),
        )
        .join(Building, Building.id == t.building_id)
        .where(t.year == year, t.months_reported > 0, scope)
    ).one()
    return YearSummary(
        year=year, region_code=code, region_name_zh=region.name_zh, region_name_en=region.name_en,
        buildings_registered=int(registered), buildings_reporting=int(totals[0]),
        kgce_calorific=round(float(totals[1]), 2), kgce_generation=round(float(totals[2]), 2),
    )
