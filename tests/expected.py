"""Expected totals computed in the test from the stored input rows, without the services' rollups.

The rule: a building-year counts in the energy totals when every
carrier it reports is complete (an annual figure, all twelve months, or any month of district heat,
which is billed in the heating season only); only whole-meter rows (no sub-item) count. A building
belongs to a region when its province, city or district code is the region's code; the nation
('000000') holds every building once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Building, ConsumptionRecord

NATION = "000000"
SEASONAL = "district_heat"


@dataclass(frozen=True)
class Totals:
    buildings_registered: int
    buildings_reporting: int
    buildings_complete: int
    floor_area_m2: float
    kgce_calorific: float
    kgce_generation: float

    @property
    def kgce_calorific_m2(self) -> float:
        return self.kgce_calorific / self.floor_area_m2

    def kgce(self, method: str) -> float:
        return self.kgce_calorific if method == "calorific" else self.kgce_generation


def _in_region(building, region_code: str) -> bool:
    return region_code == NATION or region_code in (building.province_code, building.city_code, building.district_code)


def building_years(session: Session, *, year: int) -> dict[int, dict]:
    """Per building id: kgce by method, and whether its year is complete, from the raw records."""
    rows = session.execute(
        select(ConsumptionRecord.building_id, ConsumptionRecord.carrier_code, ConsumptionRecord.grain,
               ConsumptionRecord.month, ConsumptionRecord.kgce_calorific, ConsumptionRecord.kgce_generation)
        .where(ConsumptionRecord.year == year, ConsumptionRecord.sub_item == "")
    ).all()
    kgce: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    months: dict[int, dict[str, tuple[str, set[int]]]] = defaultdict(dict)
    for building_id, carrier, grain, month, calorific, generation in rows:
        kgce[building_id][0] += calorific
        kgce[building_id][1] += generation
        months[building_id].setdefault(carrier, (grain, set()))[1].add(month)

    def carrier_complete(carrier: str, grain: str, seen: set[int]) -> bool:
        if grain == "A" or carrier == SEASONAL:
            return len(seen) >= 1
        return len(seen) >= 12

    return {
        building_id: {
            "kgce_calorific": kgce[building_id][0],
            "kgce_generation": kgce[building_id][1],
            "is_complete": all(carrier_complete(c, g, s) for c, (g, s) in months[building_id].items()),
        }
        for building_id in kgce
    }


def region_totals(session: Session, *, year: int, region_code: str, building_class: str | None = None,
                  government_only: bool = False) -> Totals:
    """Registered, reporting and complete buildings of a region and the energy of the complete ones."""
    years = building_years(session, year=year)
    buildings = [
        b for b in session.scalars(select(Building)).all()
        if _in_region(b, region_code)
        and (building_class is None or b.building_class == building_class)
        and (not government_only or b.is_government_office)
    ]
    reporting = [b for b in buildings if b.id in years]
    complete = [b for b in reporting if years[b.id]["is_complete"]]
    return Totals(
        buildings_registered=len(buildings),
        buildings_reporting=len(reporting),
        buildings_complete=len(complete),
        floor_area_m2=sum(b.floor_area_m2 for b in complete),
        kgce_calorific=sum(years[b.id]["kgce_calorific"] for b in complete),
        kgce_generation=sum(years[b.id]["kgce_generation"] for b in complete),
    )
