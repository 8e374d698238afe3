"""The report's tables as every format shows them: columns with bilingual, unit-bearing headers."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from app.export import neutralise  # noqa: F401  (the one neutralising rule, app.export)
from app.reports.model import AnnualReportData

STATUS_LABELS = {
    "better_than_guide": ("优于引导值", "better than guide value"),
    "between": ("介于引导值与约束值之间", "between guide and constraint"),
    "above_constraint": ("高于约束值", "above constraint value"),
    "no_benchmark": ("无适用标准", "no applicable benchmark"),
    "not_covered": ("标准未覆盖", "not covered by GB/T 51161"),
    "incomplete": ("数据不完整", "incomplete data"),
}
YES_NO = {True: ("是", "yes"), False: ("否", "no")}


@dataclass(frozen=True)
class Column:
    """A table column: source key, Chinese and English header, kind (text, int, year, float, pct, yes_no)."""

    key: str
    zh: str
    en: str
    kind: str = "text"
    digits: int = 1


@dataclass(frozen=True)
class Table:
    """A titled table of display-ready values (numbers stay numbers, missing values are None)."""

    key: str
    title_zh: str
    title_en: str
    sheet: str
    columns: list[Column]
    frame: pd.DataFrame

    def rows(self) -> list[list[object]]:
        """Row values in column order, with NaN turned into None."""
        if self.frame.empty:
            return []
        frame = self.frame[[c.key for c in self.columns]].astype(object)
        frame = frame.where(pd.notna(frame), None)
        return frame.values.tolist()


SUMMARY = [
    Column("item_zh", "项目", "Item"),
    Column("item_en", "Item (English)", "Item (English)"),
    Column("value", "数值", "Value", "float", 2),
    Column("unit", "单位", "Unit"),
]
BY_CLASS = [
    Column("building_class", "类别代码", "Class code"),
    Column("class_name_zh", "建筑类别", "Building class"),
    Column("buildings", "建筑数", "Buildings", "int"),
    Column("floor_area_m2", "建筑面积 (m²)", "Floor area (m²)", "float", 0),
    Column("kgce_calorific", "能耗 (kgce, 当量值)", "Energy (kgce, calorific)", "float", 0),
    Column("intensity_kwh_m2", "单位面积能耗 (kWh/(m²·a))", "Intensity (kWh/(m²·a))", "float", 1),
    Column("comparable_kwh_m2", "对标能耗强度 (kWh/(m²·a))", "Comparable intensity (kWh/(m²·a))", "float", 1),
    Column("constraint_kwh_m2", "约束值 (kWh/(m²·a))", "Constraint (kWh/(m²·a))", "float", 1),
    Column("guide_kwh_m2", "引导值 (kWh/(m²·a))", "Guide (kWh/(m²·a))", "float", 1),
]
REGIONS = [
    Column("region_code", "地区代码", "Region code"),
    Column("region_name_zh", "地区", "Region"),
    Column("buildings_registered", "登记建筑数", "Buildings registered", "int"),
    Column("buildings_reporting", "统计建筑数", "Buildings reporting", "int"),
    Column("floor_area_m2", "建筑面积 (m²)", "Floor area (m²)", "float", 0),
    Column("kgce_calorific", "能耗 (kgce, 当量值)", "Energy (kgce, calorific)", "float", 0),
    Column("kgce_generation", "能耗 (kgce, 等价值)", "Energy (kgce, generation)", "float", 0),
    Column("intensity_kwh_m2", "单位面积能耗 (kWh/(m²·a))", "Intensity (kWh/(m²·a))", "float", 1),
    Column("change_vs_last_year_pct", "较上年变化 (可比口径, %)", "Change vs last year (like-for-like, %)", "pct", 1),
    Column("comparable_buildings", "可比建筑数", "Comparable buildings", "int"),
    Column("comparable_area_m2", "可比面积 (m²)", "Comparable area (m²)", "float", 0),
    Column("target_progress_pct", "目标完成 (%)", "Target reached (%)", "pct", 1),
    Column("score", "考核得分", "Assessment score", "float", 1),
    Column("grade", "考核等级", "Grade"),
]
BUILDINGS = [
    Column("code", "建筑代码", "Building code"),
    Column("name", "建筑名称", "Name"),
    Column("building_class", "类别", "Class"),
    Column("is_government_office", "国家机关办公建筑", "Government office", "yes_no"),
    Column("is_large_public", "大型公共建筑", "Large public", "yes_no"),
    Column("floor_area_m2", "建筑面积 (m²)", "Floor area (m²)", "float", 0),
    Column("kgce_calorific", "总能耗 (kgce, 当量值)", "Total (kgce, calorific)", "float", 0),
    Column("kgce_generation", "总能耗 (kgce, 等价值)", "Total (kgce, generation)", "float", 0),
    Column("intensity_kwh_m2", "单位面积能耗 (kWh/(m²·a))", "Intensity (kWh/(m²·a))", "float", 1),
    Column("comparable_kwh_m2", "对标强度 (kWh/(m²·a))", "Comparable (kWh/(m²·a))", "float", 1),
    Column("benchmark_status", "对标状态", "Benchmark status"),
    Column("change_vs_last_year_pct", "较上年变化 (%)", "Change vs last year (%)", "pct", 1),
    Column("change_note", "变化说明", "Change note"),
    Column("months_reported", "上报月数", "Months reported", "int"),
    Column("is_complete", "数据完整", "Complete data", "yes_no"),
]
TARGET_PATH = [
    Column("year", "年份", "Year", "year"),
    Column("path_kgce", "目标路径 (kgce)", "Target path (kgce)", "float", 0),
    Column("actual_kgce", "实际能耗 (kgce)", "Actual (kgce)", "float", 0),
]
EXCLUDED = [
    Column("code", "建筑代码", "Building code"),
    Column("name", "建筑名称", "Name"),
    Column("reason_zh", "排除原因", "Reason (Chinese)"),
    Column("reason_en", "Reason", "Reason"),
]


def _status_frame(buildings: pd.DataFrame) -> pd.DataFrame:
    frame = buildings.copy()
    frame["benchmark_status"] = frame["benchmark_status"].map(
        lambda s: STATUS_LABELS.get(s, (s, s))[0] if isinstance(s, str) else None
    )
    for flag in ("is_government_office", "is_large_public", "is_complete"):
        frame[flag] = frame[flag].map(lambda v: YES_NO[bool(v)][0] if pd.notna(v) else None)
    return frame


def report_tables(data: AnnualReportData, *, building_limit: int | None = None) -> list[Table]:
    """The report's tables in reading order; ``building_limit`` keeps only the largest consumers."""
    buildings = data.buildings
    if building_limit is not None and len(buildings) > building_limit:
        buildings = buildings.nlargest(building_limit, "kgce_calorific")
    tables = [
        Table("summary", "摘要", "Summary", "摘要 Summary", SUMMARY, data.summary),
        Table("by_class", "分类能耗强度与标准对比", "Intensity by class against GB/T 51161",
              "分类 By class", BY_CLASS, data.class_intensity),
    ]
    if data.regions is not None:
        tables.append(Table("regions", "各示范地区", "Demonstration regions", "地区 Regions", REGIONS, data.regions))
    title_zh, title_en = "建筑能效公示", "Building disclosure"
    if buildings is not data.buildings:
        title_zh += f"（能耗最高的 {building_limit} 栋）"
        title_en += f" (top {building_limit} consumers)"
    tables += [
        Table("buildings", title_zh, title_en, "建筑 Buildings", BUILDINGS, _status_frame(buildings)),
        Table("target_path", "节能目标路径", "Progress against the target path", "目标 Target", TARGET_PATH,
              data.target_path),
        Table("excluded", "未纳入统计的建筑", "Buildings excluded", "排除 Excluded", EXCLUDED, data.excluded),
    ]
    if data.published is not None:
        tables.append(published_table(data.published))
    return tables


