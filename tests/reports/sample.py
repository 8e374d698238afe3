"""Hand-built report data read from tests/data, so renderer tests need no database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from app.reports.model import AnnualReportData, Note

DATA = Path(__file__).resolve().parents[1] / "data"


def sample_report(*, national: bool = False) -> AnnualReportData:
    buildings = pd.read_csv(DATA / "report_buildings.csv", dtype={"code": str, "benchmark_status": str})
    if "change_note" not in buildings:
        buildings["change_note"] = buildings["change_vs_last_year_pct"].map(
            lambda v: "本期数据不完整 incomplete year in the later period" if pd.isna(v) else None)
    total_cal = float(buildings["kgce_calorific"].sum()) / 1000
    total_gen = float(buildings["kgce_generation"].sum()) / 1000
    by_class = (
        buildings.groupby("building_class")
        .agg(buildings=("code", "size"), floor_area_m2=("floor_area_m2", "sum"),
             kgce_calorific=("kgce_calorific", "sum"))
        .reset_index()
    )
    names = {"A": "办公", "B": "商场", "C": "宾馆饭店", "D": "文化教育", "E": "医疗卫生", "F": "体育", "G": "综合"}
    by_class["class_name_zh"] = by_class["building_class"].map(names)
    by_class["class_name_en"] = by_class["building_class"]
    by_class["intensity_kwh_m2"] = by_class["kgce_calorific"] / 0.1229 / by_class["floor_area_m2"]
    by_class["comparable_kwh_m2"] = by_class["intensity_kwh_m2"] * 0.8
    by_class["constraint_kwh_m2"] = by_class["building_class"].map({"A": 55.0})
    by_class["guide_kwh_m2"] = by_class["building_class"].map({"A": 45.0})
    summary = pd.DataFrame(
        [
            ("buildings_registered", "登记建筑数", "Buildings registered", 11, "栋"),
            ("buildings_covered", "纳入统计建筑数", "Buildings covered", 10, "栋"),
            ("total_tce_calorific", "完整年度能耗合计（当量值）", "Complete-year total (calorific)", total_cal, "tce"),
            ("total_tce_generation", "完整年度能耗合计（等价值）", "Complete-year total (generation)", total_gen, "tce"),
            ("grade", "考核等级", "Assessment grade", "完成", ""),
        ],
        columns=["key", "item_zh", "item_en", "value", "unit"],
    )
    regions = None
    if national:
        regions = pd.DataFrame(
            [("110000", "北京", "Beijing", 11, 10, buildings["floor_area_m2"].sum(), total_cal * 1000, total_gen * 1000,
              80.2, -2.1, 9, 1.2e5, 55.0, 86.0, "完成")],
            columns=["region_code", "region_name_zh", "region_name_en", "buildings_registered", "buildings_reporting",
                     "floor_area_m2", "kgce_calorific", "kgce_generation", "intensity_kwh_m2",
                     "change_vs_last_year_pct", "comparable_buildings", "comparable_area_m2", "target_progress_pct",
                     "score", "grade"],
        )
    return AnnualReportData(
        year=2010,
        scope_code="000000" if national else "110000",
        scope_name_zh="全国" if national else "北京市",
        scope_name_en="China" if national else "Beijing",
        generated_at=datetime(2011, 1, 15, 9, 30, tzinfo=UTC),
        summary=summary,
        class_intensity=by_class,
        buildings=buildings,
        target_path=pd.DataFrame({"year": [2008, 2009, 2010], "path_kgce": [1.5e7, 1.45e7, 1.4e7],
                                  "actual_kgce": [1.52e7, 1.44e7, total_cal * 1000]}),
        excluded=pd.DataFrame([("110115H001", "=cmd|' /C calc'!A0", "无能耗数据", "no consumption data")],
                              columns=["code", "name", "reason_zh", "reason_en"]),
        notes=[Note("折算方法", "Conversion", "电力当量值 0.1229 kgce/kWh。",
                    "Electricity 0.1229 kgce/kWh (calorific).")],
        regions=regions,
        total_tce_calorific=total_cal,
        total_tce_generation=total_gen,
    )
