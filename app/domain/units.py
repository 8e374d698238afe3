"""Unit normalisation and conversion to kilograms of standard coal equivalent (kgce).

Vectorised over a DataFrame so the ETL and the demo generator convert millions of rows at once.
A quantity is first brought to its carrier's canonical unit (kWh, m3, kg, MJ), then multiplied by
the factor valid for its year, once per method: calorific (当量值) and generation (等价值).
Litres become kilograms through the carrier's density; kgce/tce quantities are turned back into the
canonical unit through the calorific factor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

METHODS = ("calorific", "generation")
FIRST_YEAR, LAST_YEAR = 1990, 2100

# Problems a row can have; the ETL turns them into findings.
UNKNOWN_UNIT = "unit.unknown"
INCOMPATIBLE_UNIT = "unit.incompatible"
NO_DENSITY = "unit.no_density"
NO_FACTOR = "factor.missing"
# Category of the 2008 sub-metering guide that is a quantity, not energy (02 water): converted to its
# canonical unit, never to kgce (its kgce is 0 and it has no factor).
NON_ENERGY_CATEGORY = "02"


@dataclass(frozen=True)
class ConversionTables:
    """Units, carriers and year-versioned factors, as read from the reference tables."""

    units: pd.DataFrame  # code, dimension, to_base
    carriers: pd.DataFrame  # code, canonical_unit, density_kg_per_l[, category]
    factors: pd.DataFrame  # carrier_code, method, valid_from_year, valid_to_year, kgce_per_unit

    def factor_by_year(self) -> pd.DataFrame:
        """One row per (carrier_code, year) with columns calorific and generation (kgce per canonical unit)."""
        years = np.arange(FIRST_YEAR, LAST_YEAR + 1)
        parts = []
        for row in self.factors.itertuples(index=False):
            last = LAST_YEAR if pd.isna(row.valid_to_year) else int(row.valid_to_year)
            span = years[(years >= int(row.valid_from_year)) & (years <= last)]
            parts.append(pd.DataFrame({"carrier_code": row.carrier_code, "method": row.method, "year": span,
                                       "kgce_per_unit": row.kgce_per_unit}))
        table = pd.concat(parts, ignore_index=True)
        wide = table.pivot_table(index=["carrier_code", "year"], columns="method", values="kgce_per_unit", aggfunc="last")
        return wide.reindex(columns=list(METHODS)).reset_index()

    def factor(self, carrier_code: str, year: int, method: str) -> float | None:
        """The kgce factor of one carrier in one year by one method."""
        rows = self.factors[(self.factors.carrier_code == carrier_code) & (self.factors.method == method)
                            & (self.factors.valid_from_year <= year)
                            & (self.factors.valid_to_year.isna() | (self.factors.valid_to_year >= year))]
        return None if rows.empty else float(rows.kgce_per_unit.iloc[-1])


def convert(frame: pd.DataFrame, tables: ConversionTables) -> pd.DataFrame:
    """Convert columns carrier_code, year, quantity, unit to canonical quantity and kgce.

    Returns a frame aligned with ``frame`` with columns ``quantity_canonical``, ``kgce_calorific``,
    ``kgce_generation`` and ``problem`` (None, or one of the problem codes above).
    """
    units = tables.units.set_index("code")
    carriers = tables.carriers.set_index("code")
    out = pd.DataFrame(index=frame.index)
    quantity = frame["quantity"].astype("float64")
    unit = frame["unit"].astype("object")
    carrier = frame["carrier_code"].astype("object")

    unit_dim = unit.map(units["dimension"])
    unit_factor = unit.map(units["to_base"]).astype("float64")
    canonical = carrier.map(carriers["canonical_unit"])
    canonical_dim = canonical.map(units["dimension"])
    canonical_factor = canonical.map(units["to_base"]).astype("float64")
    density = carrier.map(carriers["density_kg_per_l"]).astype("float64")

    factors = tables.factor_by_year().set_index(["carrier_code", "year"])
    key = pd.MultiIndex.from_arrays([carrier, frame["year"].astype("int64")])
    calorific = pd.Series(factors["calorific"].reindex(key).to_numpy(), index=frame.index)
    generation = pd.Series(factors["generation"].reindex(key).to_numpy(), index=frame.index)

    same_dim = unit_dim == canonical_dim
    litres = (unit_dim == "liquid_volume") & (canonical_dim == "mass")
    coal = unit_dim == "coal_equivalent"

    result = pd.Series(np.nan, index=frame.index)
    result[same_dim] = quantity[same_dim] * unit_factor[same_dim] / canonical_factor[same_dim]
    result[litres] = quantity[litres] * density[litres] / canonical_factor[litres]
    result[coal] = quantity[coal] * unit_factor[coal] / calorific[coal]

    problem = pd.Series(None, index=frame.index, dtype="object")
    problem[~same_dim & ~litres & ~coal] = INCOMPATIBLE_UNIT
    problem[litres & density.isna()] = NO_DENSITY
    categories = carriers["category"] if "category" in carriers else pd.Series(dtype="object")
    quantity_only = carrier.map(categories).eq(NON_ENERGY_CATEGORY)
    problem[(calorific.isna() | generation.isna()) & ~quantity_only] = NO_FACTOR
    problem[quantity_only & coal] = INCOMPATIBLE_UNIT
    problem[unit_dim.isna()] = UNKNOWN_UNIT

    out["quantity_canonical"] = result.where(problem.isna())
    out["kgce_calorific"] = (out["quantity_canonical"] * calorific).mask(quantity_only, 0.0).where(problem.isna())
    out["kgce_generation"] = (out["quantity_canonical"] * generation).mask(quantity_only, 0.0).where(problem.isna())
    out["problem"] = problem
    return out
