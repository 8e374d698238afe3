"""Units of survey quantities: every built-in unit of the issue, dimensions, and units a profile defines."""

from __future__ import annotations

import pytest

from etl.units import DIMENSION, UNKNOWN, UnitBook

BTU_J = 1055.05585262  # international table Btu
KGCE_MJ = 29.3076


@pytest.mark.parametrize(("written", "target", "dimension", "factor"), [
    ("m²", "m2", "area", 1), ("㎡", "m2", "area", 1), ("平方米", "m2", "area", 1), ("万m²", "m2", "area", 1e4),
    ("万平方米", "m2", "area", 1e4), ("ft²", "m2", "area", 0.3048 ** 2), ("ft2", "m2", "area", 0.3048 ** 2),
    ("kWh", "kWh", "energy", 1), ("度", "kWh", "energy", 1), ("万kWh", "kWh", "energy", 1e4), ("MWh", "kWh", "energy", 1e3),
    ("GWh", "kWh", "energy", 1e6), ("MJ", "kWh", "energy", 1 / 3.6), ("GJ", "MJ", "energy", 1e3),
    ("kBtu", "kWh", "energy", 1e3 * BTU_J / 3.6e6), ("MMBtu", "MJ", "energy", BTU_J), ("therm", "MJ", "energy", 100_000 * BTU_J / 1e6), ("US therm", "MJ", "energy", 105.4804),
    ("tce", "MJ", "energy", 1000 * KGCE_MJ), ("kgce", "MJ", "energy", KGCE_MJ), ("吨标准煤", "tce", "energy", 1),
    ("m³", "m3", "volume", 1), ("万m³", "m3", "volume", 1e4), ("立方米", "m3", "volume", 1), ("L", "m3", "volume", 1e-3),
    ("t", "kg", "mass", 1e3), ("吨", "kg", "mass", 1e3), ("kg", "kg", "mass", 1), ("公斤", "kg", "mass", 1),
    ("元", "10k_CNY", "money", 1e-4), ("万元", "10k_CNY", "money", 1), ("年", "year", "time", 1),
])
def test_built_in_units(written, target, dimension, factor):
    got, problem = UnitBook().factor(written, target, dimension)
    assert problem is None and got == pytest.approx(factor, rel=1e-4)


def test_wrong_dimension_and_unknown_units_are_problems_not_ignored():
    book = UnitBook()
    assert book.factor("kWh", "m2", "area") == (None, DIMENSION)
    assert book.factor("m³", "kWh", "energy") == (None, DIMENSION)
    assert book.factor("zorkmids", "m2", "area") == (None, UNKNOWN)
    assert book.factor("", "m2", "area") == (None, UNKNOWN)
    assert book.dimension_of("kWh") == "energy" and book.dimension_of("ft²") == "area"


def test_a_profile_defines_a_unit_with_its_heating_value():
    book = UnitBook({"百万大卡": {"base": "MJ", "factor": 4186.8},
                     "thm_ng": {"base": "therm", "factor": 1, "heating_value": "38.93 MJ/m3"}})
    assert book.factor("百万大卡", "GJ", "energy") == (pytest.approx(4.1868), None)
    # energy of a fuel to its physical unit through the heating value
    assert book.factor("thm_ng", "m3", "volume") == (pytest.approx(100_000 * BTU_J / 1e6 / 38.93, rel=1e-5), None)
    assert book.factor("thm_ng", "kWh", "energy")[0] == pytest.approx(100_000 * BTU_J / 1e6 / 3.6, rel=1e-5)
    assert UnitBook().factor("thm_ng", "m3", "volume") == (None, UNKNOWN)  # defined for that profile alone
