"""The energy-audit survey: one audit per building and year, its carrier totals and retrofit measures."""

from __future__ import annotations

import numpy as np
import pandas as pd

from etl import load as loader
from etl.engine import INTENSITY_HIGH, INTENSITY_LOW, Run, benchmark_limit, check_buildings, codes, duplicates, key_code
from etl.extract import ROW
from etl.fields import Field, SurveyKind, between
from etl.transform import parse_codes, parse_numbers, to_kgce

FIRST_YEAR = 1990
ABSURD_QUANTITY = 1e12
SUB_ITEM_COLUMNS = {"A": "lighting_kwh", "B": "hvac_kwh", "C": "power_kwh", "D": "special_kwh"}


def _current_year() -> int:
    from datetime import date

    return date.today().year


FIELDS = (
    Field("building_code", "custom", required=True),
    Field("audit_year", "integer", required=True, marker=True,
          checks=between(FIRST_YEAR, _current_year(), code="YEAR_OUT_OF_RANGE")),
    Field("auditor", "text", required=True, marker=True, max_length=200),
    Field("building_name", "text", max_length=200),
    Field("occupants", "integer", checks=between(0, 1_000_000, low_code="NEGATIVE")),
    Field("operating_hours_per_year", "number", dimension="time", unit="h", checks=between(0, 8784, low_code="NEGATIVE")),
    Field("measure_name", "text", marker=True, max_length=200),
    Field("measure_category", "text", max_length=64),
    Field("investment_10k_cny", "number", dimension="money", unit="10k_CNY",
          checks=between(0, ABSURD_QUANTITY, low_code="NEGATIVE")),
    Field("expected_saving_tce", "number", dimension="coal_equivalent", unit="tce",
          checks=between(0, ABSURD_QUANTITY, low_code="NEGATIVE")),
    Field("payback_years", "number", dimension="time", unit="a", checks=between(0, 200, low_code="NEGATIVE")),
    Field("carrier", "custom"),
    Field("quantity", "custom"),
    Field("unit", "custom"),
)


def process(run: Run, raw: pd.DataFrame, rec: pd.DataFrame, bad: pd.Series, *, hold: bool, upload_id: int,
            stage=None) -> tuple[int, int]:
    """Buildings, measures and carrier totals of audit rows; an audit is accepted or rejected whole."""
    layout, ref = run.layout, run.ref
    rows = rec[ROW]
    code_col = run.column_of("building_code")
    code_raw = run.values(raw, "building_code")
    rec["building_code"] = codes(code_raw)
    run.flag(code_raw == "", "REQUIRED", rows, code_raw, code_col, bad)
    joined = check_buildings(run, rec, bad, code_col)
    rec["building_id"] = joined["building_id"]
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
        known = unit.notna()
        unit, in_unit, book_problem = run.carrier_units(totals["unit_raw"], unit, totals["carrier_code"], qty)
        problem = problem.fillna(uproblem.where(uproblem != "UNIT_UNKNOWN", book_problem))
        tbad = pd.Series(False, index=totals.index)
        for col in totals["col"].unique():
            run.flag_problems(problem.where(totals["col"] == col), totals[ROW], totals["qty_raw"], col, tbad)
        negative = qty < 0
        run.flag(negative, "NEGATIVE", totals[ROW], totals["qty_raw"], None, tbad)
        totals["quantity_reported"], totals["unit"], totals["quantity_in_unit"] = qty, unit, in_unit
        totals["unit_label"] = unit.where(known, totals["unit_raw"].str.slice(0, 16))
        totals["year"] = rec.loc[totals["rec_index"], "audit_year"].to_numpy()
        usable = ~tbad & totals["year"].notna() & totals["carrier_code"].isin(ref.carrier_codes)
        run.flag(~totals["carrier_code"].isin(ref.carrier_codes), "CARRIER_UNKNOWN", totals[ROW], totals["col"], None, tbad)
        if usable.any():
            out, cproblem = to_kgce(totals.loc[usable].assign(quantity=totals.loc[usable, "quantity_in_unit"]), ref.tables)
            cproblem = cproblem.reindex(totals.index)
            run.flag_problems(cproblem, totals[ROW], totals["unit_raw"], None, tbad, unit="")
            totals["quantity"] = out["quantity_canonical"].reindex(totals.index)
            totals["kgce_calorific"] = out["kgce_calorific"].reindex(totals.index)
            totals["kgce_generation"] = out["kgce_generation"].reindex(totals.index)
        bad.loc[totals.loc[tbad, "rec_index"].unique()] = True
        totals = totals[~tbad & usable]

    # an audit is accepted whole: one bad row rejects every row of its (building, year)
    group_key = key_code(rec, ["building_code", "audit_year"])
    bad_groups = set(group_key[bad])
    first_bad = rows[bad].groupby(group_key[bad]).min()
    with_group = group_key.isin(bad_groups) & ~bad
    run.flag(with_group, "AUDIT_REJECTED_WITH_ROW", rows, code_raw, code_col, bad,
             first_row=group_key.map(first_bad).fillna(0).astype(int))
    ok = ~bad
    duplicates(run, rec.assign(_m=rec["measure_name"]), ["building_id", "audit_year", "_m"],
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
        totals_out = whole.assign(unit_reported=whole["unit_label"])
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
    limit = benchmark_limit(run, info.reindex(audits["building_id"]).set_index(audits.index))
    intensity = audits["electricity_kwh"] / area
    odd = limit.notna() & ((intensity > INTENSITY_HIGH * limit) | (intensity < INTENSITY_LOW * limit))
    run.flag(odd, "INTENSITY_IMPLAUSIBLE", audits[ROW], intensity.round(1), None, limit=limit)
    audits["occupants"] = audits["occupants"].astype(object).where(audits["occupants"].notna(), None)
    measures = good[good["measure_name"] != ""].rename(columns={"measure_name": "name", "measure_category": "category"})
    measures["category"] = measures["category"].where(measures["category"] != "", None)
    changed = 0
    if not hold:
        changed = loader.upsert_audits(run.session, audits, totals_out, measures, audit_columns, upload_id)
    return int(bad.sum()), changed



KIND = SurveyKind("audits", FIELDS, process, extra={"wide_carriers": True})
