"""One import: read, map, validate, transform, load and report. Serves the CLI, the API and the dashboard."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import gbcodes
from app.config import get_settings
from app.domain.regions import NATION_CODE, city_code, climate_zones_for, province_code
from app.models import Benchmark, BuildingClass, ElectricitySubItem, EnergyCarrier, Unit, Upload
from app.models import Building, Region
from app.services.reference import climate_zone_prefixes, conversion_tables, extrapolated_from
from etl import load as loader
from etl import schemas
from etl.extract import ROW, Limits, display_name, open_table
from etl.findings import ERROR, MESSAGES, WARNING, FileRejected, FindingLog, FindingOut, ImportReport, make_finding
from etl.mapping import Layout, guess_kind, header_score, load_aliases, missing_columns, norm, parse_profile, resolve
from etl.profiles import ProfileError
from etl.profiles import normalise as normalise_profile
from etl.transform import parse_booleans, parse_codes, parse_integers, parse_months, parse_numbers, parse_periods, to_kgce

Kind = Literal["buildings", "consumption", "audits"]
KINDS = ("buildings", "consumption", "audits")
CHUNK_ROWS = 250_000
# An intensity beyond these multiples of the GB/T 51161 constraint value is implausible.
INTENSITY_HIGH, INTENSITY_LOW = 3.0, 0.05
BUILDING_CODE_RE = re.compile(r"^\d{6}[A-H]\d{3,}$")
SUB_ITEM_COLUMNS = {"A": "lighting_kwh", "B": "hvac_kwh", "C": "power_kwh", "D": "special_kwh"}


# --------------------------------------------------------------------------------------------- context
@dataclass
class Reference:
    """Reference data one run needs, read once."""

    tables: Any
    carriers: dict[str, str]  # normalised name/code -> carrier code
    carrier_codes: set[str]
    units: dict[str, str]
    classes: dict[str, str]
    sub_items: dict[str, str]
    zones: dict[str, str]
    benchmarks: dict[tuple[str, str, str | None], float]

    @classmethod
    def read(cls, session: Session) -> Reference:
        aliases = load_aliases()
        carriers = dict(aliases.carriers)
        rows = session.execute(select(EnergyCarrier.code, EnergyCarrier.name_zh, EnergyCarrier.name_en)).all()
        codes = {r.code for r in rows}
        for r in rows:
            for name in (r.code, r.name_zh, r.name_en):
                carriers[norm(name)] = r.code
        carriers = {k: v for k, v in carriers.items() if v in codes}
        units = dict(aliases.units)
        for r in session.execute(select(Unit.code, Unit.name_zh, Unit.name_en)).all():
            for name in (r.code, r.name_zh, r.name_en):
                units[norm(name)] = r.code
        classes = dict(aliases.classes)
        for r in session.execute(select(BuildingClass.code, BuildingClass.name_zh, BuildingClass.name_en)).all():
            for name in (r.code, r.name_zh, r.name_en):
                classes[norm(name)] = r.code
        sub_items = dict(aliases.sub_items)
        for r in session.execute(select(ElectricitySubItem.code, ElectricitySubItem.name_zh, ElectricitySubItem.name_en)).all():
            for name in (r.code, r.name_zh, r.name_en):
                sub_items[norm(name)] = r.code
        benchmarks: dict[tuple[str, str, str | None], float] = {}
        for b in session.scalars(select(Benchmark)):
            for bc in (b.benchmark_class, None):
                key = (b.building_class, b.climate_zone, bc)
                benchmarks[key] = max(benchmarks.get(key, 0.0), b.constraint_kwh_m2)
        return cls(tables=conversion_tables(session=session), carriers=carriers, carrier_codes=codes, units=units,
                   classes=classes, sub_items=sub_items, zones=climate_zone_prefixes(session=session), benchmarks=benchmarks)


@dataclass
class Run:
    """State of one run across chunks."""

    session: Session
    kind: str
    ref: Reference
    layout: Layout
    region_scope: str | None
    findings: FindingLog = field(default_factory=FindingLog)
    rows_read: int = 0
    rejected_rows: int = 0
    warned_rows: set[int] = field(default_factory=set)
    seen_keys: dict = field(default_factory=dict)
    seen_chunks: list = field(default_factory=list)
    seen_series: dict = field(default_factory=dict)
    interned: dict = field(default_factory=dict)

    def intern(self, series: pd.Series) -> np.ndarray:
        """Small stable integers for the strings of a low-cardinality column."""
        for u in pd.unique(series.to_numpy()):
            self.interned.setdefault(u, len(self.interned))
        return series.map(self.interned).to_numpy(dtype=np.int64)

    def column_of(self, name: str) -> str:
        source = self.layout.fields.get(name)
        return source.column if source is not None and source.column else name

    def flag(self, mask: pd.Series, code: str, rows: pd.Series, values: pd.Series | None, column: str | None,
             bad: pd.Series | None = None, **params: Any) -> None:
        """Add one finding per masked record; errors mark ``bad``."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        idx = mask[mask].index
        severity = MESSAGES[code][0]
        if bad is not None and severity == ERROR:
            bad.loc[idx] = True
        if severity == WARNING:
            self.warned_rows.update(rows.loc[idx].astype(int).tolist())
        idx = idx[:self.findings.room(code, len(idx))]  # the first findings of each code are kept, all counted
        if not len(idx):
            return
        row_values = rows.loc[idx].tolist()
        raw = values.loc[idx].tolist() if values is not None else [None] * len(idx)
        per_row = {k: v.loc[idx].tolist() for k, v in params.items() if isinstance(v, pd.Series)}
        fixed = {k: v for k, v in params.items() if not isinstance(v, pd.Series)}
        for i, (row, value) in enumerate(zip(row_values, raw, strict=True)):
            extra = {k: v[i] for k, v in per_row.items()}
            list.append(self.findings, make_finding(code, row=int(row), column=column, value=value, **fixed, **extra))

    def flag_problems(self, problems: pd.Series, rows: pd.Series, values: pd.Series, column: str, bad: pd.Series,
                      **params: Any) -> None:
        for code in problems.dropna().unique():
            self.flag(problems == code, code, rows, values, column, bad, **params)

    def scope_names(self) -> dict[str, str]:
        """The region scope as people read it in messages: 沈阳（210100）, Shenyang (210100)."""
        code = self.region_scope or ""
        region = self.session.get(Region, code) if code else None
        if region is None:
            return {"scope_zh": code, "scope_en": code}
        return {"scope_zh": f"{region.name_zh}（{code}）", "scope_en": f"{region.name_en} ({code})"}

    def in_scope(self, district: pd.Series) -> pd.Series:
        scope = self.region_scope
        if not scope or scope == NATION_CODE:
            return pd.Series(True, index=district.index)
        if scope.endswith("0000"):
            return district.str[:2] == scope[:2]
        if scope.endswith("00"):
            return district.str[:4] == scope[:4]
        return district == scope


