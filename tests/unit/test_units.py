"""Unit normalisation and kgce conversion, checked against hand-computed GB/T 2589 figures."""

import pandas as pd
import pytest

from app.domain import units
from app.domain.regions import city_code, climate_zones_for, province_code, region_column

TABLES = units.ConversionTables(
    units=pd.DataFrame({
        "code": ["kWh", "10k_kWh", "m3", "10k_m3", "L", "kg", "t", "MJ", "GJ", "kgce", "tce"],
        "dimension": ["electric_energy", "electric_energy", "volume", "volume", "liquid_volume", "mass", "mass", "heat", "heat",
                      "coal_equivalent", "coal_equivalent"],
        "to_base": [1, 10_000, 1, 10_000, 1, 1, 1_000, 1, 1_000, 1, 1_000],
    }),
    carriers=pd.DataFrame({
        "code": ["electricity", "natural_gas", "diesel", "district_heat", "raw_coal"],
        "canonical_unit": ["kWh", "m3", "kg", "MJ", "kg"],
        "density_kg_per_l": [None, None, 0.84, None, None],
    }),
    factors=pd.DataFrame({
        "carrier_code": ["electricity", "electricity", "electricity", "natural_gas", "natural_gas", "diesel", "diesel",
                         "district_heat", "district_heat", "raw_coal", "raw_coal"],
        "method": ["calorific", "generation", "generation", "calorific", "generation", "calorific", "generation", "calorific",
                   "generation", "calorific", "generation"],
        "valid_from_year": [1990, 1990, 2008, 1990, 1990, 1990, 1990, 1990, 1990, 1990, 1990],
        "valid_to_year": [None, 2007, None, None, None, None, None, None, None, None, None],
        "kgce_per_unit": [0.1229, 0.356, 0.349, 1.2143, 1.2143, 1.4571, 1.4571, 0.03412, 0.03412, 0.7143, 0.7143],
    }),
)


def _convert(carrier, year, quantity, unit):
    frame = pd.DataFrame({"carrier_code": [carrier], "year": [year], "quantity": [quantity], "unit": [unit]})
    return units.convert(frame, TABLES).iloc[0]


@pytest.mark.parametrize(
    ("carrier", "year", "quantity", "unit", "canonical", "calorific", "generation"),
    [
        ("electricity", 2007, 1_000, "kWh", 1_000, 122.9, 356.0),
        ("electricity", 2008, 1_000, "kWh", 1_000, 122.9, 349.0),  # the year's coal rate of power supply
        ("electricity", 2007, 2.5, "10k_kWh", 25_000, 3_072.5, 8_900.0),
        ("natural_gas", 2007, 1, "10k_m3", 10_000, 12_143.0, 12_143.0),
        ("diesel", 2007, 100, "L", 84, 122.3964, 122.3964),  # 100 L x 0.84 kg/L
        ("district_heat", 2007, 1, "GJ", 1_000, 34.12, 34.12),
        ("natural_gas", 2007, 1, "tce", 1_000 / 1.2143, 1_000.0, 1_000.0),
    ],
)
def test_conversion_by_hand(carrier, year, quantity, unit, canonical, calorific, generation):
    row = _convert(carrier, year, quantity, unit)
    assert pd.isna(row.problem)
    assert row.quantity_canonical == pytest.approx(canonical)
    assert row.kgce_calorific == pytest.approx(calorific)
    assert row.kgce_generation == pytest.approx(generation)


@pytest.mark.parametrize(
    ("carrier", "unit", "problem"),
    [("electricity", "m3", units.INCOMPATIBLE_UNIT), ("electricity", "furlong", units.UNKNOWN_UNIT),
     ("natural_gas", "L", units.INCOMPATIBLE_UNIT), ("raw_coal", "L", units.NO_DENSITY)],
)
def test_conversion_problems_are_named(carrier, unit, problem):
    row = _convert(carrier, 2007, 1, unit)
    assert row.problem == problem
    assert pd.isna(row.kgce_calorific)


def test_factor_lookup_by_year():
    assert TABLES.factor("electricity", 2005, "generation") == 0.356
    assert TABLES.factor("electricity", 2010, "generation") == 0.349
    assert TABLES.factor("electricity", 1980, "generation") is None


def test_region_membership_follows_the_code():
    assert province_code("210102") == "210000" and city_code("210102") == "210100"
    assert region_column("000000") is None
    assert region_column("210000") == "province_code" and region_column("210100") == "city_code"
    assert region_column("210102") == "district_code"
    zones = climate_zones_for(pd.Series(["210102", "210202", "510104", "999999"]),
                              {"21": "cold", "2101": "severe_cold", "51": "hot_summer_cold_winter"})
    assert zones.tolist()[:3] == ["severe_cold", "cold", "hot_summer_cold_winter"] and pd.isna(zones.iloc[3])
