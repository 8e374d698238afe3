"""pandera DataFrameModels: what a valid typed row is. Lazy validation yields the per-row failures."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors
from pandera.typing import Series

FIRST_YEAR = 1990
CURRENT_YEAR = date.today().year
MAX_FLOOR_AREA_M2 = 2_000_000
# No single building-month comes near 10^12 of any unit; larger numbers are typing accidents.
ABSURD_QUANTITY = 1e12


class ConsumptionRow(pa.DataFrameModel):
    """A consumption record after parsing (one carrier, one period)."""

    year: Series[float] = pa.Field(ge=FIRST_YEAR, le=CURRENT_YEAR, nullable=True)
    month: Series[float] = pa.Field(ge=0, le=12, nullable=True)
    quantity_reported: Series[float] = pa.Field(ge=0, le=ABSURD_QUANTITY, nullable=True)

    class Config:
        coerce = False


class BuildingRow(pa.DataFrameModel):
    """A registry row after parsing."""

    floor_area_m2: Series[float] = pa.Field(gt=0, lt=MAX_FLOOR_AREA_M2, nullable=True)
    ac_area_m2: Series[float] = pa.Field(ge=0, lt=MAX_FLOOR_AREA_M2, nullable=True)
    heated_area_m2: Series[float] = pa.Field(ge=0, lt=MAX_FLOOR_AREA_M2, nullable=True)
    year_built: Series[float] = pa.Field(ge=1800, le=CURRENT_YEAR, nullable=True)
    floors: Series[float] = pa.Field(ge=1, le=300, nullable=True)
    occupants: Series[float] = pa.Field(ge=0, le=1_000_000, nullable=True)
    operating_hours_per_year: Series[float] = pa.Field(ge=0, le=8784, nullable=True)
    survey_year: Series[float] = pa.Field(ge=FIRST_YEAR, le=CURRENT_YEAR, nullable=True)


class AuditRow(pa.DataFrameModel):
    """An audit row after parsing."""

    audit_year: Series[float] = pa.Field(ge=FIRST_YEAR, le=CURRENT_YEAR, nullable=True)
    occupants: Series[float] = pa.Field(ge=0, le=1_000_000, nullable=True)
    operating_hours_per_year: Series[float] = pa.Field(ge=0, le=8784, nullable=True)
    investment_10k_cny: Series[float] = pa.Field(ge=0, le=ABSURD_QUANTITY, nullable=True)
    expected_saving_tce: Series[float] = pa.Field(ge=0, le=ABSURD_QUANTITY, nullable=True)
    payback_years: Series[float] = pa.Field(ge=0, le=200, nullable=True)


def _code(column: str, check: str) -> str:
    if column == "year" or column.endswith("_year") and column != "year_built":
        return "YEAR_OUT_OF_RANGE"
    if column == "month":
        return "MONTH_OUT_OF_RANGE"
    if column == "quantity_reported":
        return "NEGATIVE" if check.startswith("greater_than") else "ABSURD_QUANTITY"
    if check.startswith("greater_than") and "(0)" in check and column != "floor_area_m2":
        return "NEGATIVE"
    return "OUT_OF_RANGE"


def _range_text(model: type[pa.DataFrameModel], column: str) -> str:
    schema = model.to_schema()
    bounds = {c.name: c.statistics for c in schema.columns[column].checks}
    lo = next((v for k, v in bounds.items() if k.startswith("greater_than")), {})
    hi = next((v for k, v in bounds.items() if k.startswith("less_than")), {})
    lo_v = next(iter(lo.values()), "")
    hi_v = next(iter(hi.values()), "")
    return f"{lo_v:g}–{hi_v:g}" if lo_v != "" and hi_v != "" else f"{lo_v}–{hi_v}"


def failures(model: type[pa.DataFrameModel], frame: pd.DataFrame) -> pd.DataFrame:
    """Per-row failures of ``frame`` against ``model``: index, column, value, code, range."""
    columns = [c for c in model.to_schema().columns if c in frame.columns]
    schema = model.to_schema().select_columns(columns)
    try:
        schema.validate(frame[columns], lazy=True)
    except SchemaErrors as err:
        cases = err.failure_cases
        cases = cases[cases["index"].notna() & cases["column"].notna()]
        out = pd.DataFrame({
            "index": cases["index"].astype("int64").to_numpy(),
            "column": cases["column"].astype(str).to_numpy(),
            "value": cases["failure_case"].to_numpy(),
            "code": [_code(c, k) for c, k in zip(cases["column"], cases["check"].astype(str), strict=True)],
        })
        out["range"] = out["column"].map({c: _range_text(model, c) for c in out["column"].unique()})
        return out.drop_duplicates(["index", "column"])
    return pd.DataFrame(columns=["index", "column", "value", "code", "range"])
