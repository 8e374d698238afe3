"""GB/T 51161 lookup, office correction, status and saving potential, computed by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from app.domain.benchmarks import (
    OfficeCorrection,
    benchmark_frame,
    benchmark_subtype,
    default_benchmark_class,
    lookup,
    office_correction_factor,
    saving_potential_kwh,
    status,
)

TABLE = pd.DataFrame(
    [
        ("A", "government", "A", "cold", 55.0, 45.0),
        ("A", "commercial", "A", "cold", 65.0, 55.0),
        ("A", "government", "B", "hot_summer_cold_winter", 90.0, 65.0),
        ("A", "commercial", "B", "hot_summer_cold_winter", 110.0, 80.0),
        ("D", "", "A", "cold", 60.0, 50.0),
    ],
    columns=["building_class", "subtype", "benchmark_class", "climate_zone", "constraint_kwh_m2", "guide_kwh_m2"],
)
CORRECTIONS = {
    "commercial": OfficeCorrection(2500, 10),
    "government": OfficeCorrection(2500, 10),
}


def test_lookup_by_class_subtype_and_zone():
    value = lookup(TABLE, building_class="A", subtype="commercial", benchmark_class="B", climate_zone="hot_summer_cold_winter")
    assert (value.constraint_kwh_m2, value.guide_kwh_m2) == (110.0, 80.0)
    generic = lookup(TABLE, building_class="D", subtype="whatever", benchmark_class="A", climate_zone="cold")
    assert generic.constraint_kwh_m2 == 60.0
    assert lookup(TABLE, building_class="C", subtype="", benchmark_class="A", climate_zone="cold") is None


def test_subtype_and_default_class():
    assert benchmark_subtype("A", True) == "government"
    assert benchmark_subtype("A", False) == "commercial"
    assert benchmark_subtype("B", True) == ""
    assert default_benchmark_class(None, True) == "B"
    assert default_benchmark_class(None, False) == "A"
    assert default_benchmark_class("A", True) == "A"


def test_office_correction_hand_computed():
    # T = 3000 h, S = 20 m2/person: (0.3 + 0.7*2500/3000) * (0.7 + 0.3*20/10) = 0.883333 * 1.3 = 1.148333
    assert office_correction_factor(3000, 20, standard_hours=2500, standard_area_per_person_m2=10) == pytest.approx(
        1.1483333, rel=1e-6
    )
    # At the standard conditions the factor is exactly 1.
    assert office_correction_factor(2500, 10, standard_hours=2500, standard_area_per_person_m2=10) == pytest.approx(1.0)
    # Missing hours leave that term at 1: 0.7 + 0.3*5/10 = 0.85
    assert office_correction_factor(None, 5, standard_hours=2500, standard_area_per_person_m2=10) == pytest.approx(0.85)
    series = office_correction_factor(
        pd.Series([2000.0, 0.0]), pd.Series([10.0, 10.0]), standard_hours=2500, standard_area_per_person_m2=10
    )
    assert series.tolist() == pytest.approx([0.3 + 0.7 * 1.25, 1.0])


def test_status_boundaries():
    assert status(45.0, 55.0, 45.0) == "better_than_guide"
    assert status(45.01, 55.0, 45.0) == "between"
    assert status(55.0, 55.0, 45.0) == "between"
    assert status(55.01, 55.0, 45.0) == "above_constraint"
    assert status(float("nan"), 55.0, 45.0) is None
    series = status(pd.Series([40.0, 50.0, 60.0, None]), pd.Series([55.0] * 4), pd.Series([45.0] * 4))
    assert series.tolist() == ["better_than_guide", "between", "above_constraint", None]


def test_saving_potential():
    # 70 kWh/m2 against a 55 constraint over 10,000 m2 = 150,000 kWh; with a factor of 1.2 the excess
    # in the building's own energy is 125,000 kWh.
    assert saving_potential_kwh(70.0, 55.0, 10_000.0) == pytest.approx(150_000.0)
    assert saving_potential_kwh(70.0, 55.0, 10_000.0, 1.2) == pytest.approx(125_000.0)
    assert saving_potential_kwh(50.0, 55.0, 10_000.0) == 0.0


def test_benchmark_frame_excludes_heating_in_cold_zone_and_corrects_offices():
    buildings = pd.DataFrame(
        {
            "building_class": ["A", "A"],
            "is_government_office": [True, False],
            "is_large_public": [False, True],
            "benchmark_class": [None, None],
            "climate_zone": ["cold", "hot_summer_cold_winter"],
            "has_heating": [True, False],
            "floor_area_m2": [10_000.0, 30_000.0],
            "heated_area_m2": [8_000.0, None],
            "occupants": [500, None],
            "operating_hours_per_year": [2500.0, None],
            # building 1: 10,000 m2 * 60 kWh/m2 non-heating = 600,000 kWh = 73,740 kgce, plus 40,000 kgce heat
            "energy_kgce": [113_740.0, 30_000 * 120 * 0.1229],
            "heating_kgce": [40_000.0, 0.0],
        }
    )
    out = benchmark_frame(buildings, TABLE, CORRECTIONS, kgce_per_kwh=0.1229)
    first = out.iloc[0]
    assert first["benchmark_subtype"] == "government" and first["benchmark_class_used"] == "A"
    assert first["non_heating_kwh_m2"] == pytest.approx(60.0)
    assert first["heating_kgce_m2"] == pytest.approx(5.0)
    # 20 m2/person: factor (0.3+0.7) * (0.7+0.3*2) = 1.3 -> comparable 78 > 55
    assert first["correction_factor"] == pytest.approx(1.3)
    assert first["comparable_kwh_m2"] == pytest.approx(78.0)
    assert first["benchmark_status"] == "above_constraint"
    # potential: (78-55) * 10,000 / 1.3 kWh = 176,923.08 kWh -> * 0.1229 kgce
    assert first["saving_potential_kwh"] == pytest.approx(23 * 10_000 / 1.3)
    assert first["saving_potential_kgce"] == pytest.approx(23 * 10_000 / 1.3 * 0.1229)
    second = out.iloc[1]
    assert second["benchmark_class_used"] == "B" and second["constraint_kwh_m2"] == 110.0
    assert second["comparable_kwh_m2"] == pytest.approx(120.0)
    assert pd.isna(second["heating_kgce_m2"])
    assert second["saving_potential_kwh"] == pytest.approx(10 * 30_000)
