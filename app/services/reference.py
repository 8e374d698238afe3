"""Reads of the reference tables."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.units import NON_ENERGY_CATEGORY, ConversionTables
from app.models import ConversionFactor, DistrictClimateZone, EnergyCarrier, Region, Unit


def conversion_tables(*, session: Session) -> ConversionTables:
    """Units, carriers and conversion factors, ready for app.domain.units.convert."""
    conn = session.connection()
    return ConversionTables(
        units=pd.read_sql(select(Unit.code, Unit.dimension, Unit.to_base), conn),
        carriers=pd.read_sql(select(EnergyCarrier.code, EnergyCarrier.canonical_unit, EnergyCarrier.density_kg_per_l,
                                     EnergyCarrier.category), conn),
        factors=pd.read_sql(
            select(ConversionFactor.carrier_code, ConversionFactor.method, ConversionFactor.valid_from_year,
                   ConversionFactor.valid_to_year, ConversionFactor.kgce_per_unit).order_by(ConversionFactor.valid_from_year),
            conn,
        ),
    )


def extrapolated_from(tables: ConversionTables, *, carrier_code: str, year: int, method: str) -> int | None:
    """The last published year whose factor stands in for ``year``, or None when ``year`` has its own.

    A carrier whose factor changes by year (electricity by the generation method) ends its table
    with an open row from the latest published year; a later year takes that value and is flagged.
    A constant factor (one open row for the whole period) is never extrapolated.
    """
    f = tables.factors
    rows = f[(f["carrier_code"] == carrier_code) & (f["method"] == method)]
    if len(rows) < 2:
        return None
    last = rows[rows["valid_to_year"].isna()]
    if last.empty:
        return None
    start = int(last["valid_from_year"].max())
    return start if year > start else None


def factor_extrapolated_from(*, session: Session, year: int, carrier_code: str = "electricity",
                             method: str = "generation") -> int | None:
    """``extrapolated_from`` read from the database: None, or the published year used for ``year``."""
    return extrapolated_from(conversion_tables(session=session), carrier_code=carrier_code, year=year, method=method)


def non_energy_carriers(*, session: Session) -> frozenset[str]:
    """Codes of the carriers that are quantities only (water): kept, but never part of a kgce total."""
    rows = session.scalars(select(EnergyCarrier.code).where(EnergyCarrier.category == NON_ENERGY_CATEGORY))
    return frozenset(rows)


def climate_zone_prefixes(*, session: Session) -> dict[str, str]:
    """District code prefix -> climate zone."""
    return dict(session.execute(select(DistrictClimateZone.code_prefix, DistrictClimateZone.climate_zone)).all())


def list_regions(*, session: Session, demonstration_only: bool = False) -> list[Region]:
    """Regions ordered by code; optionally only the 21 demonstration regions."""
    stmt = select(Region).order_by(Region.code)
    if demonstration_only:
        stmt = stmt.where(Region.is_demonstration.is_(True))
    return list(session.scalars(stmt))
