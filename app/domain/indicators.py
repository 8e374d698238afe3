"""Building-year indicators: kWh-equivalent, intensities, shares and data completeness.

Every function works on scalars and on pandas Series alike, so the services can compute a whole
year of buildings in one vectorised pass. A ratio whose denominator is missing or not positive is
NaN, never zero: a building without an air-conditioned area has no HVAC intensity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MONTHS_PER_YEAR = 12
GRAIN_ANNUAL = "A"
GRAIN_MONTHLY = "M"
SUB_ITEMS = {"A": "lighting", "B": "hvac", "C": "power", "D": "special"}


def safe_ratio(numerator, denominator):
    """numerator / denominator, NaN where the denominator is missing, zero or negative."""
    if isinstance(numerator, pd.Series) or isinstance(denominator, pd.Series):
        num = pd.to_numeric(numerator, errors="coerce") if isinstance(numerator, pd.Series) else numerator
        if not isinstance(denominator, pd.Series):
            scalar = safe_ratio(1.0, denominator)
            return (num * scalar).astype("float64")
        den = pd.to_numeric(denominator, errors="coerce").astype("float64")
        return (num / den.where(den > 0)).astype("float64")
    if numerator is None or denominator is None:
        return float("nan")
    numerator, denominator = float(numerator), float(denominator)
    if np.isnan(denominator) or denominator <= 0:
        return float("nan")
    return numerator / denominator


def kwh_equivalent(kgce, kgce_per_kwh: float):
    """Energy in kWh-equivalent: kgce divided by the electricity factor of the same method.

    With the calorific method (0.1229 kgce/kWh) 1 kgce is 8.137 kWh; with the generation method the
    year's coal rate of power supply is used, so electricity always counts as itself.
    """
    if kgce_per_kwh <= 0:
        raise ValueError("kgce_per_kwh must be positive")
    return kgce / kgce_per_kwh


def carrier_is_complete(grain: str, months_reported: int) -> bool:
    """One carrier-year is complete with its annual figure, or with all twelve months."""
    if grain == GRAIN_ANNUAL:
        return months_reported >= 1
    return months_reported >= MONTHS_PER_YEAR


def completeness(carriers: pd.DataFrame, *, seasonal: frozenset[str] | set[str] = frozenset()) -> pd.DataFrame:
    """Per building: carriers reported, months covered by every carrier, and is_complete.

    ``carriers`` has one row per (building_id, carrier_code) with ``grain`` ('A'/'M') and
    ``months_reported`` (distinct months with a whole-meter record; for 'A' the annual row count).
    A building is complete only when every carrier it reports is complete; an annual carrier
    counts as twelve months. Carriers in ``seasonal`` (district heat, billed only in the heating
    season) report no record outside their season, so any month of theirs counts as a full year.
    """
    if carriers.empty:
        return pd.DataFrame(
            {"carriers_reported": pd.Series(dtype="int64"), "months_reported": pd.Series(dtype="int64"),
             "is_complete": pd.Series(dtype="bool")},
            index=pd.Index([], name="building_id"),
        )
    annual = carriers["grain"].eq(GRAIN_ANNUAL) | carriers["carrier_code"].isin(list(seasonal))
    months = carriers["months_reported"].astype("int64")
    covered = months.where(~annual, np.where(months >= 1, MONTHS_PER_YEAR, 0)).clip(upper=MONTHS_PER_YEAR)
    frame = pd.DataFrame({"building_id": carriers["building_id"].to_numpy(), "covered": covered.to_numpy()})
    out = frame.groupby("building_id").agg(carriers_reported=("covered", "size"), months_reported=("covered", "min"))
    out["is_complete"] = out["months_reported"].ge(MONTHS_PER_YEAR)
    return out


def add_intensities(frame: pd.DataFrame, *, kgce_column: str, kgce_per_kwh) -> pd.DataFrame:
    """Add kWh-equivalent, per-area, per-person, HVAC and sub-item-share columns to ``frame``.

    Needs ``floor_area_m2``, ``ac_area_m2``, ``occupants``, ``electricity_kwh``, the sub-item columns
    ``lighting_kwh``, ``hvac_kwh``, ``power_kwh``, ``special_kwh`` and the chosen kgce column.
    ``kgce_per_kwh`` may be a scalar or a Series aligned with ``frame``.
    """
    out = frame.copy()
    kgce = out[kgce_column].astype("float64")
    out["energy_kgce"] = kgce
    out["energy_kwh_eq"] = kgce / kgce_per_kwh
    out["energy_kgce_m2"] = safe_ratio(kgce, out["floor_area_m2"])
    out["energy_kwh_m2"] = safe_ratio(out["energy_kwh_eq"], out["floor_area_m2"])
    out["electricity_kwh_m2"] = safe_ratio(out["electricity_kwh"], out["floor_area_m2"])
    out["hvac_kwh_m2_ac"] = safe_ratio(out["hvac_kwh"], out["ac_area_m2"])
    out["energy_kgce_per_person"] = safe_ratio(kgce, out["occupants"])
    for name in SUB_ITEMS.values():
        out[f"{name}_share"] = safe_ratio(out[f"{name}_kwh"], out["electricity_kwh"])
    return out