PUBLISHED = [
    Column("region_code", "公示地区", "Region"),
    Column("version", "版本", "Version", "int"),
    Column("building_code", "建筑代码", "Building code"),
    Column("name", "建筑名称", "Name"),
    Column("building_class", "类别", "Class"),
    Column("floor_area_m2", "建筑面积 (m²)", "Floor area (m²)", "float", 0),
    Column("energy_kwh_m2", "单位面积能耗 (kWh/(m²·a))", "Intensity (kWh/(m²·a))", "float", 1),
    Column("energy_kgce_m2", "单位面积能耗 (kgce/(m²·a))", "Intensity (kgce/(m²·a))", "float", 2),
    Column("benchmark_status", "对标状态", "Benchmark status"),
    Column("change_pct", "较上年变化 (可比口径, %)", "Change vs last year (like-for-like, %)", "pct", 1),
    Column("change_note", "变化说明", "Change note"),
]


def published_table(published) -> Table:
    """The published disclosure list(s) of the report's scope, titled with their versions."""
    frame = _status_frame_published(published.frame)
    return Table("published", f"已发布的能效公示名单（{published.label_zh}）",
                 f"Published disclosure list ({published.label_en})", "公示 Published", PUBLISHED, frame)


def _status_frame_published(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["benchmark_status"] = out["benchmark_status"].map(
        lambda s: STATUS_LABELS.get(s, (s, s))[0] if isinstance(s, str) else None
    )
    return out