def _field(raw: pd.DataFrame, layout: Layout, name: str) -> pd.Series:
    source = layout.fields.get(name)
    if source is None:
        return pd.Series("", index=raw.index, dtype=object)
    if source.column is not None:
        return raw[source.column].astype(object)
    return pd.Series("" if source.constant is None else str(source.constant).strip(), index=raw.index, dtype=object)


def _codes(series: pd.Series) -> pd.Series:
    uniques = pd.unique(series.to_numpy())
    return series.map({u: unicodedata.normalize("NFKC", u).strip().upper() if u else u for u in uniques})


def _lookup_buildings(session: Session, codes: pd.Series) -> pd.DataFrame:
    """id, district, class, floor area, zone and benchmark class of the coded buildings (one query per chunk)."""
    unique = [c for c in codes.unique().tolist() if c]
    rows = []
    for batch in loader.batched(unique):
        rows += session.execute(select(Building.code, Building.id, Building.district_code, Building.building_class,
                                       Building.floor_area_m2, Building.climate_zone, Building.benchmark_class)
                                .where(Building.code.in_(batch))).all()
    return pd.DataFrame(rows, columns=["code", "building_id", "district_code", "building_class", "floor_area_m2",
                                       "climate_zone", "benchmark_class"]).set_index("code")


def _check_buildings(run: Run, rec: pd.DataFrame, bad: pd.Series, column: str) -> pd.DataFrame:
    """Join building attributes onto records; unknown and out-of-scope buildings are errors."""
    info = _lookup_buildings(run.session, rec["building_code"])
    joined = info.reindex(rec["building_code"]).set_index(rec.index)
    unknown = joined["building_id"].isna() & (rec["building_code"] != "")
    run.flag(unknown, "BUILDING_UNKNOWN", rec[ROW], rec["building_code"], column, bad)
    outside = joined["building_id"].notna() & ~run.in_scope(joined["district_code"].fillna(""))
    run.flag(outside, "BUILDING_OUT_OF_SCOPE", rec[ROW], rec["building_code"], column, bad, **run.scope_names())
    return joined


def _benchmark_limit(run: Run, joined: pd.DataFrame) -> pd.Series:
    attrs = joined[["building_class", "climate_zone", "benchmark_class"]].astype(object)
    key = attrs["building_class"].fillna("") + "|" + attrs["climate_zone"].fillna("") + "|" + attrs["benchmark_class"].fillna("")
    table = {}
    for k in pd.unique(key.to_numpy()):
        cls, zone, bc = k.split("|")
        table[k] = run.ref.benchmarks.get((cls, zone, bc if bc in ("A", "B") else None), np.nan)
    return key.map(table).astype("float64")


