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


# Base units that are not the canonical ones (Wh under kWh, kg under t), so multiplying instead of
# dividing by a unit's size gives a different answer.
SCALED = units.ConversionTables(
    units=pd.DataFrame({
        "code": ["Wh", "kWh", "MWh", "kg", "t", "L", "kgce", "tce", "m3"],
        "dimension": ["electric_energy", "electric_energy", "electric_energy", "mass", "mass", "liquid_volume",
                      "coal_equivalent", "coal_equivalent", "volume"],
        "to_base": [1, 1_000, 1_000_000, 1, 1_000, 1, 1, 1_000, 1],
    }),
    carriers=pd.DataFrame({
        "code": ["electricity", "diesel", "fuel_oil", "coke_gas"],
        "canonical_unit": ["kWh", "t", "t", "m3"],
        "density_kg_per_l": [None, 0.84, None, None],
    }),
    factors=pd.DataFrame({
        "carrier_code": ["electricity", "electricity", "electricity", "diesel", "diesel", "diesel", "fuel_oil",
                         "fuel_oil", "coke_gas"],
        "method": ["calorific", "generation", "generation", "calorific", "generation", "calorific", "calorific",
                   "generation", "calorific"],
        "valid_from_year": [1990, 1990, 2008, 1990, 1990, 2010, 1990, 1990, 1990],
        "valid_to_year": [None, 2007, None, None, None, None, None, None, None],
        # diesel's calorific factor is restated from 2010: the later row wins where both are valid
        "kgce_per_unit": [0.125, 0.4, 0.32, 1_457.1, 1_457.1, 1_500.0, 1_428.6, 1_428.6, 0.6],
    }),
)


def _convert_many(rows, tables=SCALED, index=None):
    frame = pd.DataFrame(rows, columns=["carrier_code", "year", "quantity", "unit"], index=index)
    return units.convert(frame, tables)


def test_conversion_divides_by_the_canonical_unit_size():
    out = _convert_many(
        [("electricity", 2007, 2, "MWh"), ("electricity", 2008, 500, "Wh"), ("diesel", 2005, 1_000, "L"),
         ("diesel", 2005, 2_000, "kg"), ("electricity", 2007, 1, "tce"), ("diesel", 2012, 3, "t")],
        index=[11, 12, 13, 14, 15, 16],
    )
    assert list(out.index) == [11, 12, 13, 14, 15, 16]
    assert list(out.columns) == ["quantity_canonical", "kgce_calorific", "kgce_generation", "problem"]
    assert out["problem"].isna().all()
    # 2 MWh = 2,000 kWh; 500 Wh = 0.5 kWh; 1,000 L x 0.84 kg/L = 840 kg = 0.84 t; 2,000 kg = 2 t;
    # 1 tce = 1,000 kgce / 0.125 kgce/kWh = 8,000 kWh; 3 t in 2012 at the restated 1,500 kgce/t.
    assert out["quantity_canonical"].tolist() == pytest.approx([2_000, 0.5, 0.84, 2.0, 8_000, 3.0])
    assert out["kgce_calorific"].tolist() == pytest.approx([250.0, 0.0625, 0.84 * 1_457.1, 2 * 1_457.1, 1_000.0,
                                                            4_500.0])
    assert out["kgce_generation"].tolist() == pytest.approx([800.0, 0.16, 0.84 * 1_457.1, 2 * 1_457.1, 3_200.0,
                                                             3 * 1_457.1])


def test_conversion_at_the_edges_of_the_factor_years():
    out = _convert_many([("electricity", year, 1, "kWh") for year in (1989, 1990, 2007, 2008, 2100, 2101)])
    assert out["kgce_generation"].tolist()[1:5] == pytest.approx([0.4, 0.4, 0.32, 0.32])
    assert out["kgce_calorific"].tolist()[1:5] == pytest.approx([0.125] * 4)
    assert out["problem"].where(out["problem"].notna(), None).tolist() == [
        units.NO_FACTOR, None, None, None, None, units.NO_FACTOR]
    assert out["quantity_canonical"].isna().tolist() == [True, False, False, False, False, True]


def test_which_problem_is_named_when_several_apply():
    out = _convert_many(
        [
            ("coke_gas", 2005, 1, "m3"),  # calorific factor only: no generation factor
            ("fuel_oil", 2005, 1, "L"),  # litres without a density
            ("fuel_oil", 1980, 1, "L"),  # no density and no factor: the factor is named
            ("electricity", 1980, 1, "kg"),  # incompatible and no factor: the factor is named
            ("nowhere", 2005, 1, "furlong"),  # unknown unit and unknown carrier: the unit is named
            ("electricity", 2005, 1, "furlong"),
            ("electricity", 2005, 1, "kg"),
            ("nowhere", 2005, 1, "kWh"),  # a carrier with no canonical unit and no factor
        ]
    )
    assert out["problem"].tolist() == [
        units.NO_FACTOR, units.NO_DENSITY, units.NO_FACTOR, units.NO_FACTOR, units.UNKNOWN_UNIT, units.UNKNOWN_UNIT,
        units.INCOMPATIBLE_UNIT, units.NO_FACTOR,
    ]
    for column in ("quantity_canonical", "kgce_calorific", "kgce_generation"):
        assert out[column].isna().all(), column


