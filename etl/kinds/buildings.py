"""The building registry survey: one row per building (2008 guide, table 1)."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from app import gbcodes
from app.domain.regions import city_code, climate_zones_for, province_code
from etl import load as loader
from etl.engine import Run, codes, duplicates
from etl.extract import ROW
from etl.fields import Field, SurveyKind, between
from etl.findings import WARNING
from etl.transform import parse_codes

FIRST_YEAR = 1990
MAX_FLOOR_AREA_M2 = 2_000_000
BUILDING_CODE_RE = re.compile(r"^\d{6}[A-H]\d{3,}$")


def _current_year() -> int:
    from datetime import date

    return date.today().year


def _area(name: str, required: bool = False, doc: str = "", **kw) -> Field:
    return Field(name, "number", required=required, dimension="area", unit="m2", doc=doc,
                 checks=between(0, MAX_FLOOR_AREA_M2, high_open=True, low_code="NEGATIVE"), **kw)


FIELDS = (
    Field("building_code", "custom", required=True, doc="6-digit district code + class letter + sequence"),
    Field("building_name", "text", required=True, max_length=200),
    Field("district_code", "custom", required=True, marker=True, doc="GB/T 2260 district code"),
    Field("building_class", "custom", required=True, marker=True, doc="A office ... H other"),
    Field("floor_area_m2", "number", required=True, dimension="area", unit="m2", marker=True,
          checks=between(0, MAX_FLOOR_AREA_M2, low_open=True, high_open=True)),
    _area("ac_area_m2"),
    _area("heated_area_m2"),
    Field("year_built", "integer", checks=between(1800, _current_year())),
    Field("floors", "integer", checks=between(1, 300)),
    Field("occupants", "integer", checks=between(0, 1_000_000, low_code="NEGATIVE")),
    Field("operating_hours_per_year", "number", dimension="time", unit="h", checks=between(0, 8784, low_code="NEGATIVE")),
    Field("is_government_office", "boolean"),
    Field("is_large_public", "boolean"),
    Field("benchmark_class", "custom", doc="A or B (GB/T 51161)"),
    Field("survey_year", "integer", checks=between(FIRST_YEAR, _current_year(), code="YEAR_OUT_OF_RANGE")),
    Field("external_id", "text", max_length=64, doc="the building's ID in another system",
          aliases=("外部编号", "原系统编号", "平台编号", "external id", "source id", "property id")),
    Field("external_source", "text", max_length=32, doc="that system's name (often a profile constant)",
          aliases=("外部系统", "来源系统", "external source", "source system")),
)

PRESENT_ALWAYS = ["name", "district_code", "province_code", "city_code", "climate_zone", "building_class", "floor_area_m2",
                  "is_large_public"]
PRESENT_IF_MAPPED = ("is_government_office", "ac_area_m2", "heated_area_m2", "year_built", "floors", "occupants",
                     "operating_hours_per_year", "benchmark_class", "external_source", "external_id")


def _revision(year: float) -> int | None:
    return None if np.isnan(year) else gbcodes.revision_for(int(year))


def _assign_codes(run: Run, rec: pd.DataFrame, bad: pd.Series) -> None:
    """Codes for rows without a valid one: the building of the same external ID, else district + class
    letter + the next sequence number of that district and class (2008 guide), as a notice."""
    from sqlalchemy import func, select

    from app.models import Building

    need = (rec["building_code"] == "") & ~bad & rec["building_class"].notna() & (rec["district_code"] != "")
    if not need.any():
        return
    ext = rec["external_id"].where(need, "")
    source = rec["external_source"]
    known = {}
    wanted = [e for e in pd.unique(ext.to_numpy()) if e]
    if wanted:
        known = {(s_, e): c for s_, e, c in run.session.execute(
            select(Building.external_source, Building.external_id, Building.code).where(Building.external_id.in_(wanted)))}
    given = rec["building_code"][rec["building_code"] != ""]
    in_file = given.str[7:].astype(int).groupby(given.str[:7]).max().to_dict() if not given.empty else {}
    for idx in rec.index[need]:
        code = known.get((source[idx] or None, ext[idx])) if ext[idx] else None
        if code is None:
            prefix = rec.at[idx, "district_code"] + rec.at[idx, "building_class"]
            if prefix not in run.sequences:
                top = run.session.scalar(select(func.max(Building.code)).where(Building.code.like(prefix + "%")))
                run.sequences[prefix] = max(int(top[7:]) if top and top[7:].isdigit() else 0, in_file.get(prefix, 0))
            run.sequences[prefix] += 1
            code = f"{prefix}{run.sequences[prefix]:03d}"
        rec.at[idx, "building_code"] = code
        run.flag(pd.Series(True, index=[idx]), "BUILDING_CODE_ASSIGNED", rec.loc[[idx], ROW],
                 pd.Series(code, index=[idx]), run.column_of("building_code"), severity="notice",
                 external=ext[idx] or "—")


def process(run: Run, raw: pd.DataFrame, rec: pd.DataFrame, bad: pd.Series, *, hold: bool, upload_id: int,
            stage=None) -> tuple[int, int]:
    """Cross-field checks of registry rows, then upsert (history kept for changed buildings)."""
    layout, ref = run.layout, run.ref
    rows = rec[ROW]
    code_col = run.column_of("building_code")
    code_raw = run.values(raw, "building_code")
    rec["building_code"] = codes(code_raw)
    assign = run.layout.assign_codes
    for name in ("district_code", "building_class") if assign else ("building_code", "district_code", "building_class"):
        value = run.values(raw, name)
        run.flag(value == "", "REQUIRED", rows, value, run.column_of(name), bad)
    rec["name"] = rec["building_name"]
    if assign:  # codes are assigned below, after district and class are known
        rec["building_code"] = rec["building_code"].where(rec["building_code"].str.fullmatch(BUILDING_CODE_RE.pattern), "")
    long_code = rec["building_code"].str.len() > 24
    run.flag(long_code, "BUILDING_CODE_INVALID", rows, code_raw, code_col, bad)
    odd_code = (rec["building_code"] != "") & ~long_code & ~rec["building_code"].str.fullmatch(BUILDING_CODE_RE.pattern)
    run.flag(odd_code, "BUILDING_CODE_INVALID", rows, code_raw, code_col)  # loads: a warning
    for name in ("ac_area_m2", "heated_area_m2"):
        over = rec[name] > rec["floor_area_m2"]
        run.flag(over, "AREA_INCONSISTENT", rows, run.values(raw, name), run.column_of(name), severity=WARNING)
        rec.loc[over, name] = np.nan
    district_raw = run.values(raw, "district_code")
    district = district_raw.map(lambda s: unicodedata.normalize("NFKC", s).strip() if s else s)
    revisions = rec["survey_year"].map(_revision).astype(object)
    valid = pd.Series(False, index=rec.index)
    for revision in revisions.unique():
        here = revisions.isna() if revision is None else revisions == revision
        valid[here] = district[here].isin(gbcodes.codes(revision))
    run.flag(~valid & (district != ""), "DISTRICT_INVALID", rows, district_raw, run.column_of("district_code"), bad,
             year=revisions.map(lambda r: "最新/latest" if r is None else str(r)))
    rec["district_code"] = district
    mismatch = valid & ~odd_code & (rec["building_code"].str[:6] != district)
    run.flag(mismatch, "BUILDING_CODE_DISTRICT", rows, code_raw, code_col, district=district)
    class_raw = run.values(raw, "building_class")
    cls, problem = parse_codes(class_raw, ref.classes, layout.value_aliases.get("building_class"), unknown="CLASS_UNKNOWN")
    problem[problem == "REQUIRED"] = None
    run.flag_problems(problem, rows, class_raw, run.column_of("building_class"), bad)
    rec["building_class"] = cls
    if not layout.has("is_large_public"):
        rec["is_large_public"] = rec["floor_area_m2"] > 20_000
    bclass_raw = run.values(raw, "benchmark_class")
    bclass = bclass_raw.map(lambda s: {"A": "A", "B": "B", "A类": "A", "B类": "B"}.get(
        unicodedata.normalize("NFKC", s).strip().upper()) if s else None)
    run.flag(bclass.isna() & (bclass_raw != ""), "CLASS_UNKNOWN", rows, bclass_raw, run.column_of("benchmark_class"),
             severity=WARNING)
    rec["benchmark_class"] = bclass
    rec["province_code"] = district.map(lambda d: province_code(d) if d else d)
    rec["city_code"] = district.map(lambda d: city_code(d) if d else d)
    rec["climate_zone"] = climate_zones_for(district, ref.zones)
    if assign:
        _assign_codes(run, rec, bad)
        code_raw = code_raw.where(code_raw != "", rec["building_code"])
    outside = valid & ~run.in_scope(district)
    run.flag(outside, "BUILDING_OUT_OF_SCOPE", rows, code_raw, code_col, bad, **run.scope_names())
    ok = ~bad & (rec["building_code"] != "")
    duplicates(run, rec, ["building_code"], ok, bad, "DUPLICATE_BUILDING", code_col, code_raw)
    present = PRESENT_ALWAYS + [c for c in PRESENT_IF_MAPPED if layout.has(c)]
    accepted = rec.loc[~bad].copy()
    if not layout.has("is_government_office"):
        accepted["is_government_office"] = False
        present.append("is_government_office")
    for f in FIELDS:
        if f.parser == "integer" and f.name != "survey_year":
            accepted[f.name] = accepted[f.name].astype(object).where(accepted[f.name].notna(), None)
    changed = 0
    if not hold:
        changed = loader.upsert_buildings(run.session, accepted, present, upload_id)
    return int(bad.sum()), changed


KIND = SurveyKind("buildings", FIELDS, process)
