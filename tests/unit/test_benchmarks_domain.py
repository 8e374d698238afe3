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


# Distinct corrections per subtype, so a commercial office corrected with the government figures
# (or the other way round) changes the result.
DISTINCT = {
    "commercial": OfficeCorrection(2500, 10),
    "government": OfficeCorrection(2000, 8),
}
TABLE_WITH_GENERIC = pd.concat(
    [
        TABLE,
        pd.DataFrame(
            [
                ("A", "", "A", "cold", 70.0, 60.0),  # generic office row: never used where a subtype row exists
                ("D", "", "A", "cold", 99.0, 98.0),  # duplicate key: the first row counts
            ],
            columns=TABLE.columns,
        ),
    ],
    ignore_index=True,
)
KGCE_PER_KWH = 0.125


def test_lookup_prefers_the_subtype_row_and_reads_both_values():
    exact = lookup(TABLE_WITH_GENERIC, building_class="A", subtype="government", benchmark_class="A", climate_zone="cold")
    assert (exact.constraint_kwh_m2, exact.guide_kwh_m2) == (55.0, 45.0)
    fallback = lookup(TABLE_WITH_GENERIC, building_class="A", subtype="other", benchmark_class="A", climate_zone="cold")
    assert (fallback.constraint_kwh_m2, fallback.guide_kwh_m2) == (70.0, 60.0)
    generic = lookup(TABLE, building_class="D", subtype="", benchmark_class="A", climate_zone="cold")
    assert (generic.constraint_kwh_m2, generic.guide_kwh_m2) == (60.0, 50.0)
    for wrong in (
        {"building_class": "D", "subtype": "", "benchmark_class": "B", "climate_zone": "cold"},
        {"building_class": "D", "subtype": "", "benchmark_class": "A", "climate_zone": "severe_cold"},
        {"building_class": "A", "subtype": "commercial", "benchmark_class": "B", "climate_zone": "cold"},
    ):
        assert lookup(TABLE, **wrong) is None, wrong


def test_default_class_keeps_a_declared_b_and_ignores_unknown_codes():
    assert default_benchmark_class("B", False) == "B"
    assert default_benchmark_class("C", True) == "B"
    assert default_benchmark_class("C", False) == "A"
    assert default_benchmark_class("", False) == "A"
    assert benchmark_subtype("D", False) == ""


def test_office_correction_scalar_terms_and_fallbacks():
    kw = {"standard_hours": 2000, "standard_area_per_person_m2": 8}
    hours_term = 0.3 + 0.7 * 2000 / 2500
    area_term = 0.7 + 0.3 * 20 / 8
    assert office_correction_factor(2500, 20, **kw) == pytest.approx(hours_term * area_term, rel=1e-12)
    assert isinstance(office_correction_factor(2500, 20, **kw), float)
    # A missing or non-positive T or S leaves only that term at 1.
    assert office_correction_factor(2500, None, **kw) == pytest.approx(hours_term, rel=1e-12)
    assert office_correction_factor(2500, float("nan"), **kw) == pytest.approx(hours_term, rel=1e-12)
    assert office_correction_factor(2500, 0, **kw) == pytest.approx(hours_term, rel=1e-12)
    assert office_correction_factor(2500, -5, **kw) == pytest.approx(hours_term, rel=1e-12)
    assert office_correction_factor(float("nan"), 20, **kw) == pytest.approx(area_term, rel=1e-12)
    assert office_correction_factor(0, 20, **kw) == pytest.approx(area_term, rel=1e-12)
    assert office_correction_factor(-100, 20, **kw) == pytest.approx(area_term, rel=1e-12)
    assert office_correction_factor(None, None, **kw) == 1.0
    # Just above zero the term is computed, not dropped.
    assert office_correction_factor(1, None, **kw) == pytest.approx(0.3 + 0.7 * 2000, rel=1e-12)
    assert office_correction_factor(None, 0.5, **kw) == pytest.approx(0.7 + 0.3 * 0.5 / 8, rel=1e-12)