def test_factor_lookup_at_the_validity_edges_and_restatements():
    assert SCALED.factor("electricity", 2007, "generation") == 0.4
    assert SCALED.factor("electricity", 2008, "generation") == 0.32
    assert SCALED.factor("electricity", 1990, "generation") == 0.4
    assert SCALED.factor("electricity", 1989, "calorific") is None
    assert SCALED.factor("diesel", 2009, "calorific") == 1_457.1
    assert SCALED.factor("diesel", 2010, "calorific") == 1_500.0
    assert SCALED.factor("coke_gas", 2005, "generation") is None
    assert SCALED.factor("nowhere", 2005, "calorific") is None
    assert isinstance(SCALED.factor("coke_gas", 2005, "calorific"), float)


def test_factor_by_year_spans_every_year_once():
    table = SCALED.factor_by_year()
    assert list(table.columns) == ["carrier_code", "year", "calorific", "generation"]
    electricity = table[table["carrier_code"] == "electricity"].set_index("year")
    assert electricity.index.min() == units.FIRST_YEAR == 1990
    assert electricity.index.max() == units.LAST_YEAR == 2100
    assert len(electricity) == 2100 - 1990 + 1
    assert electricity.loc[2007, "generation"] == 0.4 and electricity.loc[2008, "generation"] == 0.32
    diesel = table[table["carrier_code"] == "diesel"].set_index("year")
    assert diesel.loc[2009, "calorific"] == 1_457.1 and diesel.loc[2010, "calorific"] == 1_500.0
    coke = table[table["carrier_code"] == "coke_gas"]
    assert coke["generation"].isna().all() and (coke["calorific"] == 0.6).all()


def test_climate_zone_by_longest_prefix_and_none_when_unknown():
    codes = pd.Series(["210102", "210202", "999999"], index=[4, 5, 6])
    zones = climate_zones_for(codes, {"21": "cold", "2101": "severe_cold", "210202": "mild"})
    assert list(zones.index) == [4, 5, 6]
    assert zones.tolist()[:2] == ["severe_cold", "mild"] and pd.isna(zones.iloc[2])
    unknown = climate_zones_for(codes, {})
    assert list(unknown.index) == [4, 5, 6] and unknown.isna().all()


def test_a_factor_that_ends_without_a_successor_leaves_later_years_without_factor():
    tables = units.ConversionTables(
        units=SCALED.units,
        carriers=SCALED.carriers,
        factors=pd.DataFrame({"carrier_code": ["coke_gas", "coke_gas"], "method": ["calorific", "generation"],
                              "valid_from_year": [1990, 1990], "valid_to_year": [2000, 2000],
                              "kgce_per_unit": [0.6, 0.6]}),
    )
    out = _convert_many([("coke_gas", 2000, 10, "m3"), ("coke_gas", 2001, 10, "m3")], tables=tables)
    assert out["kgce_calorific"].iloc[0] == pytest.approx(6.0)
    assert out["problem"].iloc[1] == units.NO_FACTOR and pd.isna(out["kgce_calorific"].iloc[1])
    assert tables.factor("coke_gas", 2001, "calorific") is None


def test_factor_table_has_both_methods_even_when_one_is_never_given():
    tables = units.ConversionTables(
        units=SCALED.units,
        carriers=SCALED.carriers,
        factors=pd.DataFrame({"carrier_code": ["coke_gas"], "method": ["calorific"], "valid_from_year": [1990],
                              "valid_to_year": [None], "kgce_per_unit": [0.6]}),
    )
    table = tables.factor_by_year()
    assert list(table.columns) == ["carrier_code", "year", "calorific", "generation"]
    assert table["generation"].isna().all()
    out = _convert_many([("coke_gas", 2005, 10, "m3")], tables=tables)
    assert out["problem"].iloc[0] == units.NO_FACTOR


def test_converted_columns_are_floats():
    out = _convert_many([("electricity", 2008, 3, "kWh"), ("electricity", 2008, 3, "kg")])
    assert [str(t) for t in out.dtypes[:3]] == ["float64", "float64", "float64"]
    assert out["quantity_canonical"].iloc[0] == 3.0 and pd.isna(out["quantity_canonical"].iloc[1])
