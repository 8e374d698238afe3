"""Consumption totals rolled up by area, carrier and month: one scan that serves every region's trends."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.regions import NATION_CODE, region_column
from app.models import Building, ConsumptionRecord


def area_month_totals(*, session: Session) -> pd.DataFrame:
    """Whole-meter totals per (year, month, carrier, province_code, city_code); month 0 holds annual figures.

    Columns: year, month, carrier_code, province_code, city_code, quantity, kgce_calorific, kgce_generation.
    Sub-item rows are left out (they break the whole meter down and are never added to it).
    """
    r = ConsumptionRecord
    keys = [r.year, r.month, r.carrier_code, Building.province_code, Building.city_code]
    stmt = (
        select(*keys, func.sum(r.quantity).label("quantity"), func.sum(r.kgce_calorific).label("kgce_calorific"),
               func.sum(r.kgce_generation).label("kgce_generation"))
        .join(Building, Building.id == r.building_id)
        .where(r.sub_item == "")
        .group_by(*keys)
    )
    return pd.read_sql(stmt, session.connection())


def in_area(totals: pd.DataFrame, region_code: str | None) -> pd.DataFrame:
    """The rows of ``area_month_totals`` inside a region (membership by code prefix; None = nation)."""
    column = region_column(region_code or NATION_CODE)
    return totals if column is None else totals[totals[column] == region_code]


def monthly_trend_from(totals: pd.DataFrame, *, region_code: str | None, years, by: str | None = "carrier",
                       method: str = "calorific") -> pd.DataFrame:
    """Monthly kgce of a region for some years (annual-only figures left out), as ``monthly_trend`` gives it.

    Columns: year, month, [carrier_code,] kgce.
    """
    rows = in_area(totals, region_code)
    rows = rows[rows["year"].isin(list(years)) & (rows["month"] > 0)]
    keys = ["year", "month"] + (["carrier_code"] if by == "carrier" else [])
    out = rows.groupby(keys, as_index=False)[f"kgce_{method}"].sum().rename(columns={f"kgce_{method}": "kgce"})
    return out.sort_values(keys, ignore_index=True)


def year_totals_from(totals: pd.DataFrame, *, region_code: str | None, method: str = "calorific") -> pd.Series:
    """kgce per year of a region, monthly and annual figures together (as ``year_summary`` counts them)."""
    rows = in_area(totals, region_code)
    return rows.groupby("year")[f"kgce_{method}"].sum()
