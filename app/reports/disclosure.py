"""A published disclosure list as open data (CSV, XLSX) and as the annual report's published-list table.

Every row of a download names its region, year and version; the schema is in docs/disclosure.md.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
import xlsxwriter
from sqlalchemy.orm import Session

from app.models import DisclosureVersion
from app.reports.tables import neutralise
from app.domain import disclosure as rules
from app.services import disclosure as ds

# (column, Chinese header, English description) — the open-data schema, in file order.
SCHEMA: list[tuple[str, str, str]] = [
    ("region_code", "地区代码", "GB/T 2260 code of the publishing region"),
    ("region_name", "地区", "region name (Chinese)"),
    ("year", "年份", "year of the statistics"),
    ("version", "版本", "version of the published list (1, 2, ... a correction is a new version)"),
    ("published_at", "发布时间", "publication time, ISO 8601 UTC"),
    ("method", "折标方法", "kgce conversion: calorific (当量值) or generation (等价值)"),
    ("building_code", "建筑代码", "building code: district code + class letter + sequence"),
    ("name", "建筑名称", "building name"),
    ("district_code", "区县代码", "GB/T 2260 district code"),
    ("building_class", "建筑类别", "class A-H of the 2008 sub-metering guide"),
    ("building_class_name", "类别名称", "class name (Chinese)"),
    ("is_government_office", "国家机关办公建筑", "1 = government office building"),
    ("is_large_public", "大型公共建筑", "1 = large public building"),
    ("floor_area_m2", "建筑面积 (m²)", "floor area, m²"),
    ("energy_kwh_m2", "单位面积能耗 (kWh/(m²·a))", "energy intensity, kWh-equivalent per m² and year"),
    ("energy_kgce_m2", "单位面积能耗 (kgce/(m²·a))", "energy intensity, kgce per m² and year"),
    ("energy_kgce", "总能耗 (kgce)", "total energy of the year, kgce"),
    ("comparable_kwh_m2", "对标能耗强度 (kWh/(m²·a))", "GB/T 51161 comparable intensity (non-heating, corrected)"),
    ("constraint_kwh_m2", "约束值 (kWh/(m²·a))", "GB/T 51161 constraint value (empty: no benchmark)"),
    ("guide_kwh_m2", "引导值 (kWh/(m²·a))", "GB/T 51161 guide value (empty: no benchmark)"),
    ("benchmark_status", "对标状态", "better_than_guide | between | above_constraint | empty (no benchmark)"),
    ("benchmark_status_label", "对标状态说明", "the status in Chinese"),
    ("is_audited", "已审计", "1 = energy audit in or before the year"),
    ("is_comparable", "有可比基础", "1 = complete in both years, same carriers and region"),
    ("comparison_reason", "无可比基础原因", "why not comparable: a reason code, empty when comparable"),
    ("kgce_previous", "上年能耗 (kgce)", "previous year's total on the comparable basis (empty: not comparable)"),
    ("change_pct", "较上年变化 (%)", "change against the previous year, % (empty: no comparable basis)"),
]
COLUMNS = [c for c, _, _ in SCHEMA]


def version_rows(*, session: Session, version: DisclosureVersion) -> list[dict[str, Any]]:
    """The rows of a published version in the open-data schema."""
    regions = ds.region_names(session=session, codes=[version.region_code])
    classes = ds.class_names(session=session)
    region_zh = regions.get(version.region_code, (version.region_code, ""))[0]
    out = []
    for item in ds.all_items(session=session, version_id=version.id):
        row = ds.item_dict(item)
        row.update(
            region_code=version.region_code, region_name=region_zh, year=version.year, version=version.version,
            published_at=version.published_at.isoformat(timespec="seconds"), method=version.method,
            building_class_name=classes.get(item.building_class, ("", ""))[0],
            benchmark_status_label=rules.status_label(item.benchmark_status, "zh")["label"],
        )
        out.append({c: row.get(c) for c in COLUMNS})
    return out


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        return neutralise(value)
    return value


def filename(version: DisclosureVersion, ext: str) -> str:
    return f"disclosure-{version.region_code}-{version.year}-v{version.version}.{ext}"


def to_csv(*, session: Session, version: DisclosureVersion) -> bytes:
    """UTF-8 with BOM, one header row of the schema's column names; every row carries the version."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in version_rows(session=session, version=version):
        writer.writerow(["" if row[c] is None else _cell(row[c]) for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def about_rows(version: DisclosureVersion) -> list[tuple[str, str]]:
    """What the snapshot rests on: version, publication, method, benchmark edition, basis and factors."""
    rows = [
        ("region_code 地区代码", version.region_code), ("year 年份", str(version.year)),
        ("version 版本", str(version.version)),
        ("published_at 发布时间", version.published_at.isoformat(timespec="seconds")),
        ("method 折标方法", version.method), ("benchmark 标准", version.benchmark_edition),
        ("buildings 建筑数", str(version.building_count)), ("change_note 更正说明", version.change_note or ""),
        ("content_sha256", version.content_sha256),
    ]
    rows += [(f"basis.{k}", str(v)) for k, v in version.basis.items()]
    rows.append(("factor_versions 折标系数", json.dumps(version.factor_versions, ensure_ascii=False, sort_keys=True)))
    return rows


def to_xlsx(*, session: Session, version: DisclosureVersion) -> bytes:
    """Sheet 公示 Disclosure (Chinese header row, then the column names, then the data) and sheet 说明 About."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet("公示 Disclosure")
    for col, (key, zh, _en) in enumerate(SCHEMA):
        sheet.write_string(0, col, zh, bold)
        sheet.write_string(1, col, key, bold)
    for r, row in enumerate(version_rows(session=session, version=version), start=2):
        for col, key in enumerate(COLUMNS):
            value = _cell(row[key])
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, col, value)
            else:
                sheet.write_number(r, col, value)
    sheet.freeze_panes(2, 0)
    about = book.add_worksheet("说明 About")
    for r, (key, value) in enumerate(about_rows(version)):
        about.write_string(r, 0, key, bold)
        about.write_string(r, 1, neutralise(value))
    about.set_column(0, 0, 28)
    about.set_column(1, 1, 100)
    book.close()
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------- annual report
PUBLISHED_COLUMNS = ["region_code", "version", "building_code", "name", "building_class", "floor_area_m2",
                     "energy_kwh_m2", "energy_kgce_m2", "benchmark_status", "change_pct", "change_note"]


@dataclass(frozen=True)
class PublishedList:
    """The published disclosure lists of a report's scope and year, with their versions."""

    versions: list[tuple[str, int, str]]  # (region code, version, published at)
    frame: pd.DataFrame  # PUBLISHED_COLUMNS

    @property
    def label_zh(self) -> str:
        return "；".join(f"{code} 第 {v} 版（{at}）" for code, v, at in self.versions)

    @property
    def label_en(self) -> str:
        return "; ".join(f"{code} version {v} ({at})" for code, v, at in self.versions)


def published_list(*, session: Session, year: int, region_code: str | None = None) -> PublishedList | None:
    """The current published lists of the year for a region (those inside it too) or the nation; None if none."""
    versions = [v for v in ds.current_versions(session=session, year=year)
                if rules.covers(region_code, v.region_code)]
    if not versions:
        return None
    rows = []
    for v in versions:
        for item in ds.all_items(session=session, version_id=v.id):
            rows.append({
                "region_code": v.region_code, "version": v.version, "building_code": item.building_code,
                "name": item.name, "building_class": item.building_class, "floor_area_m2": item.floor_area_m2,
                "energy_kwh_m2": item.energy_kwh_m2, "energy_kgce_m2": item.energy_kgce_m2,
                "benchmark_status": item.benchmark_status,
                "change_pct": item.change_pct if item.is_comparable else None,
                "change_note": None if item.is_comparable else "无可比基础 no comparable basis",
            })
    labels = [(v.region_code, v.version, v.published_at.date().isoformat()) for v in versions]
    return PublishedList(labels, pd.DataFrame(rows, columns=PUBLISHED_COLUMNS))
