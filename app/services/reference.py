"""Reads of the reference tables."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.units import ConversionTables
from app.models import ConversionFactor, DistrictClimateZone, EnergyCarrier, Region, Unit


def conversion_tables(*, session: Session) -> ConversionTables:
    """Units, carriers and conversion factors, ready for app.domain.units.convert."""
    conn = session.connection()
    return ConversionTables(
        units=pd.read_sql(select(Unit.code, Unit.dimension, Unit.to_base), conn),
        carriers=pd.read_sql(select(EnergyCarrier.code, EnergyCarrier.canonical_unit, EnergyCarrier.density_kg_per_l), conn),
        factors=pd.read_sql(
            select(ConversionFactor.carrier_code, ConversionFactor.method, ConversionFactor.valid_from_year,
                   ConversionFactor.valid_to_year, ConversionFactor.kgce_per_unit).order_by(ConversionFactor.valid_from_year),
            conn,
        ),
    )


def climate_zone_prefixes(*, session: Session) -> dict[str, str]:
    """District code prefix -> climate zone."""
    return dict(session.execute(select(DistrictClimateZone.code_prefix, DistrictClimateZone.climate_zone)).all())


def list_regions(*, session: Session, demonstration_only: bool = False) -> list[Region]:
    """Regions ordered by code; optionally only the 21 demonstration regions."""
    stmt = select(Region).order_by(Region.code)
    if demonstration_only:
        stmt = stmt.where(Region.is_demonstration.is_(True))
    return list(session.scalars(stmt))
