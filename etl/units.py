"""Units of survey quantities, read with pint once per distinct unit (never per row).

A quantity field declares its dimension and the unit it is stored in; a file gives its unit in the
header's bracket, a unit column or the mapping profile. This module turns a unit as written (m², 万m²,
ft², kWh, 万kWh, MWh, GWh, MJ, GJ, kBtu, MMBtu, therm, tce, kgce, m³, 万m³, L, t, kg, 万元 ...) into a
factor to the field's unit, or into a problem code: UNIT_UNKNOWN, or UNIT_DIMENSION when it measures
something else (kWh in an area column). A profile can define units of its own: a symbol, its base unit
and factor, and for a fuel the heating value that turns energy into the fuel's physical unit.

The cost was measured (docs/performance.md): pint converting a million-row array takes about as long
as numpy multiplying by a factor pint gave once, but parsing a unit string costs ~100 µs, so a run
resolves each distinct unit once and multiplies.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pint

UNKNOWN, DIMENSION = "UNIT_UNKNOWN", "UNIT_DIMENSION"

# Survey practice beyond pint's defaults: coal equivalent (GB/T 2589-2020: 1 kgce = 29.3076 MJ), money.
DEFINITIONS = (
    "kilogram_coal_equivalent = 29.3076 * megajoule = kgce",
    "tonne_coal_equivalent = 1000 * kgce = tce",
    "million_btu = 1e6 * british_thermal_unit = MMBtu = mmbtu",
    "yuan = [currency] = CNY = RMB",
)
# Dimensions a field can declare, as pint dimensionalities.
DIMENSIONS = {
    "area": "[length] ** 2",
    "energy": "[energy]",
    "volume": "[length] ** 3",
    "mass": "[mass]",
    "time": "[time]",
    "money": "[currency]",
    "density": "[mass] / [length] ** 3",
    "power": "[power]",
}
# Ways units are written in survey files, normalised (NFKC, lower case, no spaces) -> pint expression.
WRITTEN = {
    "m2": "m**2", "m²": "m**2", "㎡": "m**2", "平方米": "m**2", "平米": "m**2", "sqm": "m**2",
    "ft2": "ft**2", "ft²": "ft**2", "sqft": "ft**2", "sq.ft": "ft**2", "平方英尺": "ft**2",
    "kwh": "kWh", "kw·h": "kWh", "kw.h": "kWh", "kw*h": "kWh", "千瓦时": "kWh", "千瓦·时": "kWh", "度": "kWh",
    "mwh": "MWh", "兆瓦时": "MWh", "千千瓦时": "MWh", "gwh": "GWh", "吉瓦时": "GWh",
    "mj": "MJ", "兆焦": "MJ", "千千焦": "MJ", "gj": "GJ", "吉焦": "GJ", "百万千焦": "GJ", "kj": "kJ", "千焦": "kJ",
    "kbtu": "kBtu", "mmbtu": "MMBtu", "btu": "Btu", "therm": "therm", "therms": "therm", "thm": "therm", "ustherm": "US_therm",
    "tce": "tce", "吨标准煤": "tce", "吨标煤": "tce", "t标准煤": "tce", "kgce": "kgce", "千克标准煤": "kgce",
    "公斤标准煤": "kgce", "kg标准煤": "kgce", "千克标煤": "kgce",
    "m3": "m**3", "m³": "m**3", "立方米": "m**3", "方": "m**3", "nm3": "m**3", "nm³": "m**3", "标准立方米": "m**3",
    "l": "L", "升": "L", "litre": "L", "liter": "L", "litres": "L", "liters": "L",
    "t": "t", "吨": "t", "tonne": "t", "tonnes": "t", "kg": "kg", "千克": "kg", "公斤": "kg",
    "元": "CNY", "人民币": "CNY", "cny": "CNY", "rmb": "CNY", "yuan": "CNY",
    "h": "h", "小时": "h", "hours": "h", "hour": "h", "hrs": "h", "年": "year", "a": "year", "years": "year",
    "kg/l": "kg/L", "千克/升": "kg/L", "kw": "kW", "千瓦": "kW",
}
_TEN_THOUSAND = ("万", "10k_", "10^4", "10⁴", "10000")
_SPACE = re.compile(r"\s+")


@lru_cache
def registry() -> pint.UnitRegistry:
    """pint's registry with the definitions above (built once per process)."""
    ureg = pint.UnitRegistry(cache_folder=None)
    for line in DEFINITIONS:
        ureg.define(line)
    return ureg


