"""Typed values from raw cells: numbers, periods, codes and yes/no; unit and kgce conversion.

Parsers work on the unique values of a column and map back, so a million rows cost little.
Each returns the parsed values and a Series of finding codes (None where the cell is fine).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

import numpy as np
import pandas as pd

from app.domain.units import INCOMPATIBLE_UNIT, NO_DENSITY, NO_FACTOR, UNKNOWN_UNIT, ConversionTables, convert
from etl.mapping import norm

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－＋　", "0123456789.,-+ ")
_NON_FINITE = {"nan", "inf", "+inf", "-inf", "infinity", "-infinity", "+infinity", "#num!", "#div/0!", "#value!"}
_EXCEL_EPOCH = date(1899, 12, 30)

_P_YEAR = re.compile(r"^(\d{4})\s*(?:年|年度|年全年|全年)?$")
_P_YM = re.compile(r"^(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:月份?|月)?$")
_P_COMPACT = re.compile(r"^(\d{4})(\d{2})$")
_P_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$")
_P_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")
_P_MONTH = re.compile(r"^(\d{1,2})\s*月?份?$")

UNIT_PROBLEMS = {UNKNOWN_UNIT: "UNIT_UNKNOWN", INCOMPATIBLE_UNIT: "UNIT_MISMATCH", NO_DENSITY: "UNIT_NEEDS_DENSITY",
                 NO_FACTOR: "FACTOR_MISSING"}


def _clean_number(text: str) -> str:
    return re.sub(r"[,\s]", "", unicodedata.normalize("NFKC", text).translate(_FULL_WIDTH))


def parse_numbers(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Floats from cells with thousands separators or full-width digits; codes for bad cells."""
    values = pd.to_numeric(raw, errors="coerce").astype("float64")
    problem = pd.Series(None, index=raw.index, dtype="object")
    retry = values.isna() & (raw != "")
    if retry.any():
        cleaned = raw[retry].map(_clean_number)
        values[retry] = pd.to_numeric(cleaned, errors="coerce").astype("float64")
        low = cleaned.str.lower()
        still = values.isna() & retry
        problem[still] = "NOT_A_NUMBER"
        problem[still & low.reindex(raw.index).isin(_NON_FINITE)] = "NOT_FINITE"
        problem[still & raw.str.startswith("=")] = "FORMULA_CELL"
    infinite = np.isinf(values)
    if infinite.any():
        problem[infinite] = "NOT_FINITE"
        values[infinite] = np.nan
    return values, problem


