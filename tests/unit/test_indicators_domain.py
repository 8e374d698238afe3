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
    with pytest.raises(ValueError, match=r"^kgce_per_kwh must be positive$"):
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


def test_kwh_equivalent_refuses_a_negative_factor_and_works_on_series():
    with pytest.raises(ValueError, match=r"^kgce_per_kwh must be positive$"):
        kwh_equivalent(1.0, 0.0)
    with pytest.raises(ValueError, match=r"^kgce_per_kwh must be positive$"):
        kwh_equivalent(1.0, -0.1229)
    assert kwh_equivalent(pd.Series([2.5, 5.0]), 0.25).tolist() == [10.0, 20.0]
    assert kwh_equivalent(1.0, 1e-9) == pytest.approx(1e9)


def test_safe_ratio_scalar_edges():
    # A denominator between 0 and 1 is a real denominator.
    assert safe_ratio(3, 0.5) == 6.0
    assert safe_ratio(3, 1e-6) == pytest.approx(3e6)
    assert math.isnan(safe_ratio(3, -2))
    assert math.isnan(safe_ratio(None, 4))
    assert math.isnan(safe_ratio(3, float("nan")))
    assert safe_ratio(0, 4) == 0.0
    assert safe_ratio(-3, 4) == -0.75
    assert isinstance(safe_ratio(3, 4), float)


def test_safe_ratio_series_edges():
    den = pd.Series([0.5, 0.0, -1.0, None, 4.0, "x"], index=list("abcdef"), dtype="object")
    out = safe_ratio(pd.Series([3.0, 3.0, 3.0, 3.0, 3.0, 3.0], index=list("abcdef")), den)
    assert list(out.index) == list("abcdef") and str(out.dtype) == "float64"
    assert out.tolist() == pytest.approx([6.0, math.nan, math.nan, math.nan, 0.75, math.nan], nan_ok=True)
    # A scalar numerator over a Series denominator.
    scalar_num = safe_ratio(12.0, pd.Series([4.0, 0.0, 0.25]))
    assert scalar_num.tolist() == pytest.approx([3.0, math.nan, 48.0], nan_ok=True)
    # A Series numerator over a scalar denominator that is missing, zero, negative or below 1.
    num = pd.Series([6.0, None, "9", "n/a"], dtype="object")
    assert safe_ratio(num, 0.5).tolist() == pytest.approx([12.0, math.nan, 18.0, math.nan], nan_ok=True)
    text = safe_ratio(pd.Series(["n/a", "8"]), pd.Series([2.0, 2.0]))
    assert text.tolist() == pytest.approx([math.nan, 4.0], nan_ok=True)
    assert safe_ratio(num, 0).isna().all()
    assert safe_ratio(num, -3).isna().all()
    assert safe_ratio(num, None).isna().all()
    assert str(safe_ratio(pd.Series([1, 2]), 2).dtype) == "float64"


def test_carrier_completeness_edges():
    # An annual carrier with no row at all is not complete; more than twelve months is.
    assert not carrier_is_complete("A", 0)
    assert carrier_is_complete("A", 2)
    assert carrier_is_complete("M", 13)
    assert not carrier_is_complete("M", 1)


def test_completeness_edges():
    carriers = pd.DataFrame(
        {
            "building_id": [7, 7, 8, 9, 9],
            "carrier_code": ["electricity", "natural_gas", "electricity", "district_heat", "electricity"],
            "grain": ["A", "A", "A", "M", "M"],
            "months_reported": [2, 0, 1, 0, 12],
        }
    )
    out = completeness(carriers)
    # An annual carrier with no row counts as no month; two annual rows still count as twelve months.
    assert out.loc[7, "months_reported"] == 0 and not out.loc[7, "is_complete"]
    assert out.loc[7, "carriers_reported"] == 2
    assert out.loc[8, "months_reported"] == 12 and out.loc[8, "is_complete"]
    seasonal = completeness(carriers, seasonal=frozenset({"district_heat"}))
    # A seasonal carrier with no month at all is still missing.
    assert seasonal.loc[9, "months_reported"] == 0 and not seasonal.loc[9, "is_complete"]
    assert seasonal.loc[9, "carriers_reported"] == 2
    assert list(out.index) == [7, 8, 9] and out.index.name == "building_id"
    assert [str(t) for t in out.dtypes] == ["int64", "int64", "bool"]
    # Months are capped at twelve.
    over = completeness(pd.DataFrame({"building_id": [1], "carrier_code": ["electricity"], "grain": ["M"],
                                      "months_reported": [14]}))
    assert over.loc[1, "months_reported"] == 12 and over.loc[1, "is_complete"]


def test_completeness_of_no_carriers_is_an_empty_typed_frame():
    empty = completeness(pd.DataFrame(columns=["building_id", "carrier_code", "grain", "months_reported"]))
    assert empty.empty and empty.index.name == "building_id"
    assert list(empty.columns) == ["carriers_reported", "months_reported", "is_complete"]
    assert [str(t) for t in empty.dtypes] == ["int64", "int64", "bool"]


def test_intensities_with_a_factor_per_row_and_missing_denominators():
    frame = pd.DataFrame(
        {
            "floor_area_m2": [1_000.0, 0.0],
            "ac_area_m2": [None, 400.0],
            "occupants": [0, 8],
            "electricity_kwh": [50_000.0, 0.0],
            "lighting_kwh": [10_000.0, 0.0],
            "hvac_kwh": [20_000.0, 2_000.0],
            "power_kwh": [15_000.0, 0.0],
            "special_kwh": [5_000.0, 0.0],
            "kgce_generation": [40_000.0, 1_000.0],
        },
        index=[3, 4],
    )
    before = frame.copy()
    out = add_intensities(frame, kgce_column="kgce_generation", kgce_per_kwh=pd.Series([0.32, 0.25], index=[3, 4]))
    pd.testing.assert_frame_equal(frame, before)  # the input is left alone
    assert out["energy_kgce"].tolist() == [40_000.0, 1_000.0]
    assert out["energy_kwh_eq"].tolist() == pytest.approx([125_000.0, 4_000.0])
    assert out["energy_kgce_m2"].tolist() == pytest.approx([40.0, math.nan], nan_ok=True)
    assert out["energy_kwh_m2"].tolist() == pytest.approx([125.0, math.nan], nan_ok=True)
    assert out["electricity_kwh_m2"].tolist() == pytest.approx([50.0, math.nan], nan_ok=True)
    assert out["hvac_kwh_m2_ac"].tolist() == pytest.approx([math.nan, 5.0], nan_ok=True)
    assert out["energy_kgce_per_person"].tolist() == pytest.approx([math.nan, 125.0], nan_ok=True)
    assert out["lighting_share"].tolist() == pytest.approx([0.2, math.nan], nan_ok=True)
    assert out["hvac_share"].tolist() == pytest.approx([0.4, math.nan], nan_ok=True)
    assert out["power_share"].tolist() == pytest.approx([0.3, math.nan], nan_ok=True)
    assert out["special_share"].tolist() == pytest.approx([0.1, math.nan], nan_ok=True)