def _key(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(text))).strip().lower()


@dataclass(frozen=True)
class Defined:
    """A unit a profile defines: 1 symbol = factor × base; a heating value (per physical unit) for fuels."""

    symbol: str
    base: str
    factor: float
    heating_value: str | None = None  # e.g. "38.93 MJ/m3": energy per unit of the fuel


class UnitBook:
    """The units one run understands: the built-in ones and those its profile defines."""

    def __init__(self, defined: dict[str, Any] | None = None):
        self.defined: dict[str, Defined] = {}
        for symbol, spec in (defined or {}).items():
            self.defined[_key(symbol)] = Defined(str(symbol), str(spec["base"]), float(spec.get("factor", 1)),
                                                 spec.get("heating_value"))
        self._cache: dict[tuple[str, str, str], tuple[float | None, str | None]] = {}

    @property
    def ureg(self) -> pint.UnitRegistry:
        return registry()

    def quantity(self, text: str) -> pint.Quantity | None:
        """One of the unit as a pint quantity (None when unknown)."""
        key = _key(text)
        if not key:
            return None
        if key in self.defined:
            d = self.defined[key]
            base = self.quantity(d.base)
            return None if base is None else base * d.factor
        for prefix in _TEN_THOUSAND:
            if key.startswith(prefix.lower()) and len(key) > len(prefix):
                rest = self.quantity(key[len(prefix):])
                return None if rest is None else rest * 10_000
        expression = WRITTEN.get(key)
        candidates = [expression] if expression else [str(text).strip(), key]
        for candidate in candidates:
            try:
                q = self.ureg.Quantity(1, self.ureg.parse_units(candidate)) if candidate else None
            except Exception:  # noqa: BLE001 - arbitrary text reaches pint's tokenizer (TokenError, ...)
                q = None
            if q is not None:
                return q
        return None

    def heating_value(self, text: str) -> pint.Quantity | None:
        d = self.defined.get(_key(text))
        if d is None or not d.heating_value:
            return None
        value, _, unit = str(d.heating_value).strip().partition(" ")
        per = self.ureg.Quantity(float(value), self.ureg.parse_expression(WRITTEN.get(_key(unit), unit.replace("m3", "m**3"))))
        return per

    def factor(self, text: str, target: str, dimension: str) -> tuple[float | None, str | None]:
        """Factor from ``text`` to ``target`` for a field of ``dimension``, or (None, problem code)."""
        cache_key = (text, target, dimension)
        if cache_key not in self._cache:
            self._cache[cache_key] = self._factor(text, target, dimension)
        return self._cache[cache_key]

    def _factor(self, text: str, target: str, dimension: str) -> tuple[float | None, str | None]:
        q = self.quantity(text)
        if q is None:
            return None, UNKNOWN
        goal = self.quantity(target)
        if goal is None:
            raise ValueError(f"unit {target!r} of a declared field is not known")
        wanted = self.ureg.get_dimensionality(DIMENSIONS[dimension]) if dimension in DIMENSIONS else goal.dimensionality
        if q.dimensionality == wanted and goal.dimensionality == wanted:
            return float((q / goal).to("dimensionless").magnitude), None
        hv = self.heating_value(text)
        if hv is not None:  # energy of a fuel -> its physical unit through the heating value
            physical = q / hv
            if physical.dimensionality == goal.dimensionality:
                return float((physical / goal).to("dimensionless").magnitude), None
        return None, DIMENSION

    def dimension_of(self, text: str) -> str | None:
        """The declared dimension name a unit measures (None when unknown or none fits)."""
        q = self.quantity(text)
        if q is None:
            return None
        for name, dim in DIMENSIONS.items():
            if q.dimensionality == self.ureg.get_dimensionality(dim):
                return name
        return None

    def symbol(self, text: str) -> str:
        """A short label of the unit as written, for unit_reported."""
        return unicodedata.normalize("NFKC", str(text)).strip()[:16]
