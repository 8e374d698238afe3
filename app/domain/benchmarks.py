"""GB/T 51161-2016 benchmarking: value lookup, office correction, status and saving potential.

The standard judges non-heating energy in kWh/(m2*a) for offices (government / commercial), shopping
malls (by type) and hotels (by star grade), each class A or B, by climate zone. Other classes of the
2008 sub-metering guide (culture and education, medical, sports, mixed use, other) have no values in
it: their status says so (``not_covered``) instead of staying blank. In the severe-cold and cold zones
heating is excluded and judged separately against the standard's building heat consumption by city
(falling back to the zone), expressed in kgce/(m2*a) like the building's own heat; here district
heat is the heating carrier.
An office's measured intensity is corrected to standard operating hours T0 and floor area per person
S0 before comparison: E = E0 * (0.3 + 0.7*T0/T) * (0.7 + 0.3*S/S0). The corrected value is the
building's *comparable intensity*.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

STATUS_BETTER_THAN_GUIDE = "better_than_guide"
STATUS_BETWEEN = "between"
STATUS_ABOVE_CONSTRAINT = "above_constraint"
STATUS_NOT_COVERED = "not_covered"
STATUSES = (STATUS_BETTER_THAN_GUIDE, STATUS_BETWEEN, STATUS_ABOVE_CONSTRAINT)
STATUS_LABELS = {
    STATUS_BETTER_THAN_GUIDE: ("优于引导值", "better than guide"),
    STATUS_BETWEEN: ("引导值与约束值之间", "between guide and constraint"),
    STATUS_ABOVE_CONSTRAINT: ("超过约束值", "above constraint"),
    STATUS_NOT_COVERED: ("标准未覆盖", "not covered by GB/T 51161"),
}
OFFICE_CLASS = "A"
HEATING_CARRIER = "district_heat"
KGCE_PER_GJ_HEAT = 34.12  # GB/T 2589, the factor of district heat (0.03412 kgce/MJ)


@dataclass(frozen=True)
class BenchmarkValue:
    """Constraint and guide values, kWh/(m2*a)."""

    constraint_kwh_m2: float
    guide_kwh_m2: float


@dataclass(frozen=True)
class OfficeCorrection:
    """Standard operating hours T0 (h/a) and floor area per person S0 (m2/person) of an office subtype."""

    standard_hours: float
    standard_area_per_person_m2: float


def benchmark_subtype(building_class: str, is_government_office: bool,
                      default_subtypes: Mapping[str, str] | None = None) -> str:
    """Offices are government (党政机关) or commercial (商业); hotels and malls take their class's default.

    ``default_subtypes`` maps a class to the sub-type assumed when a building declares none
    (seeds/benchmark_subtypes.yaml); a class without one has subtype ''.
    """
    if building_class == OFFICE_CLASS:
        return "government" if is_government_office else "commercial"
    return (default_subtypes or {}).get(building_class, "")


def covered_classes(table: pd.DataFrame) -> frozenset[str]:
    """The building classes the benchmark table has values for."""
    return frozenset(str(c) for c in table["building_class"].dropna().unique())


def heating_values(district_code: pd.Series, climate_zone: pd.Series, table: pd.DataFrame, *,
                   kgce_per_gj: float = KGCE_PER_GJ_HEAT) -> pd.DataFrame:
    """Heating constraint and guide values per building, kgce/(m2*a): the city's, else its zone's.

    ``table`` has code_prefix ('' for a zone's default), climate_zone, constraint_gj_m2 and
    guide_gj_m2: the standard's building heat consumption (建筑耗热量, heat delivered to the
    building per m2 heated), which is what a district-heat meter measures. They are turned into kgce
    with the same factor as the building's heat (GB/T 2589 34.12 kgce/GJ), so both sides of the
    comparison count heat alike. A prefix row applies only to districts of the same climate zone (the
    south of Liaoning is cold, the north severe cold), the longest matching prefix winning. Buildings
    outside the table's zones get NaN.
    """
    codes = district_code.astype("object").where(district_code.notna(), "").astype(str).to_numpy().astype(str)
    zones = climate_zone.astype("object").to_numpy()
    out = pd.DataFrame({"heating_constraint_kgce_m2": np.nan, "heating_guide_kgce_m2": np.nan},
                       index=district_code.index)
    prefixes = table.assign(code_prefix=table["code_prefix"].fillna("").astype(str))
    prefixes = prefixes.assign(_length=prefixes["code_prefix"].str.len()).sort_values("_length")
    for row in prefixes.itertuples(index=False):  # shortest first: a longer prefix overwrites
        hit = (zones == row.climate_zone) & np.char.startswith(codes, row.code_prefix)
        out.loc[hit, "heating_constraint_kgce_m2"] = float(row.constraint_gj_m2) * kgce_per_gj
        out.loc[hit, "heating_guide_kgce_m2"] = float(row.guide_gj_m2) * kgce_per_gj
    return out


def default_benchmark_class(benchmark_class: str | None, is_large_public: bool) -> str:
    """The declared class, else B for large public buildings (mechanically ventilated) and A otherwise."""
    if benchmark_class in ("A", "B"):
        return benchmark_class
    return "B" if is_large_public else "A"


def lookup(
    table: pd.DataFrame, *, building_class: str, subtype: str, benchmark_class: str, climate_zone: str
) -> BenchmarkValue | None:
    """Find the values for a building; a subtype with no row of its own falls back to subtype ''."""
    for candidate in (subtype, ""):
        hit = table[
            (table["building_class"] == building_class)
            & (table["subtype"] == candidate)
            & (table["benchmark_class"] == benchmark_class)
            & (table["climate_zone"] == climate_zone)
        ]
        if not hit.empty:
            row = hit.iloc[0]
            return BenchmarkValue(float(row["constraint_kwh_m2"]), float(row["guide_kwh_m2"]))
    return None


def office_correction_factor(operating_hours, area_per_person, *, standard_hours, standard_area_per_person_m2):
    """(0.3 + 0.7*T0/T) * (0.7 + 0.3*S/S0); a missing or non-positive T or S leaves its term at 1.

    Takes two scalars (returns a float) or two aligned Series (returns a Series).
    """
    if np.ndim(operating_hours) == 0 and np.ndim(area_per_person) == 0:
        hours_ok = not pd.isna(operating_hours) and operating_hours > 0
        area_ok = not pd.isna(area_per_person) and area_per_person > 0
        hours_term = 0.3 + 0.7 * standard_hours / operating_hours if hours_ok else 1.0
        area_term = 0.7 + 0.3 * area_per_person / standard_area_per_person_m2 if area_ok else 1.0
        return float(hours_term * area_term)
    hours = pd.to_numeric(operating_hours, errors="coerce").astype("float64")
    area = pd.to_numeric(area_per_person, errors="coerce").astype("float64")
    hours_term = (0.3 + 0.7 * standard_hours / hours.where(hours > 0)).fillna(1.0)
    area_term = (0.7 + 0.3 * area.where(area > 0) / standard_area_per_person_m2).fillna(1.0)
    return hours_term * area_term


def status(comparable_kwh_m2, constraint_kwh_m2, guide_kwh_m2):
    """better_than_guide (<= guide), between (<= constraint) or above_constraint; None without a value."""
    if np.ndim(comparable_kwh_m2) == 0:
        values = [comparable_kwh_m2, constraint_kwh_m2, guide_kwh_m2]
        if any(pd.isna(v) for v in values):
            return None
        if comparable_kwh_m2 <= guide_kwh_m2:
            return STATUS_BETTER_THAN_GUIDE
        if comparable_kwh_m2 <= constraint_kwh_m2:
            return STATUS_BETWEEN
        return STATUS_ABOVE_CONSTRAINT
    value = pd.Series(comparable_kwh_m2, dtype="float64")
    constraint = pd.Series(constraint_kwh_m2, index=value.index, dtype="float64")
    guide = pd.Series(guide_kwh_m2, index=value.index, dtype="float64")
    known = value.notna() & constraint.notna() & guide.notna()
    labels = np.select(
        [value <= guide, value <= constraint], [STATUS_BETTER_THAN_GUIDE, STATUS_BETWEEN], STATUS_ABOVE_CONSTRAINT
    )
    return pd.Series(labels, index=value.index, dtype="object").where(known, None)


def saving_potential_kwh(comparable_kwh_m2, constraint_kwh_m2, floor_area_m2, correction_factor=1.0):
    """Measured energy above the constraint value, kWh/a: max(0, E - Ec) * area / correction factor.

    The comparable intensity is the measured one times the correction factor, so dividing by the
    factor brings the excess back to the building's own, uncorrected, energy.
    """
    excess = np.maximum(np.asarray(comparable_kwh_m2, dtype="float64") - np.asarray(constraint_kwh_m2, dtype="float64"), 0.0)
    result = excess * np.asarray(floor_area_m2, dtype="float64") / np.asarray(correction_factor, dtype="float64")
    if np.ndim(result) == 0:
        return float(result)
    index = comparable_kwh_m2.index if isinstance(comparable_kwh_m2, pd.Series) else None
    return pd.Series(result, index=index, dtype="float64")


def benchmark_frame(
    buildings: pd.DataFrame,
    table: pd.DataFrame,
    corrections: dict[str, OfficeCorrection],
    *,
    kgce_per_kwh,
    default_subtypes: Mapping[str, str] | None = None,
    heating_table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Benchmark every building-year in ``buildings`` in one pass.

    ``buildings`` needs building_class, is_government_office, is_large_public, benchmark_class,
    climate_zone, has_heating, floor_area_m2, heated_area_m2, occupants, operating_hours_per_year,
    energy_kgce and heating_kgce (the chosen method). Returns, aligned with it: benchmark_subtype,
    benchmark_class_used, non_heating_kwh_m2, heating_kgce_m2, correction_factor,
    comparable_kwh_m2, constraint_kwh_m2, guide_kwh_m2, benchmark_status, saving_potential_kwh,
    saving_potential_kgce, is_subtype_assumed (a hotel or mall judged against its class's default
    sub-type), heating_constraint_kgce_m2, heating_guide_kgce_m2 and heating_status.

    ``default_subtypes`` maps a class to its assumed sub-type (hotels, malls). A class with no row in
    ``table`` is ``not_covered``. ``heating_table`` (see ``heating_values``; needs district_code in
    ``buildings``) adds the heating judgement in the zones with heating; without it those columns are NaN.
    """
    out = pd.DataFrame(index=buildings.index)
    is_office = buildings["building_class"].eq(OFFICE_CLASS)
    is_gov = buildings["is_government_office"].fillna(False).astype(bool)
    defaults = buildings["building_class"].map(dict(default_subtypes or {})).astype("object")
    out["benchmark_subtype"] = np.where(is_office, np.where(is_gov, "government", "commercial"),
                                        defaults.fillna("").to_numpy())
    out["is_subtype_assumed"] = ~is_office & defaults.notna()
    declared = buildings["benchmark_class"]
    large = buildings["is_large_public"].fillna(False).astype(bool)
    out["benchmark_class_used"] = declared.where(declared.isin(["A", "B"]), np.where(large, "B", "A"))

    has_heating = buildings["has_heating"].fillna(False).astype(bool)
    heating_kgce = buildings["heating_kgce"].fillna(0.0).astype("float64")
    energy_kgce = buildings["energy_kgce"].astype("float64")
    non_heating_kgce = energy_kgce - heating_kgce.where(has_heating, 0.0)
    area = buildings["floor_area_m2"].astype("float64")
    out["non_heating_kwh_m2"] = non_heating_kgce / kgce_per_kwh / area.where(area > 0)
    heated_area = buildings["heated_area_m2"].astype("float64").where(lambda s: s > 0, area)
    out["heating_kgce_m2"] = (heating_kgce / heated_area.where(heated_area > 0)).where(has_heating)

    factor = pd.Series(1.0, index=buildings.index)
    per_person = buildings["floor_area_m2"].astype("float64") / buildings["occupants"].astype("float64").where(
        lambda s: s > 0
    )
    for subtype, correction in corrections.items():
        rows = is_office & out["benchmark_subtype"].eq(subtype)
        if rows.any():
            factor[rows] = office_correction_factor(
                buildings.loc[rows, "operating_hours_per_year"],
                per_person[rows],
                standard_hours=correction.standard_hours,
                standard_area_per_person_m2=correction.standard_area_per_person_m2,
            ).to_numpy()
    out["correction_factor"] = factor
    out["comparable_kwh_m2"] = out["non_heating_kwh_m2"] * factor

    keys = ["building_class", "subtype", "benchmark_class", "climate_zone"]
    values = table[keys + ["constraint_kwh_m2", "guide_kwh_m2"]].drop_duplicates(keys)
    probe = pd.DataFrame(
        {
            "building_class": buildings["building_class"].to_numpy(),
            "subtype": out["benchmark_subtype"].to_numpy(),
            "benchmark_class": out["benchmark_class_used"].to_numpy(),
            "climate_zone": buildings["climate_zone"].to_numpy(),
        }
    )
    exact = probe.merge(values, on=keys, how="left")
    generic = probe.assign(subtype="").merge(values, on=keys, how="left")
    out["constraint_kwh_m2"] = exact["constraint_kwh_m2"].fillna(generic["constraint_kwh_m2"]).to_numpy()
    out["guide_kwh_m2"] = exact["guide_kwh_m2"].fillna(generic["guide_kwh_m2"]).to_numpy()
    out["benchmark_status"] = status(out["comparable_kwh_m2"], out["constraint_kwh_m2"], out["guide_kwh_m2"])
    not_covered = ~buildings["building_class"].isin(covered_classes(table))
    out.loc[not_covered, "benchmark_status"] = STATUS_NOT_COVERED
    potential = saving_potential_kwh(out["comparable_kwh_m2"], out["constraint_kwh_m2"], area, factor)
    out["saving_potential_kwh"] = potential.where(out["constraint_kwh_m2"].notna() & out["comparable_kwh_m2"].notna())
    out["saving_potential_kgce"] = out["saving_potential_kwh"] * kgce_per_kwh
    if heating_table is not None and "district_code" in buildings:
        heating = heating_values(buildings["district_code"], buildings["climate_zone"], heating_table)
    else:
        heating = pd.DataFrame({"heating_constraint_kgce_m2": np.nan, "heating_guide_kgce_m2": np.nan},
                               index=buildings.index)
    heating = heating.where(np.repeat(has_heating.to_numpy()[:, None], heating.shape[1], axis=1))
    out["heating_constraint_kgce_m2"] = heating["heating_constraint_kgce_m2"].astype("float64")
    out["heating_guide_kgce_m2"] = heating["heating_guide_kgce_m2"].astype("float64")
    # judged only on heat actually reported: no district-heat record is no heating figure, not zero
    reported_heat = out["heating_kgce_m2"].where(buildings["heating_kgce"].notna())
    out["heating_status"] = status(reported_heat, out["heating_constraint_kgce_m2"], out["heating_guide_kgce_m2"])
    return out
