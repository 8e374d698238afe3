"""What an annual report holds, independent of its output format."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from app.reports.disclosure import PublishedList

SUMMARY_COLUMNS = ["key", "item_zh", "item_en", "value", "unit"]
CLASS_COLUMNS = [
    "building_class", "class_name_zh", "class_name_en", "buildings", "floor_area_m2", "kgce_calorific",
    "intensity_kwh_m2", "comparable_kwh_m2", "constraint_kwh_m2", "guide_kwh_m2",
]
REGION_COLUMNS = [
    "region_code", "region_name_zh", "region_name_en", "buildings_registered", "buildings_reporting",
    "floor_area_m2", "kgce_calorific", "kgce_generation", "intensity_kwh_m2", "change_vs_last_year_pct",
    "comparable_buildings", "comparable_area_m2", "target_progress_pct", "score", "grade",
]
BUILDING_COLUMNS = [
    "code", "name", "building_class", "is_government_office", "is_large_public", "floor_area_m2",
    "kgce_calorific", "kgce_generation", "intensity_kwh_m2", "comparable_kwh_m2", "benchmark_status",
    "change_vs_last_year_pct", "change_note",
    "months_reported", "is_complete",
]
TARGET_PATH_COLUMNS = ["year", "path_kgce", "actual_kgce"]
EXCLUDED_COLUMNS = ["code", "name", "reason_zh", "reason_en"]


@dataclass(frozen=True)
class Note:
    """A note on method, in Chinese and English."""

    title_zh: str
    title_en: str
    text_zh: str
    text_en: str


@dataclass
class AnnualReportData:
    """Every figure, table and note of one annual report (a year and a scope).

    ``summary`` has the columns SUMMARY_COLUMNS (value is a number or a text); the other tables
    have the columns named by the *_COLUMNS constants above, numbers as numbers.
    ``regions`` is None for a regional report.
    """

    year: int
    scope_code: str
    scope_name_zh: str
    scope_name_en: str
    generated_at: datetime
    summary: pd.DataFrame
    class_intensity: pd.DataFrame
    buildings: pd.DataFrame
    target_path: pd.DataFrame
    excluded: pd.DataFrame
    notes: list[Note] = field(default_factory=list)
    regions: pd.DataFrame | None = None
    total_tce_calorific: float = 0.0
    total_tce_generation: float = 0.0
    published: PublishedList | None = None  # the published disclosure lists (能效公示) and their versions

    @property
    def is_national(self) -> bool:
        return self.scope_code == "000000"

    @property
    def title_zh(self) -> str:
        return f"{self.scope_name_zh}{self.year}年度国家机关办公建筑和大型公共建筑能效状况报告"

    @property
    def title_en(self) -> str:
        return (
            f"{self.scope_name_en} {self.year}: energy efficiency of government office "
            "and large public buildings"
        )

    def summary_value(self, key: str) -> object:
        """The summary value under ``key``."""
        rows = self.summary.loc[self.summary["key"] == key, "value"]
        if rows.empty:
            raise KeyError(key)
        return rows.iloc[0]
