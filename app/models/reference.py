"""Reference data: regions, climate zones, building classes, carriers, units, factors, benchmarks."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class ClimateZone(Base):
    """GB 50176 thermal design zone."""

    __tablename__ = "climate_zones"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(32))
    name_en: Mapped[str] = mapped_column(String(64))
    has_heating: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(255))


class Region(Base):
    """An administrative region by its GB/T 2260 code; '000000' is the nation."""

    __tablename__ = "regions"
    __table_args__ = (CheckConstraint("level IN ('nation', 'province', 'municipality', 'city')", name="level"),)

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    is_demonstration: Mapped[bool] = mapped_column(Boolean, default=False)
    climate_zone: Mapped[str | None] = mapped_column(ForeignKey("climate_zones.code"))
    source: Mapped[str] = mapped_column(String(255))


class DistrictClimateZone(Base):
    """Climate zone of every district whose code starts with ``code_prefix`` (longest prefix wins)."""

    __tablename__ = "district_climate_zones"

    code_prefix: Mapped[str] = mapped_column(String(6), primary_key=True)
    climate_zone: Mapped[str] = mapped_column(ForeignKey("climate_zones.code"))
    note: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(255))


class BuildingClass(Base):
    """Building class A-H of the 2008 sub-metering guide."""

    __tablename__ = "building_classes"

    code: Mapped[str] = mapped_column(String(1), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(32))
    name_en: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(255))


class ElectricitySubItem(Base):
    """Electricity sub-item A-D (lighting & sockets, HVAC, power, special)."""

    __tablename__ = "electricity_sub_items"

    code: Mapped[str] = mapped_column(String(1), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(32))
    name_en: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(255))


class Unit(Base):
    """A unit of measure and its factor to the base unit of its dimension."""

    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(32))
    name_en: Mapped[str] = mapped_column(String(64))
    dimension: Mapped[str] = mapped_column(String(32))
    to_base: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(255))


class EnergyCarrier(Base):
    """An energy carrier (electricity, natural gas, district heat, ...) and its canonical unit."""

    __tablename__ = "energy_carriers"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(32))
    name_en: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(2))
    canonical_unit: Mapped[str] = mapped_column(ForeignKey("units.code"))
    density_kg_per_l: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(255))


class ConversionFactor(Base):
    """kgce per canonical unit of a carrier, by method, valid for a span of years."""

    __tablename__ = "conversion_factors"
    __table_args__ = (
        UniqueConstraint("carrier_code", "method", "valid_from_year"),
        CheckConstraint("method IN ('calorific', 'generation')", name="method"),
        CheckConstraint("kgce_per_unit > 0", name="positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    carrier_code: Mapped[str] = mapped_column(ForeignKey("energy_carriers.code"))
    method: Mapped[str] = mapped_column(String(16))
    valid_from_year: Mapped[int] = mapped_column(Integer)
    valid_to_year: Mapped[int | None] = mapped_column(Integer)
    kgce_per_unit: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(255))


class Benchmark(Base):
    """GB/T 51161 non-heating energy constraint and guide values, kWh/(m2*a)."""

    __tablename__ = "benchmarks"
    __table_args__ = (
        UniqueConstraint("edition", "building_class", "subtype", "benchmark_class", "climate_zone"),
        CheckConstraint("guide_kwh_m2 <= constraint_kwh_m2", name="guide_le_constraint"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition: Mapped[str] = mapped_column(String(32))
    building_class: Mapped[str] = mapped_column(ForeignKey("building_classes.code"))
    subtype: Mapped[str] = mapped_column(String(32), default="")
    benchmark_class: Mapped[str] = mapped_column(String(1))
    climate_zone: Mapped[str] = mapped_column(ForeignKey("climate_zones.code"))
    constraint_kwh_m2: Mapped[float] = mapped_column(Float)
    guide_kwh_m2: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(255))