def test_office_correction_series_terms_and_fallbacks():
    kw = {"standard_hours": 2000, "standard_area_per_person_m2": 8}
    hours = pd.Series([2500.0, 2500.0, None, -1.0, 1.0, 4000.0], index=[10, 11, 12, 13, 14, 15])
    area = pd.Series([20.0, None, 20.0, 0.0, 0.5, -3.0], index=[10, 11, 12, 13, 14, 15])
    out = office_correction_factor(hours, area, **kw)
    assert isinstance(out, pd.Series) and list(out.index) == [10, 11, 12, 13, 14, 15]
    expected = [
        (0.3 + 0.7 * 2000 / 2500) * (0.7 + 0.3 * 20 / 8),
        0.3 + 0.7 * 2000 / 2500,
        0.7 + 0.3 * 20 / 8,
        1.0,
        (0.3 + 0.7 * 2000 / 1) * (0.7 + 0.3 * 0.5 / 8),
        0.3 + 0.7 * 2000 / 4000,
    ]
    assert out.tolist() == pytest.approx(expected, rel=1e-12)
    # Text cells that are not numbers count as missing.
    text = office_correction_factor(pd.Series(["n/a"]), pd.Series(["16"]), **kw)
    assert text.tolist() == pytest.approx([0.7 + 0.3 * 16 / 8], rel=1e-12)


def test_status_series_boundaries_are_inclusive():
    value = pd.Series([45.0, 45.0001, 55.0, 55.0001, 50.0, 50.0, None], index=list("abcdefg"))
    constraint = pd.Series([55.0, 55.0, 55.0, 55.0, None, 55.0, 55.0], index=list("abcdefg"))
    guide = pd.Series([45.0, 45.0, 45.0, 45.0, 45.0, None, 45.0], index=list("abcdefg"))
    out = status(value, constraint, guide)
    assert list(out.index) == list("abcdefg")
    assert out.tolist() == ["better_than_guide", "between", "between", "above_constraint", None, None, None]
    # Scalar constraint and guide broadcast over the Series.
    assert status(pd.Series([45.0, 55.0, 56.0]), 55.0, 45.0).tolist() == [
        "better_than_guide", "between", "above_constraint"]


def test_status_scalar_needs_every_value():
    assert status(50.0, None, 45.0) is None
    assert status(50.0, 55.0, None) is None
    assert status(None, 55.0, 45.0) is None
    assert status(44.0, 55.0, 45.0) == "better_than_guide"
    assert status(56.0, 55.0, 45.0) == "above_constraint"


def test_saving_potential_series_keeps_the_index():
    out = saving_potential_kwh(
        pd.Series([70.0, 50.0, 55.0], index=[7, 8, 9]),
        pd.Series([55.0, 55.0, 55.0], index=[7, 8, 9]),
        pd.Series([10_000.0, 10_000.0, 10_000.0], index=[7, 8, 9]),
        pd.Series([1.2, 1.2, 1.2], index=[7, 8, 9]),
    )
    assert isinstance(out, pd.Series) and list(out.index) == [7, 8, 9]
    assert out.tolist() == pytest.approx([15 * 10_000 / 1.2, 0.0, 0.0])
    assert isinstance(saving_potential_kwh(70.0, 55.0, 2.0, 4.0), float)
    assert saving_potential_kwh(70.0, 55.0, 2.0, 4.0) == pytest.approx(15 * 2 / 4)
    plain = saving_potential_kwh([70.0, 60.0], [55.0, 55.0], [2.0, 3.0], [4.0, 5.0])
    assert plain.index.tolist() == [0, 1] and plain.tolist() == pytest.approx([15 * 2 / 4, 5 * 3 / 5])


