"""Stored rollups of consumption_records, kept in step by every writer (see app.services.rollups).

They hold nothing that cannot be recomputed from the records; they exist so that indicators, trends
and completeness at national scale read a few hundred thousand rows instead of ten million.
No foreign keys: a rollup is rebuilt, never edited by hand, and must not slow the loads down.
"""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class BuildingYearTotal(Base):
    """Per building, carrier and year: whole-meter totals, the months reported, and the sub-item totals."""

    __tablename__ = "building_year_totals"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    building_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    carrier_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    grain: Mapped[str] = mapped_column(String(1))
    # whole-meter rows: 12 for a complete monthly year, 1 for an annual figure
    months_reported: Mapped[int] = mapped_column(Integer)
    # bit m set when month m has a whole-meter row (bit 0: the annual figure)
    months_mask: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[float | None] = mapped_column(Float)
    kgce_calorific: Mapped[float | None] = mapped_column(Float)
    kgce_generation: Mapped[float | None] = mapped_column(Float)
    # electricity sub-items A-D, in the carrier's canonical unit (kWh)
    lighting_kwh: Mapped[float | None] = mapped_column(Float)
    hvac_kwh: Mapped[float | None] = mapped_column(Float)
    power_kwh: Mapped[float | None] = mapped_column(Float)
    special_kwh: Mapped[float | None] = mapped_column(Float)


class AreaMonthTotal(Base):
    """Whole-meter totals per district, carrier and month (month 0: annual figures)."""

    __tablename__ = "area_month_totals"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    carrier_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(6))
    city_code: Mapped[str] = mapped_column(String(6))
    buildings: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[float] = mapped_column(Float)
    kgce_calorific: Mapped[float] = mapped_column(Float)
    kgce_generation: Mapped[float] = mapped_column(Float)
