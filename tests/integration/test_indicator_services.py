"""Indicators, benchmarks and rollups on hand-made data (tests/data/analytics), SQLite and PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest

from app.services.indicators import (
    building_profile,
    building_year_indicators,
    monthly_trend,
    region_rollup,
    rollup_by,
)
from tests.integration.analytics_data import load_analytics


@pytest.fixture
def data(session):
    load_analytics(session)
    return session


def _by_code(frame):
    return frame.set_index("code")


def test_building_indicators_hand_computed(data):
    frame = _by_code(building_year_indicators(session=data, year=2008))
    assert len(frame) == 5
    beijing = frame.loc["110105A001"]
    # 600,000 kWh * 0.1229 + 500,000 MJ * 0.03412 = 73,740 + 17,060
    assert beijing["kgce_calorific"] == pytest.approx(90_800.0)
    assert beijing["kgce_generation"] == pytest.approx(600_000 * 0.349 + 17_060)
    assert beijing["energy_kgce_m2"] == pytest.approx(9.08)
    assert beijing["energy_kwh_m2"] == pytest.approx(90_800 / 0.1229 / 10_000)
    assert beijing["electricity_kwh_m2"] == pytest.approx(60.0)
    assert beijing["heating_kgce_m2"] == pytest.approx(17_060 / 8_000)
    # heating against 北京's building heat consumption, 0.26 / 0.19 GJ/m2 at 34.12 kgce/GJ
    assert beijing["heating_constraint_kgce_m2"] == pytest.approx(0.26 * 34.12)
    assert beijing["heating_status"] == "better_than_guide"
    # Heating excluded in the cold zone: 60 kWh/m2; 20 m2/person -> factor 1.3 -> 78 > 55 (government, class A)
    assert beijing["non_heating_kwh_m2"] == pytest.approx(60.0)
    assert beijing["comparable_kwh_m2"] == pytest.approx(78.0)
    assert (beijing["constraint_kwh_m2"], beijing["guide_kwh_m2"]) == (55.0, 45.0)
    assert beijing["benchmark_status"] == "above_constraint"
    assert beijing["saving_potential_kgce"] == pytest.approx(23 * 10_000 / 1.3 * 0.1229)
    assert beijing["is_complete"] and beijing["months_reported"] == 12 and beijing["carriers_reported"] == 2

    shenyang = frame.loc["210102A001"]
    assert shenyang["comparable_kwh_m2"] == pytest.approx(75.0)
    assert shenyang["benchmark_status"] == "between"  # commercial, class B, severe cold: 80 / 60
    assert shenyang["hvac_kwh_m2_ac"] == pytest.approx(600_000 / 16_000)
    assert shenyang["hvac_share"] == pytest.approx(0.4) and shenyang["power_share"] == pytest.approx(0.2)
    assert shenyang["has_sub_items"]

    mall = frame.loc["210202B001"]
    assert mall["kgce_calorific"] == pytest.approx(5_400_000 * 0.1229 + 10_000 * 1.2143)
    assert mall["is_complete"]  # monthly electricity and one annual gas figure
    # A large public mall with no declared type is judged as a class-B department store (the default),
    # cold zone 140 / 100: (5,400,000 kWh + 10,000 m3 gas as kWh-equivalent) / 30,000 m2 is above 140.
    assert mall["benchmark_subtype"] == "department_store" and mall["is_subtype_assumed"]
    assert (mall["constraint_kwh_m2"], mall["guide_kwh_m2"]) == (140.0, 100.0)
    assert mall["comparable_kwh_m2"] == pytest.approx((5_400_000 + 10_000 * 1.2143 / 0.1229) / 30_000)
    assert mall["benchmark_status"] == "above_constraint"

    school = frame.loc["210102D001"]
    assert not school["is_complete"] and school["months_reported"] == 11
    # GB/T 51161 has no values for schools: said so even for an incomplete year, never a blank
    assert school["benchmark_status"] == "not_covered" and pd.isna(school["constraint_kwh_m2"])

    shanghai = frame.loc["310101A001"]
    assert shanghai["is_complete"] and shanghai["benchmark_status"] == "better_than_guide"


def test_generation_method_uses_the_years_coal_rate(data):
    frame = _by_code(building_year_indicators(session=data, year=2008, method="generation"))
    shanghai = frame.loc["310101A001"]
    assert shanghai["energy_kgce"] == pytest.approx(500_000 * 0.349)
    assert shanghai["energy_kwh_eq"] == pytest.approx(500_000)


def test_filters(data):
    liaoning = building_year_indicators(session=data, year=2008, region_code="210000")
    assert sorted(liaoning["code"]) == ["210102A001", "210102D001", "210202B001"]
    shenyang_offices = building_year_indicators(session=data, year=2008, region_code="210100", building_class="A")
    assert shenyang_offices["code"].tolist() == ["210102A001"]
    government = building_year_indicators(session=data, year=2008, government_only=True)
    assert sorted(government["code"]) == ["110105A001", "310101A001"]


def test_region_rollup_overlaps_and_counts_each_building_once_nationally(data):
    rollup = region_rollup(session=data, year=2008).set_index("region_code")
    assert rollup.index[0] == "000000"
    assert len(rollup) == 22
    nation = rollup.loc["000000"]
    assert nation["buildings_registered"] == 5 and nation["buildings_complete"] == 4
    # Complete building-years only; the school's 11 months are flagged and kept apart.
    assert nation["energy_kgce"] == pytest.approx(90_800 + 225_294 + 675_803 + 61_450)
    assert nation["incomplete_kgce"] == pytest.approx(11 * 20_000 * 0.1229)
    assert nation["buildings_incomplete"] == 1
    assert nation["energy_kgce_m2"] == pytest.approx((90_800 + 225_294 + 675_803 + 61_450) / 70_000)
    liaoning, shenyang = rollup.loc["210000"], rollup.loc["210100"]
    assert liaoning["buildings_registered"] == 3 and liaoning["energy_kgce"] == pytest.approx(225_294 + 675_803)
    assert shenyang["buildings_registered"] == 2 and shenyang["energy_kgce"] == pytest.approx(225_294)
    assert rollup.loc["120000", "buildings_registered"] == 0
    assert nation["buildings_above_constraint"] == 2 and nation["buildings_between"] == 1
    assert nation["buildings_better_than_guide"] == 1
    # the school is not covered by the standard: not counted as benchmarked
    assert nation["buildings_benchmarked"] == 4


def test_rollup_by_class_and_flag(data):
    by_class = rollup_by(session=data, year=2008, by="building_class").set_index("building_class")
    assert by_class.loc["A", "buildings_registered"] == 3
    assert by_class.loc["A", "energy_kgce"] == pytest.approx(90_800 + 225_294 + 61_450)
    by_gov = rollup_by(session=data, year=2008, region_code="210000", by="is_government_office")
    assert by_gov["buildings_registered"].sum() == 3
    by_zone = rollup_by(session=data, year=2008, by="climate_zone").set_index("climate_zone")
    assert by_zone.loc["severe_cold", "buildings_registered"] == 2
    with pytest.raises(ValueError):
        rollup_by(session=data, year=2008, by="colour")


def test_monthly_trend(data):
    trend = monthly_trend(session=data, region_code="210100", years=[2008], by="carrier")
    elec = trend[trend["carrier_code"] == "electricity"].set_index("month")
    assert len(elec) == 12
    assert elec.loc[1, "kgce"] == pytest.approx((125_000 + 20_000) * 0.1229)
    assert elec.loc[12, "kgce"] == pytest.approx(125_000 * 0.1229)  # the school misses December
    assert elec.loc[12, "buildings_reporting"] == 1
    total = monthly_trend(session=data, years=[2005, 2008], by=None)
    # Annual-only figures (Shanghai's electricity, the mall's gas) have no month and are left out.
    assert total[total["year"] == 2005]["kgce"].sum() == pytest.approx(1_212_035 - 73_740)


def test_building_profile(data):
    profile = building_profile(session=data, code="110105A001")
    assert profile["building"]["code"] == "110105A001"
    assert [row["year"] for row in profile["indicators"]] == [2005, 2008]
    assert profile["indicators"][0]["energy_kgce"] == pytest.approx(109_235.0)
    assert [a["audit_year"] for a in profile["audits"]] == [2007]
    assert profile["history"] == []
    with pytest.raises(LookupError):
        building_profile(session=data, code="nope")
