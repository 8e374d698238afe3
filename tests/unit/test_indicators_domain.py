"""Hand-computed checks of the indicator formulas and the completeness rule."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from app.domain.indicators import (
    add_intensities,
    carrier_is_complete,
    completeness,
    kwh_equivalent,
    safe_ratio,
)


def test_kwh_equivalent_calorific_and_generation():
    # 1229 kgce at 0.1229 kgce/kWh is 10,000 kWh; at the 2010 generation rate 0.333 it is 3690.69 kWh.
    assert kwh_equivalent(1229.0, 0.1229) == pytest.approx(10_000.0)
    assert kwh_equivalent(1229.0, 0.333) == pytest.approx(3690.6907, rel=1e-6)
    with pytest.raises(ValueError):
        kwh_equivalent(1.0, 0.0)


def test_safe_ratio_refuses_missing_or_zero_denominators():
    assert safe_ratio(10, 4) == 2.5
    assert math.isnan(safe_ratio(10, 0))
    assert math.isnan(safe_ratio(10, None))
    out = safe_ratio(pd.Series([10.0, 10.0, 10.0]), pd.Series([2.0, 0.0, None]))
    assert out.iloc[0] == 5.0 and out.iloc[1:].isna().all()
    assert safe_ratio(pd.Series([6.0, 9.0]), 3).tolist() == [2.0, 3.0]


def test_carrier_completeness_rule():
    assert carrier_is_complete("A", 1)
    assert carrier_is_complete("M", 12)
    assert not carrier_is_complete("M", 11)


def test_building_complete_only_when_every_carrier_is():
    carriers = pd.DataFrame(
        {
            "building_id": [1, 1, 2, 2, 3],
            "carrier_code": ["electricity", "natural_gas", "electricity", "district_heat", "electricity"],
            "grain": ["M", "A", "M", "M", "M"],
            "months_reported": [12, 1, 12, 9, 11],
        }
    )
    out = completeness(carriers)
    assert out.loc[1, "is_complete"] and out.loc[1, "months_reported"] == 12
    assert not out.loc[2, "is_complete"] and out.loc[2, "months_reported"] == 9
    assert out.loc[2, "carriers_reported"] == 2
    assert not out.loc[3, "is_complete"]
    # District heat is billed in the heating season only: nine months of it are a full year.
    seasonal = completeness(carriers, seasonal={"district_heat"})
    assert seasonal.loc[2, "is_complete"] and seasonal.loc[2, "months_reported"] == 12
    assert not seasonal.loc[3, "is_complete"]


def test_intensities_hand_computed():
    frame = pd.DataFrame(
        {
            "floor_area_m2": [20_000.0],
            "ac_area_m2": [15_000.0],
            "occupants": [1_000],
            "electricity_kwh": [2_000_000.0],
            "lighting_kwh": [600_000.0],
            "hvac_kwh": [900_000.0],
            "power_kwh": [300_000.0],
            "special_kwh": [None],
            # 2,000,000 kWh * 0.1229 + 100,000 m3 gas * 1.2143 = 245,800 + 121,430
            "kgce_calorific": [367_230.0],
        }
    )
    out = add_intensities(frame, kgce_column="kgce_calorific", kgce_per_kwh=0.1229).iloc[0]
    assert out["energy_kgce_m2"] == pytest.approx(18.3615)
    assert out["energy_kwh_eq"] == pytest.approx(367_230 / 0.1229)
    assert out["energy_kwh_m2"] == pytest.approx(367_230 / 0.1229 / 20_000)  # 149.40 kWh/(m2*a)
    assert out["electricity_kwh_m2"] == pytest.approx(100.0)
    assert out["hvac_kwh_m2_ac"] == pytest.approx(60.0)
    assert out["energy_kgce_per_person"] == pytest.approx(367.23)
    assert out["lighting_share"] == pytest.approx(0.30)
    assert out["hvac_share"] == pytest.approx(0.45)
    assert math.isnan(out["special_share"])
