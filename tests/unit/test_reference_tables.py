"""The reference tables in seeds/ are complete, sourced and consistent with the code that reads them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from app.domain import benchmarks as bm
from app.domain import units
from app.domain.assessment import AssessmentConfig, assess
from app.domain.targets import DecompositionError, decompose, parent_saving_kgce
from app.services.reference import extrapolated_from
from seeds.loader import SEEDS_DIR

ZONES = {"severe_cold", "cold", "hot_summer_cold_winter", "hot_summer_warm_winter", "mild"}
HEATING_ZONES = {"severe_cold", "cold"}


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(SEEDS_DIR / name, dtype=str, keep_default_na=False, encoding="utf-8")


def _yaml(name: str) -> dict:
    return yaml.safe_load((SEEDS_DIR / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["benchmarks.csv", "conversion_factors.csv", "energy_carriers.csv",
                                  "heating_benchmarks.csv", "building_classes.csv"])
def test_every_row_has_a_source_that_fits_its_column(name):
    frame = _csv(name)
    assert (frame["source"].str.strip() != "").all()
    assert frame["source"].str.len().max() <= 255  # String(255) in the database


def test_benchmarks_cover_every_class_sub_type_and_zone_the_standard_lists():
    table = _csv("benchmarks.csv")
    combos = table.groupby(["building_class", "subtype", "benchmark_class"])["climate_zone"].apply(set)
    assert all(zones == ZONES for zones in combos), combos
    listed = {(c, s, b) for c, s, b in combos.index}
    offices = {("A", s, b) for s in ("government", "commercial") for b in "AB"}
    malls = ({("B", s, "A") for s in ("department_store", "shopping_centre", "supermarket", "restaurant", "shop")}
             | {("B", s, "B") for s in ("department_store", "shopping_centre", "supermarket")})
    hotels = {("C", s, b) for s in ("three_star_or_below", "four_star", "five_star") for b in "AB"}
    assert listed == offices | malls | hotels
    values = table[["constraint_kwh_m2", "guide_kwh_m2"]].astype(float)
    assert (values["guide_kwh_m2"] <= values["constraint_kwh_m2"]).all() and (values > 0).all().all()
    # the standard's severe-cold and cold zones share one column
    wide = table.pivot_table(index=["building_class", "subtype", "benchmark_class"], columns="climate_zone",
                             values="constraint_kwh_m2", aggfunc="first")
    assert (wide["severe_cold"] == wide["cold"]).all()
    # values not read from the primary text say so
    assert table["source"].str.contains(r"\(verify\)").all()


def test_hotel_grades_and_mall_types_rank_as_the_standard_does():
    table = _csv("benchmarks.csv").astype({"constraint_kwh_m2": float})
    value = table.set_index(["building_class", "subtype", "benchmark_class", "climate_zone"])["constraint_kwh_m2"]
    for zone in ZONES:
        for letter in "AB":
            stars = [value["C", s, letter, zone] for s in ("three_star_or_below", "four_star", "five_star")]
            assert stars == sorted(stars) and stars[0] < stars[2]
            # a class-B (air-conditioned) building may use more than a class-A one of the same kind
            assert value["C", "four_star", "B", zone] >= value["C", "four_star", "A", zone] or zone == "mild"
        assert value["B", "department_store", "B", zone] > value["B", "department_store", "A", zone]


def test_sub_type_defaults_exist_and_uncovered_classes_are_exactly_the_rest():
    table = _csv("benchmarks.csv")
    config = _yaml("benchmark_subtypes.yaml")
    for code, spec in config["classes"].items():
        listed = set(table.loc[table["building_class"] == code, "subtype"])
        assert set(spec["subtypes"]) == listed
        if "default" in spec:
            for letter in "AB":  # the default exists for both ventilation classes
                assert ((table["building_class"] == code) & (table["subtype"] == spec["default"])
                        & (table["benchmark_class"] == letter)).sum() == len(ZONES)
    classes = set(_csv("building_classes.csv")["code"])
    covered = set(table["building_class"])
    assert set(config["not_covered"]) == classes - covered
    assert covered == set(config["classes"])


def test_heating_indicators_cover_both_heating_zones():
    table = _csv("heating_benchmarks.csv")
    assert set(table["climate_zone"]) == HEATING_ZONES
    defaults = table[table["code_prefix"] == ""]
    assert set(defaults["climate_zone"]) == HEATING_ZONES and len(defaults) == 2
    values = table[["constraint_gj_m2", "guide_gj_m2"]].astype(float)
    assert (values["guide_gj_m2"] < values["constraint_gj_m2"]).all()
    assert values["constraint_gj_m2"].between(0.1, 1.0).all()  # GJ/(m2*a), not MJ or kgce
    assert not table.duplicated(["code_prefix", "climate_zone"]).any()


def test_heating_values_take_the_city_of_the_same_zone_else_the_zone():
    table = pd.read_csv(SEEDS_DIR / "heating_benchmarks.csv", dtype={"code_prefix": str}, keep_default_na=False)
    districts = pd.Series(["210102", "210202", "210402", "110105", "320102", "999999", None])
    zones = pd.Series(["severe_cold", "cold", "severe_cold", "cold", "hot_summer_cold_winter", "cold", "cold"])
    out = bm.heating_values(districts, zones, table)
    row = table.set_index(["code_prefix", "climate_zone"])["constraint_gj_m2"].astype(float) * 34.12  # kgce/GJ
    constraint = out["heating_constraint_kgce_m2"].tolist()
    assert constraint[0] == pytest.approx(row["2101", "severe_cold"])  # 沈阳
    assert constraint[1] == pytest.approx(row["21", "cold"])  # 大连, in the cold south of 辽宁
    # 抚顺 is severe cold: 辽宁's cold-zone row does not apply, the zone default does
    assert constraint[2] == pytest.approx(row["", "severe_cold"])
    assert constraint[3] == pytest.approx(row["11", "cold"]) == pytest.approx(0.26 * 34.12)
    assert np.isnan(constraint[4])  # 南京: no heating indicator in the hot-summer cold-winter zone
    assert constraint[5] == constraint[6] == pytest.approx(row["", "cold"])
    assert (out["heating_guide_kgce_m2"].dropna() < out["heating_constraint_kgce_m2"].dropna()).all()


def _buildings(**overrides) -> pd.DataFrame:
    base = {
        "building_class": ["A", "C", "B", "D", "E", "G", "C"],
        "is_government_office": [True, False, False, False, False, False, False],
        "is_large_public": [False, True, True, True, True, True, True],
        "benchmark_class": [None] * 7,
        "climate_zone": ["cold", "hot_summer_cold_winter", "cold", "cold", "cold", "mild", "cold"],
        "district_code": ["110105", "310101", "210202", "110105", "110105", "530102", "110105"],
        "has_heating": [True, False, True, True, True, False, True],
        "floor_area_m2": [10_000.0] * 7,
        "heated_area_m2": [10_000.0] * 7,
        "occupants": [np.nan] * 7,
        "operating_hours_per_year": [np.nan] * 7,
        "energy_kgce": [130_000.0, 150_000.0, 100_000.0, 100_000.0, 100_000.0, 100_000.0, 100_000.0],
        "heating_kgce": [70_000.0, np.nan, np.nan, 50_000.0, np.nan, np.nan, 120_000.0],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def _frame(buildings: pd.DataFrame) -> pd.DataFrame:
    table = pd.read_csv(SEEDS_DIR / "benchmarks.csv", keep_default_na=False)
    heating = pd.read_csv(SEEDS_DIR / "heating_benchmarks.csv", dtype={"code_prefix": str}, keep_default_na=False)
    defaults = {c: s["default"] for c, s in _yaml("benchmark_subtypes.yaml")["classes"].items() if "default" in s}
    corrections = {name: bm.OfficeCorrection(2500, 10) for name in ("government", "commercial")}
    return bm.benchmark_frame(buildings, table, corrections, kgce_per_kwh=0.1229, default_subtypes=defaults,
                              heating_table=heating)


def test_every_covered_class_gets_a_status_and_the_rest_say_not_covered():
    out = _frame(_buildings())
    # office (130,000 - 70,000 heat) kgce -> 48.8 kWh/m2 against 55 / 45; hotel 122.0; mall 81.4
    assert out["benchmark_status"].tolist()[:3] == ["between", "better_than_guide", "better_than_guide"]
    assert out["benchmark_status"].tolist()[3:6] == [bm.STATUS_NOT_COVERED] * 3
    assert bm.STATUS_LABELS[bm.STATUS_NOT_COVERED] == ("标准未覆盖", "not covered by GB/T 51161")
    # the hotel in Shanghai: class B four-star (default), hot-summer cold-winter 200 / 150
    hotel = out.iloc[1]
    assert (hotel["benchmark_subtype"], hotel["constraint_kwh_m2"], hotel["guide_kwh_m2"]) == ("four_star", 200.0, 150.0)
    assert hotel["is_subtype_assumed"] and not out.iloc[0]["is_subtype_assumed"]
    assert hotel["comparable_kwh_m2"] == pytest.approx(150_000 / 0.1229 / 10_000)
    assert out.iloc[2]["benchmark_subtype"] == "department_store" and out.iloc[2]["constraint_kwh_m2"] == 140.0
    assert out.iloc[3:6]["constraint_kwh_m2"].isna().all() and out.iloc[3:6]["saving_potential_kwh"].isna().all()
    # the uncovered are never counted as judged
    assert not out["benchmark_status"].iloc[3:6].isin(bm.STATUSES).any()


def test_heating_judged_in_heating_zones_on_reported_heat_only():
    out = _frame(_buildings())
    # 北京 0.26 / 0.19 GJ/m2 at 34.12 kgce/GJ: 8.87 / 6.48 kgce/m2
    beijing = out.iloc[0]  # 70,000 kgce / 10,000 m2 = 7.0
    assert beijing["heating_kgce_m2"] == pytest.approx(7.0)
    assert beijing["heating_constraint_kgce_m2"] == pytest.approx(8.8712)
    assert beijing["heating_guide_kgce_m2"] == pytest.approx(6.4828)
    assert beijing["heating_status"] == "between"
    assert out.iloc[6]["heating_status"] == "above_constraint"  # 12 kgce/m2
    assert out.iloc[3]["heating_status"] == "better_than_guide"  # judged for every class: 5.0 kgce/m2
    assert out.iloc[4]["heating_status"] is None  # no district heat reported: no heating figure, not zero
    assert out.iloc[1]["heating_status"] is None and np.isnan(out.iloc[1]["heating_constraint_kgce_m2"])
    no_table = bm.benchmark_frame(_buildings(), pd.read_csv(SEEDS_DIR / "benchmarks.csv", keep_default_na=False), {},
                                  kgce_per_kwh=0.1229)
    assert no_table["heating_status"].isna().all() and no_table.iloc[1]["benchmark_subtype"] == ""


def _tables() -> units.ConversionTables:
    factors = pd.read_csv(SEEDS_DIR / "conversion_factors.csv")
    carriers = pd.read_csv(SEEDS_DIR / "energy_carriers.csv", dtype={"category": str})
    unit_table = pd.read_csv(SEEDS_DIR / "units.csv")
    return units.ConversionTables(units=unit_table[["code", "dimension", "to_base"]],
                                  carriers=carriers[["code", "canonical_unit", "density_kg_per_l", "category"]],
                                  factors=factors.drop(columns="source"))


def test_generation_factors_run_without_gap_to_the_latest_published_year():
    factors = pd.read_csv(SEEDS_DIR / "conversion_factors.csv")
    gen = factors[(factors.carrier_code == "electricity") & (factors.method == "generation")].sort_values("valid_from_year")
    yearly = gen[gen.valid_from_year >= 2001]
    assert yearly["valid_from_year"].tolist() == list(range(2001, int(yearly.valid_from_year.max()) + 1))
    assert (yearly["valid_to_year"].iloc[:-1] == yearly["valid_from_year"].iloc[:-1]).all()
    assert pd.isna(gen["valid_to_year"].iloc[-1]) and gen["valid_from_year"].iloc[-1] >= 2023
    assert gen["kgce_per_unit"].between(0.28, 0.40).all()  # gce/kWh / 1000
    assert gen.set_index("valid_from_year").loc[2005, "kgce_per_unit"] == 0.370
    assert gen.set_index("valid_from_year").loc[2010, "kgce_per_unit"] == 0.333
    assert gen["source"].str.contains("供电标准煤耗").all()


def test_a_year_past_the_table_is_extrapolated_and_says_from_which_year():
    tables = _tables()
    last = int(tables.factors.query("carrier_code == 'electricity' and method == 'generation'").valid_from_year.max())
    assert extrapolated_from(tables, carrier_code="electricity", year=last, method="generation") is None
    assert extrapolated_from(tables, carrier_code="electricity", year=last + 2, method="generation") == last
    assert extrapolated_from(tables, carrier_code="electricity", year=2008, method="generation") is None
    # constant factors are never extrapolated
    assert extrapolated_from(tables, carrier_code="electricity", year=2040, method="calorific") is None
    assert extrapolated_from(tables, carrier_code="natural_gas", year=2040, method="generation") is None
    assert tables.factor("electricity", last + 2, "generation") == tables.factor("electricity", last, "generation")


def test_sub_metering_guide_categories_are_all_carried():
    carriers = _csv("energy_carriers.csv")
    assert set(carriers["category"]) == {"01", "02", "03", "04", "05", "06"}
    cooling = carriers.set_index("code").loc["district_cooling"]
    assert (cooling["name_zh"], cooling["category"], cooling["canonical_unit"]) == ("集中供冷", "05", "MJ")
    factors = _csv("conversion_factors.csv")
    assert set(factors.loc[factors.carrier_code == "district_cooling", "method"]) == {"calorific", "generation"}
    assert "water" not in set(factors["carrier_code"])  # water has no kgce factor at all


def test_water_is_converted_to_its_unit_but_never_to_kgce_and_cooling_is():
    frame = pd.DataFrame({
        "carrier_code": ["water", "water", "district_cooling", "water", "electricity"],
        "year": [2008, 2024, 2008, 2008, 2008],
        "quantity": [3.0, 10.0, 2.0, 1.0, 100.0],
        "unit": ["10k_m3", "m3", "GJ", "tce", "kWh"],
    })
    out = units.convert(frame, _tables())
    assert out["quantity_canonical"].tolist()[:3] == [30_000.0, 10.0, 2_000.0]
    assert out["kgce_calorific"].tolist()[:2] == [0.0, 0.0] and out["kgce_generation"].tolist()[:2] == [0.0, 0.0]
    assert out["problem"].iloc[:3].isna().all()
    assert out["kgce_calorific"].iloc[2] == pytest.approx(2_000 * 0.03412)
    assert out["problem"].iloc[3] == units.INCOMPATIBLE_UNIT  # water cannot be given in coal equivalent
    assert out["kgce_calorific"].iloc[4] == pytest.approx(12.29)


def test_grades_follow_the_cited_bands_and_platform_items_are_marked():
    config = AssessmentConfig.from_mapping(_yaml("assessment.yaml"))
    bands = [(g.code, low, high) for g, low, high in config.grade_bands()]
    assert bands == [("exceeded", 95, None), ("met", 80, 95), ("nearly_met", 60, 80), ("not_met", 0, 60)]
    assert all(m.is_platform_choice for m in config.measures)
    assert "国发〔2007〕36号" in config.source
    full = {m.key: m.full_at for m in config.measures}

    def grade(ratio: float, **measures: float) -> str:
        return assess(region_code="x", year=2008, target_ratio=ratio, measures={**full, **measures}, config=config).grade

    assert grade(1.0) == "exceeded"  # 100 points
    assert grade(1.0, metering_installed=0.0) == "met"  # 90 points
    assert grade(1.0, metering_installed=0.0, disclosure_published=0.0) == "nearly_met"  # 75 points
    assert grade(0.99) == "not_met"  # target missed: vetoed whatever the score


def test_grade_bands_are_configurable_and_checked():
    data = _yaml("assessment.yaml")
    data["grades"][0]["min_score"] = 90
    assert AssessmentConfig.from_mapping(data).grade_bands()[0][1] == 90
    data["grades"][1]["min_score"] = 90
    with pytest.raises(ValueError, match="share a minimum score"):
        AssessmentConfig.from_mapping(data)
    data = _yaml("assessment.yaml")
    data["grades"][-1]["min_score"] = 10
    with pytest.raises(ValueError, match="start at 0"):
        AssessmentConfig.from_mapping(data)


def test_a_saving_above_its_baseline_is_refused():
    assert parent_saving_kgce(baseline_kgce=1_000_000, saving_kgce=1_000_000) == 1_000_000
    with pytest.raises(DecompositionError, match="exceeds the baseline use of 1,000.0 tce"):
        parent_saving_kgce(baseline_kgce=1_000_000, saving_kgce=1_000_001)
    with pytest.raises(DecompositionError, match="超过基期能耗"):
        parent_saving_kgce(baseline_kgce=0, saving_kgce=5_000)


def test_a_decomposition_giving_a_child_more_than_its_baseline_is_refused():
    children = pd.DataFrame({"baseline_kgce": [1_000.0, 9_000.0]}, index=["small", "large"])
    ok = decompose(2_000, children, method="equal")
    assert ok["saving_kgce"].tolist() == [1_000.0, 1_000.0]
    with pytest.raises(DecompositionError, match=r"1 children would save more than their baseline use \(small\)"):
        decompose(3_000, children, method="equal")
    capped = decompose(3_000, children, method="equal", caps_kgce={"small": 1_000})
    assert capped["saving_kgce"].tolist() == [1_000.0, 2_000.0]