def _frame_buildings() -> pd.DataFrame:
    """Six building-years, each with hand-computed expectations in the test below."""
    return pd.DataFrame(
        {
            "building_class": ["A", "A", "D", "D", "C", "D"],
            "is_government_office": [True, None, False, None, False, False],
            "is_large_public": [False, True, True, None, False, False],
            "benchmark_class": [None, None, "A", None, None, "B"],
            "climate_zone": ["cold", "hot_summer_cold_winter", "cold", "cold", "cold", "cold"],
            "has_heating": [True, None, True, False, False, True],
            "floor_area_m2": [10_000.0, 30_000.0, 5_000.0, 4_000.0, 2_000.0, 0.0],
            "heated_area_m2": [8_000.0, None, 0.0, None, None, None],
            "occupants": [500, 1_500, 10, 0, 20, 5],
            "operating_hours_per_year": [2500.0, 3000.0, 1000.0, 1000.0, 1000.0, 1000.0],
            # 0: 60 kWh/m2 non-heating (75,000 kgce) + 40,000 kgce heat
            # 1: 100 kWh/m2 = 3,000,000 kWh = 375,000 kgce; heating flag missing, its heat is not excluded
            # 2: 50 kWh/m2 = 31,250 kgce + 10,000 kgce heat over the floor area (no heated area)
            # 3: 60 kWh/m2 = 30,000 kgce; the heat column is ignored without heating
            # 4: 40 kWh/m2 = 10,000 kgce, class C has no row in this table: not covered
            # 5: no floor area
            "energy_kgce": [115_000.0, 375_000.0, 41_250.0, 30_000.0, 10_000.0, 500.0],
            "heating_kgce": [40_000.0, None, 10_000.0, 5_000.0, None, 100.0],
        },
        index=[101, 102, 103, 104, 105, 106],
    )


def test_benchmark_frame_hand_computed_on_every_path():
    out = benchmark_frame(_frame_buildings(), TABLE_WITH_GENERIC, DISTINCT, kgce_per_kwh=KGCE_PER_KWH)
    assert list(out.index) == [101, 102, 103, 104, 105, 106]
    assert out["benchmark_subtype"].tolist() == ["government", "commercial", "", "", "", ""]
    assert out["benchmark_class_used"].tolist() == ["A", "B", "A", "A", "A", "B"]
    nan = float("nan")
    assert out["non_heating_kwh_m2"].tolist() == pytest.approx([60.0, 100.0, 50.0, 60.0, 40.0, nan], nan_ok=True)
    assert out["heating_kgce_m2"].tolist() == pytest.approx([5.0, nan, 2.0, nan, nan, nan], nan_ok=True)
    gov = (0.3 + 0.7 * 2000 / 2500) * (0.7 + 0.3 * 20 / 8)
    com = (0.3 + 0.7 * 2500 / 3000) * (0.7 + 0.3 * 20 / 10)
    assert out["correction_factor"].tolist() == pytest.approx([gov, com, 1.0, 1.0, 1.0, 1.0], rel=1e-12)
    assert out["comparable_kwh_m2"].tolist() == pytest.approx(
        [60.0 * gov, 100.0 * com, 50.0, 60.0, 40.0, nan], rel=1e-12, nan_ok=True)
    assert out["constraint_kwh_m2"].tolist() == pytest.approx([55.0, 110.0, 60.0, 60.0, nan, nan], nan_ok=True)
    assert out["guide_kwh_m2"].tolist() == pytest.approx([45.0, 80.0, 50.0, 50.0, nan, nan], nan_ok=True)
    # Building 103 sits exactly on its guide value, 104 exactly on its constraint value.
    assert out["benchmark_status"].tolist() == [
        "above_constraint", "above_constraint", "better_than_guide", "between", "not_covered", None]
    potential = [(60.0 * gov - 55.0) * 10_000 / gov, (100.0 * com - 110.0) * 30_000 / com, 0.0, 0.0, nan, nan]
    assert out["saving_potential_kwh"].tolist() == pytest.approx(potential, rel=1e-12, nan_ok=True)
    assert out["saving_potential_kgce"].tolist() == pytest.approx(
        [p * KGCE_PER_KWH for p in potential], rel=1e-12, nan_ok=True)


def test_benchmark_frame_without_occupants_corrects_hours_only():
    buildings = _frame_buildings().iloc[[1]].assign(occupants=0)
    out = benchmark_frame(buildings, TABLE, DISTINCT, kgce_per_kwh=KGCE_PER_KWH)
    assert out["correction_factor"].iloc[0] == pytest.approx(0.3 + 0.7 * 2500 / 3000, rel=1e-12)


