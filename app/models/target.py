"""Saving targets, decomposed from a parent scope down to regions and buildings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, Float, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class SavingTarget(Base):
    """A saving target for a scope (nation, region or building) between two years."""

    __tablename__ = "saving_targets"
    __table_args__ = (
        CheckConstraint("scope_level IN ('nation', 'region', 'building')", name="scope_level"),
        CheckConstraint("target_year > baseline_year", name="years"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    scope_level: Mapped[str] = mapped_column(String(16))
    scope_code: Mapped[str] = mapped_column(String(24), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("saving_targets.id", ondelete="CASCADE"), index=True)
    baseline_year: Mapped[int] = mapped_column(Integer)
    target_year: Mapped[int] = mapped_column(Integer)
    method_basis: Mapped[str] = mapped_column(String(16), default="calorific")
    baseline_kgce: Mapped[float] = mapped_column(Float)
    target_kgce: Mapped[float] = mapped_column(Float)
    saving_kgce: Mapped[float] = mapped_column(Float)
    cut_percent: Mapped[float | None] = mapped_column(Float)
    method: Mapped[str | None] = mapped_column(String(32))
    method_inputs: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
