"""How figures are shown to people, the same in the dashboards and the reports: one colour per energy carrier,
and the unit a quantity is shown in.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

# One colour per carrier, whatever the language or the set of carriers a view happens to hold.
CARRIER_COLOURS: dict[str, str] = {
    "electricity": "#1f77b4",
    "natural_gas": "#ff7f0e",
    "district_heat": "#d62728",
    "lpg": "#9467bd",
    "coke_oven_gas": "#8c564b",
    "raw_coal": "#4d4d4d",
    "coke": "#7f7f7f",
    "fuel_oil": "#bcbd22",
    "gasoline": "#17becf",
    "diesel": "#2ca02c",
    "kerosene": "#e377c2",
}
OTHER_CARRIER_COLOUR = "#b0b7bf"

# Canonical units too small to read at building scale, and the unit they are shown in (factor: shown per canonical).
DISPLAY_UNITS: dict[str, tuple[str, float]] = {"MJ": ("GJ", 0.001)}


def carrier_colour(code: str) -> str:
    """The colour of a carrier in every chart."""
    return CARRIER_COLOURS.get(code, OTHER_CARRIER_COLOUR)


def display_unit(unit: str) -> str:
    return DISPLAY_UNITS.get(unit, (unit, 1.0))[0]


def to_display(quantity: float | None, unit: str) -> tuple[float | None, str]:
    """A quantity in the unit it is shown in: 1,200,000 MJ -> 1,200 GJ."""
    shown, factor = DISPLAY_UNITS.get(unit, (unit, 1.0))
    return (None if quantity is None else quantity * factor), shown


def frame_to_display(frame: pd.DataFrame, *, quantity: str = "quantity", unit: str = "unit") -> pd.DataFrame:
    """The frame with ``quantity`` and ``unit`` in the units they are shown in."""
    if frame.empty:
        return frame
    factors = frame[unit].map(lambda u: DISPLAY_UNITS.get(u, (u, 1.0))[1]).astype(float)
    return frame.assign(**{quantity: frame[quantity].astype(float) * np.asarray(factors),
                           unit: frame[unit].map(display_unit)})


def nice_ticks(value: float, most: int = 6) -> list[float]:
    """Axis ticks from 0 past ``value`` in steps of 1, 2 or 5 times a power of ten: 0, 50, 100, 150, 200."""
    if value <= 0 or not math.isfinite(value):
        return [0.0, 1.0]
    exponent = 10.0 ** math.floor(math.log10(value / most))
    for factor in (1, 2, 5, 10):
        step = factor * exponent
        if math.ceil(value / step - 1e-9) <= most:
            break
    count = max(1, math.ceil(value / step - 1e-9))
    return [round(step * k, 10) for k in range(count + 1)]
