"""Headline figures for a year and a scope (the nation or one region), shared by the CLI, the API,
the dashboards and the reports.

Two named totals (app.domain.comparison.LABELS): the complete-year total, over buildings with a
complete year (what intensities and changes are built from), and all reported energy including
part years. The change against last year is on the comparable basis and says which buildings it holds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from app.domain.comparison import LABELS
from app.domain.regions import NATION_CODE
from app.models import Region
from app.services import comparison, frames
from app.services.indicators import rollup_frame

CHANGE_METHOD = "calorific"


@dataclass(frozen=True)
class YearSummary:
    year: int
    region_code: str
    region_name_zh: str
    region_name_en: str
    buildings_registered: int
    buildings_reporting: int
    buildings_complete: int
    complete_year_kgce_calorific: float
    complete_year_kgce_generation: float
    all_reported_kgce_calorific: float
    all_reported_kgce_generation: float
    complete_year_floor_area_m2: float
    change_vs_last_year: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def _round(value: Any) -> float:
    return 0.0 if value is None or pd.isna(value) else round(float(value), 2)


def year_summary(*, session: Session, year: int, region_code: str | None = None,
                 frame: pd.DataFrame | None = None) -> YearSummary:
    """Buildings registered, reporting and complete; both named totals by both methods; the change
    against last year on the comparable basis (calorific). Each building counts once."""
    code = region_code or NATION_CODE
    region = session.get(Region, code)
    if region is None:
        raise LookupError(f"unknown region {code}")
    scope = None if code == NATION_CODE else code
    if frame is None:
        frame = frames.region_frame(session=session, year=year, method=CHANGE_METHOD, region_code=scope)
    region_row = pd.DataFrame([{"code": code, "name_zh": region.name_zh, "name_en": region.name_en,
                                "level": region.level, "climate_zone": region.climate_zone}])
    row = rollup_frame(frame, region_row).set_index("region_code").loc[code]
    change = comparison.compare(session=session, year_from=year - 1, year_to=year, region_code=code,
                                method=CHANGE_METHOD, later=frame)
    return YearSummary(
        year=year, region_code=code, region_name_zh=region.name_zh, region_name_en=region.name_en,
        buildings_registered=int(row["buildings_registered"]), buildings_reporting=int(row["buildings_reporting"]),
        buildings_complete=int(row["buildings_complete"]),
        complete_year_kgce_calorific=_round(row["kgce_calorific"]),
        complete_year_kgce_generation=_round(row["kgce_generation"]),
        all_reported_kgce_calorific=_round(row["all_reported_kgce_calorific"]),
        all_reported_kgce_generation=_round(row["all_reported_kgce_generation"]),
        complete_year_floor_area_m2=_round(row["floor_area_m2"]),
        change_vs_last_year=change.to_dict(with_buildings=False),
        labels={key: {"zh": zh, "en": en} for key, (zh, en) in LABELS.items()},
    )