def parse_integers(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Whole numbers (as float, NaN when blank); fractional values are flagged."""
    values, problem = parse_numbers(raw)
    fractional = values.notna() & (values != np.floor(values))
    problem[fractional & problem.isna()] = "NOT_AN_INTEGER"
    return values.where(~fractional), problem


def _period_of(text: str) -> tuple[float, float, str | None]:
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        return np.nan, np.nan, "REQUIRED"
    for pattern in (_P_YEAR,):
        m = pattern.match(s)
        if m:
            return float(m.group(1)), 0.0, None
    m = _P_YM.match(s) or _P_COMPACT.match(s) or _P_DATE.match(s)
    if m:
        year, month = float(m.group(1)), float(m.group(2))
        if not 1 <= month <= 12:
            return year, month, "MONTH_OUT_OF_RANGE"
        return year, month, None
    m = _P_SERIAL.match(s)
    if m and 20000 <= int(m.group(1)) <= 80000:
        day = _EXCEL_EPOCH + timedelta(days=int(m.group(1)))
        return float(day.year), float(day.month), None
    return np.nan, np.nan, "PERIOD_INVALID"


def parse_periods(raw: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(year, month, problem) from periods such as 2007-03, 2007年3月, 200703, 2007 or an Excel date."""
    uniques = raw.unique()
    parsed = {u: _period_of(u) for u in uniques}
    year = raw.map({u: p[0] for u, p in parsed.items()}).astype("float64")
    month = raw.map({u: p[1] for u, p in parsed.items()}).astype("float64")
    problem = raw.map({u: p[2] for u, p in parsed.items()}).astype("object")
    return year, month, problem


def _month_of(text: str) -> tuple[float, str | None]:
    s = unicodedata.normalize("NFKC", text).strip()
    if s in ("", "0", "全年", "年度", "annual", "year"):
        return 0.0, None
    m = _P_MONTH.match(s)
    if m:
        month = float(m.group(1))
        return month, (None if 0 <= month <= 12 else "MONTH_OUT_OF_RANGE")
    return np.nan, "PERIOD_INVALID"


def parse_months(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Month numbers from a separate month column (blank or 全年 means the whole year)."""
    parsed = {u: _month_of(u) for u in raw.unique()}
    month = raw.map({u: p[0] for u, p in parsed.items()}).astype("float64")
    problem = raw.map({u: p[1] for u, p in parsed.items()}).astype("object")
    return month, problem


def parse_codes(raw: pd.Series, table: dict[str, str], extra: dict[str, str] | None = None,
                required: bool = True, unknown: str = "UNKNOWN") -> tuple[pd.Series, pd.Series]:
    """Canonical codes through an alias table (normalised lookup); ``unknown`` names the problem code."""
    lookup = {**table, **(extra or {})}
    parsed = {u: lookup.get(norm(u)) if u != "" else None for u in raw.unique()}
    values = raw.map(parsed).astype("object")
    problem = pd.Series(None, index=raw.index, dtype="object")
    problem[values.isna() & (raw != "")] = unknown
    if required:
        problem[raw == ""] = "REQUIRED"
    return values, problem


def parse_booleans(raw: pd.Series, table: dict[str, bool]) -> tuple[pd.Series, pd.Series]:
    """True/False from 是/否/Y/N/true/false; blank is False."""
    parsed = {u: (False if u == "" else table.get(norm(u))) for u in raw.unique()}
    values = raw.map(parsed)
    problem = pd.Series(None, index=raw.index, dtype="object")
    problem[values.isna()] = "BOOLEAN_INVALID"
    return values.fillna(False).astype(bool), problem


def to_kgce(frame: pd.DataFrame, tables: ConversionTables) -> tuple[pd.DataFrame, pd.Series]:
    """Canonical quantity and kgce by both methods for columns carrier_code, year, quantity, unit.

    Litres with a row-level density are converted to kilograms here first.
    """
    work = frame[["carrier_code", "year", "quantity", "unit"]].copy()
    if "density_kg_per_l" in frame:
        litres = (work["unit"] == "L") & frame["density_kg_per_l"].notna()
        work.loc[litres, "quantity"] = work.loc[litres, "quantity"] * frame.loc[litres, "density_kg_per_l"]
        work.loc[litres, "unit"] = "kg"
    work["year"] = work["year"].astype("int64")
    out = convert(work, tables)
    problem = out["problem"].map(UNIT_PROBLEMS).astype("object")
    return out, problem


_P_INSTANT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:：时](\d{2})(?:[:：分](\d{2}))?秒?)?$")


_P_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def _instant_of(text: str, order: str | None = None) -> tuple[int, bool]:
    s = unicodedata.normalize("NFKC", text).strip()
    m = _P_INSTANT.match(s)
    if m:
        y, mo, d, hh, mm, ss = m.groups()
    else:
        m = _P_SLASHED.match(s)
        if not m:
            return -1, False
        a, b, y, hh, mm, ss = m.groups()
        if order is None:  # day and month told apart only when one of them is over 12
            order = "DMY" if int(a) > 12 else "MDY" if int(b) > 12 else None
        if order is None:
            return -1, False
        mo, d = (a, b) if order == "MDY" else (b, a)
    try:
        ts = pd.Timestamp(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        return -1, False
    return ts.value, hh is not None


def parse_instants(raw: pd.Series, order: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Timestamps (int64 ns, -1 where the cell is not a date) and whether each had a time of day.

    Reads 2012-01-05, 2012/1/5 13:00, 2012-01-05T13:15:00 and 2012年1月5日 13时00分, and 01/05/2012 with
    ``order`` MDY or DMY (or where the day is over 12); parsed once per distinct cell.
    """
    parsed = {u: _instant_of(u, order) for u in pd.unique(raw.to_numpy())}
    ns = raw.map({u: p[0] for u, p in parsed.items()}).astype("int64")
    timed = raw.map({u: p[1] for u, p in parsed.items()}).astype(bool)
    return ns, timed
