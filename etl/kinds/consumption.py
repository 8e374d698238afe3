"""The consumption survey: quantities per building, period and carrier, long or wide (2008 guide, table 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.services.reference import extrapolated_from
from etl import intervals
from etl import load as loader
from etl.engine import INTENSITY_HIGH, INTENSITY_LOW, Run, benchmark_limit, check_buildings, codes, record_duplicates, record_keys
from etl.extract import ROW
from etl.fields import Check, Field, SurveyKind, apply_checks, between
from etl.findings import WARNING
from etl.transform import parse_codes, parse_instants, parse_integers, parse_months, parse_numbers, parse_periods, to_kgce

FIRST_YEAR = 1990
# No single building-month comes near 10^12 of any unit; larger numbers are typing accidents.
ABSURD_QUANTITY = 1e12


def _current_year() -> int:
    from datetime import date

    return date.today().year


FIELDS = (
    Field("building_code", "custom", required=True),
    Field("period", "custom", marker=True, doc="2007-03, 2007年3月, 200703, 2007 or an Excel date"),
    Field("year", "custom", checks=between(FIRST_YEAR, _current_year(), code="YEAR_OUT_OF_RANGE")),
    Field("month", "custom", marker=True, checks=between(0, 12, code="MONTH_OUT_OF_RANGE")),
    Field("carrier", "custom", marker=True),
    Field("quantity", "custom", marker=True, dimension="energy", unit="carrier",  # the carrier's canonical unit
          checks=(Check("ge", 0, "NEGATIVE"), Check("le", ABSURD_QUANTITY, "ABSURD_QUANTITY"))),
    Field("unit", "custom"),
    Field("sub_item", "custom", doc="electricity sub-item A-D"),
    Field("density_kg_per_l", "number", checks=between(0, 5, low_open=True)),
    Field("building_name", "text", max_length=200),
    Field("external_id", "custom", doc="the building's ID in another system (profile building_key: external_id)"),
    Field("interval_start", "custom", doc="start of a reading's interval (with interval_end: a range)"),
    Field("interval_end", "custom", doc="end of a reading's interval; a date alone includes its day"),
)
BY_NAME = {f.name: f for f in FIELDS}


def _canonical(ref) -> dict[str, str]:
    return dict(zip(ref.tables.carriers["code"], ref.tables.carriers["canonical_unit"], strict=True))


def _records(run: Run, raw: pd.DataFrame, rec: pd.DataFrame) -> pd.DataFrame:
    """One record per quantity: a long row, or each filled wide carrier column of a row."""
    layout = run.layout
    _field = run.values
    code_field = "external_id" if layout.building_key == "external_id" and layout.has("external_id") else "building_code"
    base = pd.DataFrame({ROW: raw[ROW], "code_raw": _field(raw, code_field),
                         "period_raw": _field(raw, "period"), "year_raw": _field(raw, "year"),
                         "month_raw": _field(raw, "month"), "density_kg_per_l": rec["density_kg_per_l"],
                         "start_raw": _field(raw, "interval_start"), "end_raw": _field(raw, "interval_end")})
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
    base["carrier_raw"] = _field(raw, "carrier")
    base["qty_raw"] = _field(raw, "quantity")
    unit = _field(raw, "unit")
    header_unit = layout.fields["quantity"].unit if layout.has("quantity") else None
    if header_unit:
        unit = unit.where(unit != "", header_unit)
    base["unit_raw"] = unit
    base["sub_raw"] = _field(raw, "sub_item")
    base["qty_col"] = layout.fields["quantity"].column or "quantity" if layout.has("quantity") else "quantity"
    return base.reset_index(drop=True)


def _extrapolated_factor_notices(run: Run, rec: pd.DataFrame, ok: pd.Series, rows: pd.Series, column: str) -> None:
    """One notice per year past the electricity factor table (the latest published value is used)."""
    electricity = ok & rec["carrier_code"].eq("electricity")
    for year in sorted(rec.loc[electricity, "year"].dropna().astype(int).unique()):
        source_year = extrapolated_from(run.ref.tables, carrier_code="electricity", year=int(year), method="generation")
        if source_year is not None:
            first = electricity & rec["year"].eq(year)
            first &= ~first.cumsum().gt(1)
            run.flag(first, "FACTOR_EXTRAPOLATED", rows, rec["year"], column, year=int(year), source_year=source_year)


def process(run: Run, raw: pd.DataFrame, parsed: pd.DataFrame, row_bad: pd.Series, *, hold: bool, upload_id: int,
            stage: loader.ConsumptionStage | None = None) -> tuple[int, int]:
    """Periods, carriers, units and kgce of each record; duplicates and grain checks; accepted rows to the stage."""
    layout, ref = run.layout, run.ref
    rec = _records(run, raw, parsed)
    rows = rec[ROW]
    bad = rec[ROW].isin(parsed.loc[row_bad, ROW])
    code_col = run.column_of("external_id" if layout.building_key == "external_id" and layout.has("external_id")
                             else "building_code")
    rec["building_code"] = codes(rec["code_raw"])
    if layout.building_key == "external_id":
        rec["building_code"] = _codes_of_external(run, rec["code_raw"])
    run.flag(rec["building_code"] == "", "REQUIRED", rows, rec["code_raw"], code_col, bad)
    fine = pd.Series(False, index=rec.index)
    if layout.has("interval_start"):
        year, month, fine = _ranges(run, rec, bad)
    elif layout.has("period"):
        year, month, problem = parse_periods(rec["period_raw"])
        run.flag_problems(problem, rows, rec["period_raw"], run.column_of("period"), bad)
        fine = _instants(run, rec, problem.isna())
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
    unit, uproblem = parse_codes(rec["unit_raw"], ref.units, layout.value_aliases.get("unit"), unknown="UNIT_UNKNOWN")
    qty, problem = parse_numbers(rec["qty_raw"])
    problem[rec["qty_raw"] == ""] = "REQUIRED"
    for col in rec["qty_col"].unique():
        here = rec["qty_col"] == col
        run.flag_problems(problem.where(here), rows, rec["qty_raw"], col, bad)
    rec["quantity_reported"] = qty
    known = unit.notna()
    unit, in_unit, book_problem = run.carrier_units(rec["unit_raw"], unit, carrier, qty)
    uproblem = uproblem.where(uproblem != "UNIT_UNKNOWN", book_problem)
    unit_col = rec["qty_col"] if not layout.has("unit") else pd.Series(run.column_of("unit"), index=rec.index)
    for col in unit_col.unique():
        run.flag_problems(uproblem.where(unit_col == col), rows, rec["unit_raw"], col, bad,
                          unit=carrier.map(_canonical(ref)).fillna(""))
    rec["unit"] = unit
    rec["quantity_in_unit"] = in_unit
    rec["unit_label"] = rec["unit"].where(known, rec["unit_raw"].str.slice(0, 16))
    sub = rec["sub_raw"]
    sub_code = pd.Series("", index=rec.index, dtype=object)
    given = sub != ""
    if given.any():
        mapped, _ = parse_codes(sub[given], ref.sub_items, required=False)
        sub_code[given] = mapped
    bad_sub = (given & sub_code.isna()) | ((sub_code.fillna("") != "") & (rec["carrier_code"] != "electricity"))
    run.flag(bad_sub, "SUB_ITEM_INVALID", rows, sub, run.column_of("sub_item"), bad)
    rec["sub_item"] = sub_code.fillna("")

    period_col = "period" if layout.has("period") else None
    year_raw = rec["period_raw"] if period_col else rec["year_raw"]
    month_raw = rec["period_raw"] if period_col else rec["month_raw"]
    failed = apply_checks(run, BY_NAME["year"], rec["year"], rows, year_raw, run.column_of(period_col or "year"), bad)
    apply_checks(run, BY_NAME["month"], rec["month"].where(~failed), rows, month_raw,
                 run.column_of(period_col or "month"), bad)
    for col in rec["qty_col"].unique():
        here = rec["qty_col"] == col
        apply_checks(run, BY_NAME["quantity"], rec["quantity_reported"].where(here), rows, rec["qty_raw"], col, bad)

    joined = check_buildings(run, rec, bad, code_col)
    rec["building_id"] = joined["building_id"]

    ok = ~bad
    if ok.any():
        conv_in = rec.loc[ok, ["carrier_code", "year", "unit", "density_kg_per_l"]].assign(quantity=rec.loc[ok, "quantity_in_unit"])
        out, problem = to_kgce(conv_in, ref.tables)
        problem = problem.reindex(rec.index)
        run.flag_problems(problem, rows, rec["unit_raw"].where(problem != "FACTOR_MISSING", rec["carrier_code"]),
                          run.column_of("unit"), bad, unit=rec["carrier_code"].map(dict(zip(ref.tables.carriers["code"], ref.tables.carriers["canonical_unit"], strict=True))),
                          year=rec["year"].fillna(0).astype(int))
        _extrapolated_factor_notices(run, rec, ok & ~bad, rows, run.column_of(period_col or "year"))
        rec["quantity"] = out["quantity_canonical"].reindex(rec.index)
        rec["kgce_calorific"] = out["kgce_calorific"].reindex(rec.index)
        rec["kgce_generation"] = out["kgce_generation"].reindex(rec.index)
    ok = ~bad & ~fine
    rec["grain"] = np.where(rec["month"] == 0, "A", "M")
    record_duplicates(run, rec, ok, bad)
    ok = ~bad & ~fine
    _grain_checks(run, rec, ok, bad)
    ok = ~bad & ~fine
    _intensity_warnings(run, rec, joined, ok)

    bad_rows = set(rec.loc[bad, ROW].tolist())
    readings = rec[fine & ~rec[ROW].isin(bad_rows)]
    if not readings.empty:
        run.intervals.append(readings[[ROW, "building_id", "carrier_code", "sub_item", "start", "end", "timed",
                                       "period_raw", *intervals.SUMS]].assign(
            building_id=readings["building_id"].astype("int64")).rename(columns={ROW: "_row"}))
    accepted = rec[~fine & ~rec[ROW].isin(bad_rows)]
    accepted = accepted.assign(building_id=accepted["building_id"].astype("int64"), year=accepted["year"].astype("int64"),
                               month=accepted["month"].astype("int64"), unit_reported=accepted["unit_label"])
    if stage is not None and not hold:
        stage.add(accepted)
    return len(bad_rows), 0


def _codes_of_external(run: Run, external: pd.Series) -> pd.Series:
    """Building codes of external IDs (of the profile's source system); unknown IDs keep their text."""
    from sqlalchemy import select

    from app.models import Building

    wanted = [e.strip() for e in pd.unique(external.to_numpy()) if e.strip()]
    stmt = select(Building.external_id, Building.code).where(Building.external_id.in_(wanted))
    if run.layout.external_source:
        stmt = stmt.where(Building.external_source == run.layout.external_source)
    found = dict(run.session.execute(stmt).all()) if wanted else {}
    return external.map(lambda e: found.get(e.strip(), e.strip()))


def _instants(run: Run, rec: pd.DataFrame, parsed: pd.Series) -> pd.Series:
    """Readings finer than a month in the period column: timestamps, or dates when a series holds
    several in one month (then the whole file is read as daily readings)."""
    start, timed = parse_instants(rec["period_raw"], run.layout.date_order)
    dated = parsed & (start >= 0)
    rec["start"], rec["end"], rec["timed"] = start, np.int64(-1), timed
    if not dated.any():
        return dated
    if not run.daily and (dated & ~timed).any():
        days = rec.loc[dated & ~timed]
        per_month = days.groupby(["code_raw", "carrier_raw", "sub_raw", days["period_raw"].str[:7]])["start"].nunique()
        run.daily = bool((per_month > 1).any())
    return dated & (timed | run.daily)


def _ranges(run: Run, rec: pd.DataFrame, bad: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Readings given as [start, end) ranges; a date-only end includes its day (a bill from 1 to 31 January)."""
    rows = rec[ROW]
    start, timed = parse_instants(rec["start_raw"], run.layout.date_order)
    end, end_timed = parse_instants(rec["end_raw"], run.layout.date_order)
    for raw, value, name in ((rec["start_raw"], start, "interval_start"), (rec["end_raw"], end, "interval_end")):
        problem = pd.Series(np.where(raw == "", "REQUIRED", np.where(value < 0, "PERIOD_INVALID", None)), index=rec.index)
        run.flag_problems(problem.where(problem != "None"), rows, raw, run.column_of(name), bad)
    end = end.where(end_timed | (end < 0), end + intervals.DAY_NS)
    backwards = (start >= 0) & (end >= 0) & (end <= start)
    run.flag(backwards, "INTERVAL_BACKWARDS", rows, rec["end_raw"], run.column_of("interval_end"), bad,
             start=rec["start_raw"])
    rec["start"], rec["end"], rec["timed"] = start, end, timed | end_timed
    rec["period_raw"] = rec["start_raw"]
    when = pd.to_datetime(start.where(start >= 0), unit="ns")
    return when.dt.year.astype("float64"), when.dt.month.astype("float64"), pd.Series(True, index=rec.index)


def finish(run: Run, *, hold: bool, stage: loader.ConsumptionStage | None = None) -> int:
    """Interval readings of the whole file: overlaps, months with their coverage, gaps; months to the stage."""
    if not run.intervals:
        return 0
    column = run.column_of("interval_start" if run.layout.has("interval_start") else "period")
    readings = intervals.fill_ends(pd.concat(run.intervals, ignore_index=True))
    run.intervals.clear()
    overlapping, duplicate, earlier = intervals.overlaps(readings)
    rows = readings["_row"]
    for mask, code in ((duplicate, "INTERVAL_DUPLICATE"), (overlapping & ~duplicate, "INTERVAL_OVERLAP")):
        run.flag(pd.Series(mask, index=readings.index), code, rows, readings["period_raw"], column,
                 pd.Series(False, index=readings.index), first_row=pd.Series(earlier, index=readings.index))
    rejected = int(pd.unique(rows[overlapping]).size)
    kept = readings[~overlapping]
    if kept.empty:
        return rejected
    months = intervals.to_months(kept)
    months[ROW] = months["_row"]
    gap = months["coverage"] < intervals.COMPLETE
    run.flag(gap, "INTERVAL_GAP", months[ROW], months["year"].astype(str) + "-" + months["month"].map("{:02d}".format),
             column, severity=WARNING, coverage=(months["coverage"] * 100).round(1),
             hours=months["missing_hours"].round(1))
    months["grain"] = "M"
    months["code_raw"] = months["building_id"].astype(str)
    canonical = _canonical(run.ref)
    months["unit_reported"] = months["carrier_code"].map(canonical)
    months["quantity_reported"] = months["quantity"]
    months["coverage"] = months["coverage"].where(gap, 1.0)
    bad = pd.Series(False, index=months.index)
    record_duplicates(run, months, ~bad, bad)
    _grain_checks(run, months, ~bad, bad)
    rejected += int(months.loc[bad, "readings"].sum())
    if stage is not None and not hold:
        stage.add(months[~bad])
    return rejected


def _grain_checks(run: Run, rec: pd.DataFrame, ok: pd.Series, bad: pd.Series) -> None:
    sub = rec.loc[ok]
    if sub.empty:
        return
    keys = pd.Series(record_keys(run, sub, with_period=False), index=sub.index)
    stored = loader.series_grains(run.session, sorted(set(sub["building_id"].astype(int))))
    if stored.empty:
        db_grain = pd.Series(None, index=sub.index, dtype=object)
    else:
        stored_keys = record_keys(run, stored, with_period=False)
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
    limit = benchmark_limit(run, joined.loc[elec])
    odd = limit.notna() & ((intensity > INTENSITY_HIGH * limit) | ((rec.loc[elec, "month"] == 0) & (intensity < INTENSITY_LOW * limit)))
    run.flag(odd.reindex(rec.index, fill_value=False), "INTENSITY_IMPLAUSIBLE", rec[ROW],
             intensity.round(1).reindex(rec.index), None, limit=limit.reindex(rec.index))



KIND = SurveyKind("consumption", FIELDS, process, staged=True, finish=finish, extra={"wide_carriers": True})