def test_benchmark_frame_heating_without_a_heat_figure_counts_no_heat():
    buildings = _frame_buildings().iloc[[2]].assign(heating_kgce=None, energy_kgce=31_250.0)
    out = benchmark_frame(buildings, TABLE, DISTINCT, kgce_per_kwh=KGCE_PER_KWH).iloc[0]
    assert out["non_heating_kwh_m2"] == pytest.approx(50.0)
    assert out["heating_kgce_m2"] == 0.0
    assert out["benchmark_status"] == "better_than_guide"


def test_benchmark_frame_falls_back_to_the_generic_row_per_building():
    table = pd.concat([TABLE, pd.DataFrame([("A", "", "B", "cold", 80.0, 70.0)], columns=TABLE.columns)],
                      ignore_index=True)
    buildings = _frame_buildings().iloc[[4, 0, 4, 0]].assign(benchmark_class=[None, "B", None, "A"])
    out = benchmark_frame(buildings.reset_index(drop=True), table, DISTINCT, kgce_per_kwh=KGCE_PER_KWH)
    nan = float("nan")
    # class C has no row at all; a government office of class B in the cold zone has only the generic one
    assert out["constraint_kwh_m2"].tolist() == pytest.approx([nan, 80.0, nan, 55.0], nan_ok=True)
    assert out["guide_kwh_m2"].tolist() == pytest.approx([nan, 70.0, nan, 45.0], nan_ok=True)


def test_benchmark_frame_denominators_below_one():
    # A 0.5 m2 commercial office with 0.4 m2 heated and one occupant: every ratio is computed.
    buildings = pd.DataFrame(
        {
            "building_class": ["A"], "is_government_office": [False], "is_large_public": [False],
            "benchmark_class": ["A"], "climate_zone": ["cold"], "has_heating": [True],
            "floor_area_m2": [0.5], "heated_area_m2": [0.4], "occupants": [1], "operating_hours_per_year": [2500.0],
            "energy_kgce": [0.5 * 100 * KGCE_PER_KWH + 1.0], "heating_kgce": [1.0],
        }
    )
    out = benchmark_frame(buildings, TABLE, DISTINCT, kgce_per_kwh=KGCE_PER_KWH).iloc[0]
    assert out["non_heating_kwh_m2"] == pytest.approx(100.0)
    assert out["heating_kgce_m2"] == pytest.approx(2.5)
    assert out["correction_factor"] == pytest.approx(0.7 + 0.3 * 0.5 / 10)


def test_status_and_potential_take_missing_values_in_plain_lists_and_object_series():
    value = pd.Series([40.0, None, 60.0], dtype="object")
    assert status(value, pd.Series([55.0] * 3), pd.Series([45.0] * 3)).tolist() == [
        "better_than_guide", None, "above_constraint"]
    assert status(pd.Series([50.0, 60.0]), None, 45.0).tolist() == [None, None]
    assert status(pd.Series([50.0, 60.0]), 55.0, None).tolist() == [None, None]
    assert status(pd.Series([50.0]), pd.Series([55.0], dtype="object"), pd.Series([None], dtype="object")).tolist() == [
        None]
    out = saving_potential_kwh([70.0, None, 60.0, 60.0], [55.0, 55.0, None, 55.0], [2.0, 2.0, 2.0, None],
                               [1.0, 1.0, 1.0, 1.0])
    assert out.tolist() == pytest.approx([30.0, float("nan"), float("nan"), float("nan")], nan_ok=True)
    assert pd.isna(saving_potential_kwh([70.0], [55.0], [2.0], [None]).iloc[0])


def test_office_correction_series_with_text_areas():
    out = office_correction_factor(pd.Series([2500.0, 2500.0]), pd.Series(["n/a", "20"]), standard_hours=2500,
                                   standard_area_per_person_m2=10)
    assert out.tolist() == pytest.approx([1.0, 1.3])
