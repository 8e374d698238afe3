"""The building registry and the history of its superseded attributes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class Building(Base):
    """A monitored building; code = district code (6) + class letter + sequence."""

    __tablename__ = "buildings"
    __table_args__ = (
        CheckConstraint("floor_area_m2 > 0", name="floor_area_positive"),
        CheckConstraint("benchmark_class IS NULL OR benchmark_class IN ('A', 'B')", name="benchmark_class"),
        UniqueConstraint("external_source", "external_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    district_code: Mapped[str] = mapped_column(String(6), index=True)
    # Derived from district_code so region filters are index lookups, not LIKE scans.
    province_code: Mapped[str] = mapped_column(String(6), index=True)
    city_code: Mapped[str] = mapped_column(String(6), index=True)
    climate_zone: Mapped[str | None] = mapped_column(ForeignKey("climate_zones.code"))
    building_class: Mapped[str] = mapped_column(ForeignKey("building_classes.code"), index=True)
    is_government_office: Mapped[bool] = mapped_column(Boolean, default=False)
    is_large_public: Mapped[bool] = mapped_column(Boolean, default=False)
    floor_area_m2: Mapped[float] = mapped_column(Float)
    ac_area_m2: Mapped[float | None] = mapped_column(Float)
    heated_area_m2: Mapped[float | None] = mapped_column(Float)
    year_built: Mapped[int | None] = mapped_column(Integer)
    floors: Mapped[int | None] = mapped_column(Integer)
    occupants: Mapped[int | None] = mapped_column(Integer)
    operating_hours_per_year: Mapped[float | None] = mapped_column(Float)
    benchmark_class: Mapped[str | None] = mapped_column(String(1))
    # The building's identity in another system (an energy-management platform, a property register).
    external_source: Mapped[str | None] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(64))
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BuildingHistory(Base):
    """Attribute values of a building as they were before an upload replaced them."""

    __tablename__ = "building_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    old_values: Mapped[dict[str, Any]] = mapped_column(JSON)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    superseded_by_upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    superseded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
