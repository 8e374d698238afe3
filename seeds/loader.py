"""Load the reference CSV files into the database; running it again changes nothing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Base
from app.models import (
    Benchmark,
    BuildingClass,
    ClimateZone,
    ConversionFactor,
    DistrictClimateZone,
    ElectricitySubItem,
    EnergyCarrier,
    Region,
    Unit,
)

SEEDS_DIR = Path(__file__).parent
LEVEL_ORDER = {"nation": 0, "province": 1, "municipality": 1, "city": 2}

# (model, file, natural key columns) in foreign-key order.
REFERENCE_TABLES: list[tuple[type[Base], str, tuple[str, ...]]] = [
    (ClimateZone, "climate_zones.csv", ("code",)),
    (Region, "regions.csv", ("code",)),
    (DistrictClimateZone, "district_climate_zones.csv", ("code_prefix",)),
    (BuildingClass, "building_classes.csv", ("code",)),
    (ElectricitySubItem, "electricity_sub_items.csv", ("code",)),
    (Unit, "units.csv", ("code",)),
    (EnergyCarrier, "energy_carriers.csv", ("code",)),
    (ConversionFactor, "conversion_factors.csv", ("carrier_code", "method", "valid_from_year")),
    (Benchmark, "benchmarks.csv", ("edition", "building_class", "subtype", "benchmark_class", "climate_zone")),
]


def read_seed(filename: str) -> list[dict]:
    """Rows of a seed CSV with values typed as the model columns expect (blank -> None)."""
    frame = pd.read_csv(SEEDS_DIR / filename, dtype=str, keep_default_na=False, encoding="utf-8")
    rows = []
    for record in frame.to_dict("records"):
        rows.append({key: _typed(key, value) for key, value in record.items()})
    return rows


def _typed(column: str, value: str):
    if value == "":
        return "" if column == "subtype" else None
    if column.startswith(("is_", "has_")):
        return value.strip().lower() in {"true", "1", "yes"}
    if column.endswith("_year"):
        return int(value)
    if column in {"to_base", "kgce_per_unit", "density_kg_per_l", "constraint_kwh_m2", "guide_kwh_m2"}:
        return float(value)
    return value


def load_reference(session: Session) -> dict[str, int]:
    """Insert or update every reference table; return the rows changed per table."""
    changed: dict[str, int] = {}
    for model, filename, key in REFERENCE_TABLES:
        rows = read_seed(filename)
        if model is Region:
            rows.sort(key=lambda row: LEVEL_ORDER[row["level"]])
        changed[model.__tablename__] = _upsert(session, model, key, rows)
    return changed


def _upsert(session: Session, model: type[Base], key: tuple[str, ...], rows: list[dict]) -> int:
    existing = {tuple(getattr(obj, k) for k in key): obj for obj in session.scalars(select(model))}
    changed = 0
    for row in rows:
        obj = existing.get(tuple(row[k] for k in key))
        if obj is None:
            session.add(model(**row))
            session.flush()  # parents before children (regions refer to regions)
            changed += 1
        elif any(getattr(obj, column) != value for column, value in row.items()):
            for column, value in row.items():
                setattr(obj, column, value)
            changed += 1
    session.flush()
    return changed