def _key_code(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    return pd.Series(list(zip(*[frame[c] for c in columns], strict=True)), index=frame.index)


def _duplicates(run: Run, rec: pd.DataFrame, key_columns: list[str], ok: pd.Series, bad: pd.Series, code: str,
                column: str | None, values: pd.Series) -> None:
    """Second and later records with a key already seen in this file (this or an earlier chunk)."""
    sub = rec.loc[ok, key_columns]
    if sub.empty:
        return
    keys = _key_code(sub, key_columns)
    first_in_chunk = ~keys.duplicated(keep="first")
    earlier = keys.map(run.seen_keys)
    first_row = earlier.copy()
    dup_chunk = ~first_in_chunk
    if dup_chunk.any():
        first_rows = rec.loc[sub.index, ROW].groupby(keys).transform("first")
        first_row[dup_chunk & earlier.isna()] = first_rows[dup_chunk & earlier.isna()]
    dup = earlier.notna() | dup_chunk
    run.flag(dup.reindex(rec.index, fill_value=False), code, rec[ROW], values, column, bad,
             first_row=first_row.reindex(rec.index).fillna(0).astype(int))
    new = first_in_chunk & earlier.isna()
    run.seen_keys.update(zip(keys[new], rec.loc[keys[new].index, ROW], strict=True))


def _record_keys(run: Run, frame: pd.DataFrame, with_period: bool = True) -> np.ndarray:
    """int64 key of (building, carrier, year[, month, sub_item]) for consumption records."""
    key = frame["building_id"].to_numpy(dtype=np.int64) * 64 + run.intern(frame["carrier_code"]) % 64
    key = key * 512 + (frame["year"].to_numpy(dtype=np.int64) - 1800)
    if with_period:
        key = (key * 16 + frame["month"].to_numpy(dtype=np.int64)) * 8 + run.intern(frame["sub_item"]) % 8
    return key


def _extrapolated_factor_notices(run: Run, rec: pd.DataFrame, ok: pd.Series, rows: pd.Series) -> None:
    """One notice per year past the electricity factor table (the latest published value is used)."""
    electricity = ok & rec["carrier_code"].eq("electricity")
    for year in sorted(rec.loc[electricity, "year"].dropna().astype(int).unique()):
        source_year = extrapolated_from(run.ref.tables, carrier_code="electricity", year=int(year), method="generation")
        if source_year is not None:
            first = electricity & rec["year"].eq(year)
            first &= ~first.cumsum().gt(1)
            run.flag(first, "FACTOR_EXTRAPOLATED", rows, rec["year"], run.column_of("year"), year=int(year),
                     source_year=source_year)


def _record_duplicates(run: Run, rec: pd.DataFrame, ok: pd.Series, bad: pd.Series) -> None:
    """Consumption records whose key appeared earlier in the file; sorted key arrays per chunk bound memory."""
    sub = rec.loc[ok]
    if sub.empty:
        return
    keys = _record_keys(run, sub)
    rows = sub[ROW].to_numpy(dtype=np.int64)
    first = np.full(len(keys), -1, dtype=np.int64)
    for seen, seen_rows in run.seen_chunks:
        pos = np.minimum(np.searchsorted(seen, keys), len(seen) - 1)
        hit = (seen[pos] == keys) & (first < 0)
        first[hit] = seen_rows[pos[hit]]
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    repeat = np.zeros(len(keys), dtype=bool)
    repeat[order[1:]] = sorted_keys[1:] == sorted_keys[:-1]
    if repeat.any():
        firsts = pd.Series(rows).groupby(keys).transform("first").to_numpy()
        first = np.where((first < 0) & repeat, firsts, first)
    dup = pd.Series(first >= 0, index=sub.index)
    run.flag(dup.reindex(rec.index, fill_value=False), "DUPLICATE_KEY", rec[ROW], rec["code_raw"], None, bad,
             first_row=pd.Series(first, index=sub.index).reindex(rec.index).fillna(0).astype(int))
    fresh = first < 0
    uniq_keys, idx = np.unique(keys[fresh], return_index=True)
    if len(uniq_keys):  # a chunk of repeats only adds no keys; an empty array cannot be searched
        run.seen_chunks.append((uniq_keys, rows[fresh][idx]))


# --------------------------------------------------------------------------------------------- consumption
def _consumption_records(raw: pd.DataFrame, layout: Layout) -> pd.DataFrame:
    base = pd.DataFrame({ROW: raw[ROW], "code_raw": _field(raw, layout, "building_code"),
                         "period_raw": _field(raw, layout, "period"), "year_raw": _field(raw, layout, "year"),
                         "month_raw": _field(raw, layout, "month"), "density_raw": _field(raw, layout, "density_kg_per_l")})
    if layout.wide:
        parts = []
        for wc in layout.wide:
            part = base.copy()
            part["carrier_raw"] = wc.carrier
            part["qty_raw"] = raw[wc.column].astype(object)
            part["unit_raw"] = wc.unit or ""
            part["sub_raw"] = wc.sub_item
            part["qty_col"] = wc.column
            parts.append(part[part["qty_raw"] != ""])
        return pd.concat(parts, ignore_index=True) if parts else base.iloc[0:0]
    base["carrier_raw"] = _field(raw, layout, "carrier")
    base["qty_raw"] = _field(raw, layout, "quantity")
    unit = _field(raw, layout, "unit")
    header_unit = layout.fields["quantity"].unit if layout.has("quantity") else None
    if header_unit:
        unit = unit.where(unit != "", header_unit)
    base["unit_raw"] = unit
    base["sub_raw"] = _field(raw, layout, "sub_item")
    base["qty_col"] = layout.fields["quantity"].column or "quantity" if layout.has("quantity") else "quantity"
    return base.reset_index(drop=True)


def _consumption_chunk(run: Run, raw: pd.DataFrame, stage: loader.ConsumptionStage | None) -> tuple[int, pd.DataFrame]:
    layout, ref = run.layout, run.ref
    rec = _consumption_records(raw, layout)
    rows = rec[ROW]
    bad = pd.Series(False, index=rec.index)
    code_col = run.column_of("building_code")
    rec["building_code"] = _codes(rec["code_raw"])
    run.flag(rec["building_code"] == "", "REQUIRED", rows, rec["code_raw"], code_col, bad)
    if layout.has("period"):
        year, month, problem = parse_periods(rec["period_raw"])
        run.flag_problems(problem, rows, rec["period_raw"], run.column_of("period"), bad)
    else:
        year, problem = parse_integers(rec["year_raw"])
        problem[rec["year_raw"] == ""] = "REQUIRED"
        run.flag_problems(problem, rows, rec["year_raw"], run.column_of("year"), bad)
        month, mproblem = parse_months(rec["month_raw"])
        run.flag_problems(mproblem, rows, rec["month_raw"], run.column_of("month"), bad)
    rec["year"], rec["month"] = year, month
    carrier, problem = parse_codes(rec["carrier_raw"], ref.carriers, layout.value_aliases.get("carrier"), unknown="CARRIER_UNKNOWN")
    run.flag_problems(problem, rows, rec["carrier_raw"], run.column_of("carrier"), bad)
    rec["carrier_code"] = carrier
    unit, problem = parse_codes(rec["unit_raw"], ref.units, layout.value_aliases.get("unit"), unknown="UNIT_UNKNOWN")
    run.flag_problems(problem, rows, rec["unit_raw"], run.column_of("unit"), bad)
    rec["unit"] = unit
    qty, problem = parse_numbers(rec["qty_raw"])
    problem[rec["qty_raw"] == ""] = "REQUIRED"
    for col in rec["qty_col"].unique():
        here = rec["qty_col"] == col
        run.flag_problems(problem.where(here), rows, rec["qty_raw"], col, bad)
    rec["quantity_reported"] = qty
    sub = rec["sub_raw"]
    sub_code = pd.Series("", index=rec.index, dtype=object)
    given = sub != ""
    if given.any():
        mapped, _ = parse_codes(sub[given], ref.sub_items, required=False)
        sub_code[given] = mapped
    bad_sub = (given & sub_code.isna()) | ((sub_code.fillna("") != "") & (rec["carrier_code"] != "electricity"))
    run.flag(bad_sub, "SUB_ITEM_INVALID", rows, sub, run.column_of("sub_item"), bad)
    rec["sub_item"] = sub_code.fillna("")
    density, problem = parse_numbers(rec["density_raw"])
    rec["density_kg_per_l"] = density

    fails = schemas.failures(schemas.ConsumptionRow, rec[["year", "month", "quantity_reported"]])
    for (code, column), group in fails.groupby(["code", "column"]):
        mask = rec.index.isin(group["index"])
        src = {"year": "period" if layout.has("period") else "year", "month": "period" if layout.has("period") else "month"}.get(column)
        values = rec["period_raw"] if src == "period" else rec.get(f"{src}_raw", rec["qty_raw"]) if src else rec["qty_raw"]
        col_name = run.column_of(src) if src else None
        if column == "quantity_reported":
            for col in rec["qty_col"].unique():
                run.flag(pd.Series(mask, index=rec.index) & (rec["qty_col"] == col), code, rows, values, col, bad,
                         range=group["range"].iloc[0], limit=f"{schemas.ABSURD_QUANTITY:g}")
        else:
            run.flag(pd.Series(mask, index=rec.index), code, rows, values, col_name, bad,
                     range=group["range"].iloc[0])

    joined = _check_buildings(run, rec, bad, code_col)
    rec["building_id"] = joined["building_id"]

    ok = ~bad
    if ok.any():
        conv_in = rec.loc[ok, ["carrier_code", "year", "unit", "density_kg_per_l"]].assign(quantity=rec.loc[ok, "quantity_reported"])
        out, problem = to_kgce(conv_in, ref.tables)
        problem = problem.reindex(rec.index)
        run.flag_problems(problem, rows, rec["unit_raw"].where(problem != "FACTOR_MISSING", rec["carrier_code"]),
                          run.column_of("unit"), bad, unit=rec["carrier_code"].map(dict(zip(ref.tables.carriers["code"], ref.tables.carriers["canonical_unit"], strict=True))),
                          year=rec["year"].fillna(0).astype(int))
        _extrapolated_factor_notices(run, rec, ok & ~bad, rows)
        rec["quantity"] = out["quantity_canonical"].reindex(rec.index)
        rec["kgce_calorific"] = out["kgce_calorific"].reindex(rec.index)
        rec["kgce_generation"] = out["kgce_generation"].reindex(rec.index)
    ok = ~bad
    rec["grain"] = np.where(rec["month"] == 0, "A", "M")
    _record_duplicates(run, rec, ok, bad)
    ok = ~bad
    _grain_checks(run, rec, ok, bad)
    ok = ~bad
    _intensity_warnings(run, rec, joined, ok)

    bad_rows = set(rec.loc[bad, ROW].tolist())
    accepted = rec[~rec[ROW].isin(bad_rows)]
    accepted = accepted.assign(building_id=accepted["building_id"].astype("int64"), year=accepted["year"].astype("int64"),
                               month=accepted["month"].astype("int64"), unit_reported=accepted["unit"])
    if stage is not None:
        stage.add(accepted)
    return len(bad_rows), accepted


def _grain_checks(run: Run, rec: pd.DataFrame, ok: pd.Series, bad: pd.Series) -> None:
    sub = rec.loc[ok]
    if sub.empty:
        return
    keys = pd.Series(_record_keys(run, sub, with_period=False), index=sub.index)
    stored = loader.series_grains(run.session, sorted(set(sub["building_id"].astype(int))))
    if stored.empty:
        db_grain = pd.Series(None, index=sub.index, dtype=object)
    else:
        stored_keys = _record_keys(run, stored, with_period=False)
        db_grain = keys.map(dict(zip(stored_keys.tolist(), stored["grain"], strict=True)))
    grain = sub["grain"]
    conflict = db_grain.notna() & (db_grain != grain)
    zh = {"A": "年度", "M": "月度"}
    en = {"A": "annual", "M": "monthly"}
    run.flag(conflict.reindex(rec.index, fill_value=False), "GRAIN_CONFLICT", rec[ROW], rec["carrier_code"], None, bad,
             year=rec["year"].fillna(0).astype(int), grain_zh=db_grain.map(zh).reindex(rec.index),
             other_zh=rec["grain"].map(zh), grain_en=db_grain.map(en).reindex(rec.index), other_en=rec["grain"].map(en))
    firsts = grain[~keys.duplicated(keep="first")]
    for k, g in zip(keys[firsts.index].tolist(), firsts.tolist(), strict=True):
        run.seen_series.setdefault(k, g)
    expected = keys.map(run.seen_series)
    mixed = ~conflict & (expected != grain)
    run.flag(mixed.reindex(rec.index, fill_value=False), "GRAIN_MIXED", rec[ROW], rec["carrier_code"], None, bad)


def _intensity_warnings(run: Run, rec: pd.DataFrame, joined: pd.DataFrame, ok: pd.Series) -> None:
    elec = ok & (rec["carrier_code"] == "electricity") & (rec["sub_item"] == "")
    if not elec.any():
        return
    area = joined.loc[elec, "floor_area_m2"]
    annualised = rec.loc[elec, "quantity"] * np.where(rec.loc[elec, "month"] == 0, 1, 12)
    intensity = annualised / area
    limit = _benchmark_limit(run, joined.loc[elec])
    odd = limit.notna() & ((intensity > INTENSITY_HIGH * limit) | ((rec.loc[elec, "month"] == 0) & (intensity < INTENSITY_LOW * limit)))
    run.flag(odd.reindex(rec.index, fill_value=False), "INTENSITY_IMPLAUSIBLE", rec[ROW],
             intensity.round(1).reindex(rec.index), None, limit=limit.reindex(rec.index))


# --------------------------------------------------------------------------------------------- buildings
def _revision(year: float) -> int | None:
    return None if np.isnan(year) else gbcodes.revision_for(int(year))


BUILDING_COLUMNS = ["name", "district_code", "province_code", "city_code", "climate_zone", "building_class",
                    "is_government_office", "is_large_public", "floor_area_m2", "ac_area_m2", "heated_area_m2",
                    "year_built", "floors", "occupants", "operating_hours_per_year", "benchmark_class"]
NUMERIC_BUILDING = ["floor_area_m2", "ac_area_m2", "heated_area_m2", "year_built", "floors", "occupants",
                    "operating_hours_per_year", "survey_year"]
INTEGER_BUILDING = {"year_built", "floors", "occupants", "survey_year"}


def _buildings_chunk(run: Run, raw: pd.DataFrame, dry_run: bool, upload_id: int) -> tuple[int, int]:
    layout, ref = run.layout, run.ref
    aliases = load_aliases()
    rec = pd.DataFrame({ROW: raw[ROW]})
    rows = rec[ROW]
    bad = pd.Series(False, index=rec.index)
    code_col = run.column_of("building_code")
    code_raw = _field(raw, layout, "building_code")
    rec["building_code"] = _codes(code_raw)
    for name in ("building_code", "building_name", "district_code", "building_class", "floor_area_m2"):
        value = _field(raw, layout, name)
        run.flag(value == "", "REQUIRED", rows, value, run.column_of(name), bad)
    rec["name"] = _field(raw, layout, "building_name").str.slice(0, 200)
    long_code = rec["building_code"].str.len() > 24
    run.flag(long_code, "BUILDING_CODE_INVALID", rows, code_raw, code_col, bad)
    odd_code = (rec["building_code"] != "") & ~long_code & ~rec["building_code"].str.fullmatch(BUILDING_CODE_RE.pattern)
    run.flag(odd_code, "BUILDING_CODE_INVALID", rows, code_raw, code_col)
    for name in NUMERIC_BUILDING:
        value = _field(raw, layout, name)
        parsed, problem = (parse_integers if name in INTEGER_BUILDING else parse_numbers)(value)
        run.flag_problems(problem, rows, value, run.column_of(name), bad)
        rec[name] = parsed
    fails = schemas.failures(schemas.BuildingRow, rec)
    for (code, column), group in fails.groupby(["code", "column"]):
        mask = pd.Series(rec.index.isin(group["index"]), index=rec.index)
        run.flag(mask, code, rows, _field(raw, layout, column), run.column_of(column), bad,
                 range=group["range"].iloc[0])
    for name in ("ac_area_m2", "heated_area_m2"):
        over = rec[name] > rec["floor_area_m2"]
        run.flag(over, "AREA_INCONSISTENT", rows, _field(raw, layout, name), run.column_of(name), bad)
    district_raw = _field(raw, layout, "district_code")
    district = district_raw.map(lambda s: unicodedata.normalize("NFKC", s).strip() if s else s)
    revisions = rec["survey_year"].map(_revision).astype(object)
    valid = pd.Series(False, index=rec.index)
    for revision in revisions.unique():
        here = revisions.isna() if revision is None else revisions == revision
        codes = gbcodes.codes(revision)
        valid[here] = district[here].isin(codes)
    run.flag(~valid & (district != ""), "DISTRICT_INVALID", rows, district_raw, run.column_of("district_code"), bad,
             year=revisions.map(lambda r: "最新/latest" if r is None else str(r)))
    rec["district_code"] = district
    mismatch = valid & ~odd_code & (rec["building_code"].str[:6] != district)
    run.flag(mismatch, "BUILDING_CODE_DISTRICT", rows, code_raw, code_col, district=district)
    cls, problem = parse_codes(_field(raw, layout, "building_class"), ref.classes, layout.value_aliases.get("building_class"),
                               unknown="CLASS_UNKNOWN")
    problem[problem == "REQUIRED"] = None
    run.flag_problems(problem, rows, _field(raw, layout, "building_class"), run.column_of("building_class"), bad)
    rec["building_class"] = cls
    for name in ("is_government_office", "is_large_public"):
        value = _field(raw, layout, name)
        parsed, problem = parse_booleans(value, aliases.booleans)
        run.flag_problems(problem, rows, value, run.column_of(name), bad)
        rec[name] = parsed
    if not layout.has("is_large_public"):
        rec["is_large_public"] = rec["floor_area_m2"] > 20_000
    bclass_raw = _field(raw, layout, "benchmark_class")
    bclass = bclass_raw.map(lambda s: {"A": "A", "B": "B", "A类": "A", "B类": "B"}.get(unicodedata.normalize("NFKC", s).strip().upper()) if s else None)
    run.flag(bclass.isna() & (bclass_raw != ""), "CLASS_UNKNOWN", rows, bclass_raw, run.column_of("benchmark_class"), bad)
    rec["benchmark_class"] = bclass
    rec["province_code"] = district.map(lambda d: province_code(d) if d else d)
    rec["city_code"] = district.map(lambda d: city_code(d) if d else d)
    rec["climate_zone"] = climate_zones_for(district, ref.zones)
    outside = valid & ~run.in_scope(district)
    run.flag(outside, "BUILDING_OUT_OF_SCOPE", rows, code_raw, code_col, bad, **run.scope_names())
    ok = ~bad & (rec["building_code"] != "")
    _duplicates(run, rec, ["building_code"], ok, bad, "DUPLICATE_BUILDING", code_col, code_raw)
    present = ["name", "district_code", "province_code", "city_code", "climate_zone", "building_class", "floor_area_m2",
               "is_large_public"]
    present += [c for c in ("is_government_office", "ac_area_m2", "heated_area_m2", "year_built", "floors", "occupants",
                            "operating_hours_per_year", "benchmark_class") if layout.has(c)]
    accepted = rec.loc[~bad].copy()
    if not layout.has("is_government_office"):
        accepted["is_government_office"] = False
    for name in INTEGER_BUILDING - {"survey_year"}:
        accepted[name] = accepted[name].astype(object).where(accepted[name].notna(), None)
    changed = 0
    if not dry_run:
        if not layout.has("is_government_office"):
            present.append("is_government_office")
        changed = loader.upsert_buildings(run.session, accepted, present, upload_id)
    return int(bad.sum()), changed


# --------------------------------------------------------------------------------------------- audits
AUDIT_NUMERIC = ["occupants", "operating_hours_per_year", "investment_10k_cny", "expected_saving_tce", "payback_years"]


def _audits_chunk(run: Run, raw: pd.DataFrame, dry_run: bool, upload_id: int) -> tuple[int, int]:
    layout, ref = run.layout, run.ref
    rec = pd.DataFrame({ROW: raw[ROW]})
    rows = rec[ROW]
    bad = pd.Series(False, index=rec.index)
    code_col = run.column_of("building_code")
    code_raw = _field(raw, layout, "building_code")
    rec["building_code"] = _codes(code_raw)
    for name in ("building_code", "audit_year", "auditor"):
        value = _field(raw, layout, name)
        run.flag(value == "", "REQUIRED", rows, value, run.column_of(name), bad)
    year_raw = _field(raw, layout, "audit_year")
    year, problem = parse_integers(year_raw)
    problem[year_raw == ""] = None
    run.flag_problems(problem, rows, year_raw, run.column_of("audit_year"), bad)
    rec["audit_year"] = year
    rec["auditor"] = _field(raw, layout, "auditor").str.slice(0, 200)
    for name in AUDIT_NUMERIC:
        value = _field(raw, layout, name)
        parsed, problem = (parse_integers if name == "occupants" else parse_numbers)(value)
        run.flag_problems(problem, rows, value, run.column_of(name), bad)
        rec[name] = parsed
    fails = schemas.failures(schemas.AuditRow, rec)
    for (code, column), group in fails.groupby(["code", "column"]):
        mask = pd.Series(rec.index.isin(group["index"]), index=rec.index)
        run.flag(mask, code, rows, _field(raw, layout, column), run.column_of(column), bad,
                 range=group["range"].iloc[0])
    joined = _check_buildings(run, rec, bad, code_col)
    rec["building_id"] = joined["building_id"]
    rec["measure_name"] = _field(raw, layout, "measure_name").str.slice(0, 200)
    rec["measure_category"] = _field(raw, layout, "measure_category").str.slice(0, 64)
    measure_data = (rec[["investment_10k_cny", "expected_saving_tce", "payback_years"]].notna().any(axis=1)
                    | (rec["measure_category"] != ""))
    run.flag(measure_data & (rec["measure_name"] == ""), "MEASURE_INCOMPLETE", rows, None, run.column_of("measure_name"), bad)

    # carrier totals and sub-items from wide columns, converted like consumption
    parts = []
    for wc in layout.wide:
        cell = raw[wc.column].astype(object)
        part = pd.DataFrame({"rec_index": rec.index, ROW: rows, "carrier_code": wc.carrier, "sub_item": wc.sub_item,
                             "unit_raw": wc.unit or "", "qty_raw": cell, "col": wc.column})
        parts.append(part[part["qty_raw"] != ""])
    totals = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["rec_index", ROW, "carrier_code", "sub_item", "unit_raw", "qty_raw", "col"])
    if not totals.empty:
        qty, problem = parse_numbers(totals["qty_raw"])
        unit, uproblem = parse_codes(totals["unit_raw"], ref.units, unknown="UNIT_UNKNOWN")
        problem = problem.fillna(uproblem)
        tbad = pd.Series(False, index=totals.index)
        for col in totals["col"].unique():
            run.flag_problems(problem.where(totals["col"] == col), totals[ROW], totals["qty_raw"], col, tbad)
        negative = qty < 0
        run.flag(negative, "NEGATIVE", totals[ROW], totals["qty_raw"], None, tbad)
        totals["quantity_reported"], totals["unit"] = qty, unit
        totals["year"] = rec.loc[totals["rec_index"], "audit_year"].to_numpy()
        usable = ~tbad & totals["year"].notna() & totals["carrier_code"].isin(ref.carrier_codes)
        run.flag(~totals["carrier_code"].isin(ref.carrier_codes), "CARRIER_UNKNOWN", totals[ROW], totals["col"], None, tbad)
        if usable.any():
            out, cproblem = to_kgce(totals.loc[usable].assign(quantity=totals.loc[usable, "quantity_reported"]), ref.tables)
            cproblem = cproblem.reindex(totals.index)
            run.flag_problems(cproblem, totals[ROW], totals["unit_raw"], None, tbad, unit="")
            totals["quantity"] = out["quantity_canonical"].reindex(totals.index)
            totals["kgce_calorific"] = out["kgce_calorific"].reindex(totals.index)
            totals["kgce_generation"] = out["kgce_generation"].reindex(totals.index)
        bad.loc[totals.loc[tbad, "rec_index"].unique()] = True
        totals = totals[~tbad & usable]

    # an audit is accepted whole: one bad row rejects every row of its (building, year)
    group_key = _key_code(rec, ["building_code", "audit_year"])
    bad_groups = set(group_key[bad])
    bad |= group_key.isin(bad_groups)
    ok = ~bad
    _duplicates(run, rec.assign(_m=rec["measure_name"]), ["building_id", "audit_year", "_m"],
                ok & (rec["measure_name"] != ""), bad, "DUPLICATE_KEY", run.column_of("measure_name"), rec["measure_name"])
    ok = ~bad
    good = rec[ok].copy()
    audit_columns = ["auditor", "occupants", "operating_hours_per_year", "electricity_kwh", "lighting_kwh", "hvac_kwh",
                     "power_kwh", "special_kwh", "total_kgce_calorific", "total_kgce_generation"]
    if good.empty:
        return int(bad.sum()), 0
    good["building_id"] = good["building_id"].astype(int)
    good["audit_year"] = good["audit_year"].astype(int)
    audits = good.groupby(["building_id", "audit_year"], as_index=False).agg(
        auditor=("auditor", lambda s: next((v for v in s if v), "")), occupants=("occupants", "first"),
        operating_hours_per_year=("operating_hours_per_year", "first"), _row=(ROW, "first"))
    t = totals[totals["rec_index"].isin(good.index)].copy() if not totals.empty else totals
    if not t.empty:
        t["building_id"] = good.loc[t["rec_index"], "building_id"].to_numpy()
        t["audit_year"] = good.loc[t["rec_index"], "audit_year"].to_numpy()
        t = t.drop_duplicates(["building_id", "audit_year", "carrier_code", "sub_item"], keep="first")
        whole = t[t["sub_item"] == ""]
        sums = whole.groupby(["building_id", "audit_year"])[["kgce_calorific", "kgce_generation"]].sum()
        audits = audits.join(sums.rename(columns={"kgce_calorific": "total_kgce_calorific",
                                                  "kgce_generation": "total_kgce_generation"}), on=["building_id", "audit_year"])
        elec = whole[whole["carrier_code"] == "electricity"].set_index(["building_id", "audit_year"])["quantity"]
        audits["electricity_kwh"] = audits.set_index(["building_id", "audit_year"]).index.map(elec.to_dict())
        for item, column in SUB_ITEM_COLUMNS.items():
            part = t[t["sub_item"] == item].set_index(["building_id", "audit_year"])["quantity"]
            audits[column] = audits.set_index(["building_id", "audit_year"]).index.map(part.to_dict())
        totals_out = whole.assign(unit_reported=whole["unit"])
    else:
        totals_out = pd.DataFrame()
    for column in audit_columns:
        if column not in audits:
            audits[column] = np.nan
    sub_sum = audits[list(SUB_ITEM_COLUMNS.values())].sum(axis=1, min_count=1)
    over = sub_sum > audits["electricity_kwh"] * 1.001
    run.flag(over, "SUB_ITEMS_EXCEED_TOTAL", audits[ROW], sub_sum.round(1), None, limit=audits["electricity_kwh"].round(1))
    info = joined.loc[good.index].assign(building_id=good["building_id"]).drop_duplicates("building_id").set_index("building_id")
    area = audits["building_id"].map(info["floor_area_m2"])
    limit = _benchmark_limit(run, info.reindex(audits["building_id"]).set_index(audits.index))
    intensity = audits["electricity_kwh"] / area
    odd = limit.notna() & ((intensity > INTENSITY_HIGH * limit) | (intensity < INTENSITY_LOW * limit))
    run.flag(odd, "INTENSITY_IMPLAUSIBLE", audits[ROW], intensity.round(1), None, limit=limit)
    audits["occupants"] = audits["occupants"].astype(object).where(audits["occupants"].notna(), None)
    measures = good[good["measure_name"] != ""].rename(columns={"measure_name": "name", "measure_category": "category"})
    measures["category"] = measures["category"].where(measures["category"] != "", None)
    changed = 0
    if not dry_run:
        changed = loader.upsert_audits(run.session, audits, totals_out, measures, audit_columns, upload_id)
    return int(bad.sum()), changed


