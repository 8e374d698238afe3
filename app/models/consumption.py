"""Energy-consumption statistics.

Period key: (year, month) with month 0 meaning a whole-year figure. Every record points, through a
composite foreign key, at the one ``consumption_series`` row of its (building, carrier, year), and
that row fixes the grain ('A' annual or 'M' monthly). A building-carrier-year can therefore hold
either twelve months or one annual figure, never both, so totals cannot double-count.
Sub-item rows (electricity A-D) break down the whole-meter row (sub_item '') and are never summed
with it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class ConsumptionSeries(Base):
    """The grain (annual or monthly) of one building's carrier in one year."""

    __tablename__ = "consumption_series"
    __table_args__ = (
        UniqueConstraint("building_id", "carrier_code", "year", "grain"),
        CheckConstraint("grain IN ('A', 'M')", name="grain"),
    )

    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), primary_key=True)
    carrier_code: Mapped[str] = mapped_column(ForeignKey("energy_carriers.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    grain: Mapped[str] = mapped_column(String(1))


class ConsumptionRecord(Base):
    """One reported quantity, as reported and converted to canonical unit and kgce."""

    __tablename__ = "consumption_records"
    __table_args__ = (
        UniqueConstraint("building_id", "carrier_code", "year", "month", "sub_item"),
        ForeignKeyConstraint(
            ["building_id", "carrier_code", "year", "grain"],
            [
                "consumption_series.building_id",
                "consumption_series.carrier_code",
                "consumption_series.year",
                "consumption_series.grain",
            ],
            name="fk_consumption_records_series",
        ),
        CheckConstraint("(grain = 'A' AND month = 0) OR (grain = 'M' AND month BETWEEN 1 AND 12)", name="period"),
        CheckConstraint("sub_item IN ('', 'A', 'B', 'C', 'D')", name="sub_item"),
        CheckConstraint("quantity >= 0", name="quantity_non_negative"),
        # Covers the yearly per-building aggregation that every indicator starts from, so it reads
        # the index alone, already in group order.
        Index("ix_consumption_records_year_building", "year", "building_id", "carrier_code", "sub_item", "grain",
              "quantity", "kgce_calorific", "kgce_generation"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Building and carrier are checked through the series key (whose row refers to both), so each
    # loaded row pays for one foreign-key check instead of three.
    building_id: Mapped[int] = mapped_column(Integer)
    carrier_code: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    grain: Mapped[str] = mapped_column(String(1))
    sub_item: Mapped[str] = mapped_column(String(1), default="")
    quantity_reported: Mapped[float] = mapped_column(Float)
    unit_reported: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[float] = mapped_column(Float)
    kgce_calorific: Mapped[float] = mapped_column(Float)
    kgce_generation: Mapped[float] = mapped_column(Float)
    # Share of the month covered by interval readings summed into this record (None: reported as a
    # month or year total). A month below 1 is incomplete and does not count as a reported month.
    coverage: Mapped[float | None] = mapped_column(Float, nullable=True)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ConsumptionHistory(Base):
    """A consumption value as it was before a later upload replaced it."""

    __tablename__ = "consumption_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("consumption_records.id"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    carrier_code: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    sub_item: Mapped[str] = mapped_column(String(1), default="")
    quantity_reported: Mapped[float] = mapped_column(Float)
    unit_reported: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[float] = mapped_column(Float)
    kgce_calorific: Mapped[float] = mapped_column(Float)
    kgce_generation: Mapped[float] = mapped_column(Float)
    coverage: Mapped[float | None] = mapped_column(Float, nullable=True)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    superseded_by_upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    superseded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