# --------------------------------------------------------------------------------------------- run
def limits() -> Limits:
    """The file limits of the settings (JIENENG_MAX_ROWS, JIENENG_XLSX_MAX_RATIO, ...)."""
    s = get_settings()
    return Limits(max_rows=s.max_rows, max_columns=s.max_columns, xlsx_max_uncompressed_bytes=s.xlsx_max_uncompressed_mb << 20,
                  xlsx_max_ratio=s.xlsx_max_ratio, xlsx_max_cells=s.xlsx_max_cells)


def store_raw(data: bytes, sha256: str) -> Path:
    """Keep the uploaded bytes under raw_dir/<sha[:2]>/<sha>; an existing file is never overwritten."""
    target = get_settings().raw_dir / sha256[:2] / sha256
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        try:
            os.link(tmp, target)
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
    return target


def _report(upload: Upload, findings: list[FindingOut]) -> ImportReport:
    return ImportReport(upload_id=upload.id, status=upload.status, kind=upload.kind, filename=upload.filename,
                        rows_read=upload.rows_read, rows_accepted=upload.rows_accepted, rows_rejected=upload.rows_rejected,
                        rows_changed=upload.rows_changed, warnings=upload.warnings, findings=findings,
                        content_sha256=upload.content_sha256)


def run(*, session: Session, data: bytes, filename: str, kind: Kind, mapping: dict | None = None, sheet: str | None = None,
        all_or_nothing: bool = False, dry_run: bool = False, uploaded_by: str | None = None,
        region_scope: str | None = None, progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import one survey file; commits the upload record and its findings whatever happens to the rows."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    sha = hashlib.sha256(data).hexdigest()
    profile_error = None
    try:  # the normalised profile is stored and compared, never the text it came from
        stored_mapping = mapping = normalise_profile(mapping)
    except ProfileError as exc:
        stored_mapping, profile_error = None, make_finding("FILE_MAPPING_INVALID", detail=str(exc)[:300])
    upload = Upload(filename=display_name(filename), content_sha256=sha, size_bytes=len(data), kind=kind,
                    uploaded_by=uploaded_by, status="processing",
                    options={"all_or_nothing": all_or_nothing, "dry_run": dry_run, "sheet": sheet,
                             "region_scope": region_scope, "mapping": stored_mapping})
    session.add(upload)
    session.flush()
    store_raw(data, sha)
    findings: list[FindingOut] = []
    prior = None
    if not dry_run and profile_error is None:
        same = session.execute(select(Upload.id, Upload.options).where(
            Upload.content_sha256 == sha, Upload.kind == kind, Upload.status.in_(("loaded", "partial")), Upload.id != upload.id)
            .order_by(Upload.id)).all()
        prior = next((i for i, o in same if (o or {}).get("sheet") == sheet and (o or {}).get("mapping") == stored_mapping
                      and (o or {}).get("region_scope") == region_scope), None)
    if profile_error is not None:
        findings, upload.status, upload.error_message = [profile_error], "rejected", profile_error.message
    elif prior is not None:
        findings.append(make_finding("FILE_DUPLICATE", upload_id=prior))
        upload.status = "duplicate"
    else:
        findings = _process(session, upload, data, kind=kind, mapping=mapping, sheet=sheet, all_or_nothing=all_or_nothing,
                            dry_run=dry_run, region_scope=region_scope, progress=progress)
    upload.finished_at = datetime.now(UTC)
    loader.store_findings(session, upload.id, findings)
    session.commit()
    return _report(upload, findings)


def _process(session: Session, upload: Upload, data: bytes, *, kind, mapping, sheet, all_or_nothing, dry_run,
             region_scope, progress) -> list[FindingOut]:
    findings: list[FindingOut] = []
    savepoint = session.begin_nested()
    stage = None
    try:
        profile = parse_profile(mapping)
        table = open_table(data, upload.filename, sheet=sheet, score=header_score, header_row=profile.get("header_row"),
                           chunksize=CHUNK_ROWS, limits=limits())
        ref = Reference.read(session)
        layout = resolve(table.columns, kind, profile, ref.carriers)
        missing = missing_columns(layout)
        if missing:
            found = guess_kind(layout)
            if found and found != kind:
                raise FileRejected(make_finding("FILE_WRONG_KIND", found=found, expected=kind))
            raise FileRejected(make_finding("FILE_MISSING_COLUMNS", columns=", ".join(missing)))
        state = Run(session=session, kind=kind, ref=ref, layout=layout, region_scope=region_scope,
                    findings=FindingLog(per_code=get_settings().findings_per_code))
        if layout.unknown:  # one finding naming the first few
            shown = "、".join(layout.unknown[:5]) + ("…" if len(layout.unknown) > 5 else "")
            state.findings.append(make_finding("COLUMN_UNKNOWN", column=layout.unknown[0], value=shown,
                                               count=len(layout.unknown)))
        total = max(data.count(b"\n") - table.header_row, 1) if table.format == "csv" else 0
        rejected = changed = 0
        if kind == "consumption":
            stage = loader.ConsumptionStage(session)
        for chunk in table.chunks:
            state.rows_read += len(chunk)
            if chunk.empty:
                continue
            if kind == "consumption":
                n_bad, _ = _consumption_chunk(state, chunk, stage)
            elif kind == "buildings":
                n_bad, n_changed = _buildings_chunk(state, chunk, dry_run or all_or_nothing, upload.id)
                changed += n_changed
            else:
                n_bad, n_changed = _audits_chunk(state, chunk, dry_run or all_or_nothing, upload.id)
                changed += n_changed
            rejected += n_bad
            if progress is not None:
                progress(state.rows_read, max(total, state.rows_read))
        if state.rows_read == 0:
            raise FileRejected(make_finding("FILE_NO_ROWS"))
        findings = _unique(table.notices + state.findings + state.findings.capped())
        upload.rows_read = state.rows_read
        upload.rows_rejected = rejected
        upload.rows_accepted = state.rows_read - rejected
        upload.warnings = sum(n for code, n in state.findings.counts.items() if make_finding(code).severity == WARNING)
        if all_or_nothing and rejected and not dry_run:
            upload.rows_accepted = 0
            upload.status = "rejected"
        elif dry_run:
            upload.status = "dry_run"
        else:
            if all_or_nothing and kind != "consumption":
                # rows were held back until the whole file was known to be clean: load them now
                return _reload_clean(session, upload, data, savepoint, findings, kind=kind, mapping=mapping, sheet=sheet,
                                     region_scope=region_scope)
            if stage is not None:
                changed = stage.merge(upload.id)
            upload.status = "partial" if rejected else "loaded"
            if upload.rows_accepted == 0:
                upload.status = "rejected"
        upload.rows_changed = changed
        if stage is not None:
            stage.drop()
        savepoint.commit()
        return findings
    except FileRejected as exc:
        savepoint.rollback()
        upload.status = "rejected"
        upload.error_message = exc.finding.message
        return [exc.finding, *findings]
    except Exception as exc:
        savepoint.rollback()
        upload.status = "rejected"
        finding = make_finding("IMPORT_FAILED", detail=f"{type(exc).__name__}: {exc}"[:300])
        upload.error_message = finding.message
        return [finding]


def _unique(findings: list[FindingOut]) -> list[FindingOut]:
    seen, out = set(), []
    for f in findings:
        key = (f.row, f.column, f.code, f.value)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _reload_clean(session, upload, data, savepoint, findings, *, kind, mapping, sheet, region_scope) -> list[FindingOut]:
    """Second pass of an all-or-nothing buildings/audits import, once every row is known to be valid."""
    profile = parse_profile(mapping)
    table = open_table(data, upload.filename, sheet=sheet, score=header_score, header_row=profile.get("header_row"),
                       chunksize=CHUNK_ROWS, limits=limits())
    ref = Reference.read(session)
    layout = resolve(table.columns, kind, profile, ref.carriers)
    state = Run(session=session, kind=kind, ref=ref, layout=layout, region_scope=region_scope)
    changed = 0
    for chunk in table.chunks:
        if chunk.empty:
            continue
        fn = _buildings_chunk if kind == "buildings" else _audits_chunk
        changed += fn(state, chunk, False, upload.id)[1]
    upload.rows_changed = changed
    upload.status = "loaded"
    savepoint.commit()
    return findings
