"""Energy audits, their per-carrier annual totals and the retrofit measures they propose."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class EnergyAudit(Base):
    """An energy audit (能源审计) of one building for one year."""

    __tablename__ = "energy_audits"
    __table_args__ = (UniqueConstraint("building_id", "audit_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    audit_year: Mapped[int] = mapped_column(Integer, index=True)
    auditor: Mapped[str] = mapped_column(String(200))
    occupants: Mapped[int | None] = mapped_column(Integer)
    operating_hours_per_year: Mapped[float | None] = mapped_column(Float)
    electricity_kwh: Mapped[float | None] = mapped_column(Float)
    lighting_kwh: Mapped[float | None] = mapped_column(Float)
    hvac_kwh: Mapped[float | None] = mapped_column(Float)
    power_kwh: Mapped[float | None] = mapped_column(Float)
    special_kwh: Mapped[float | None] = mapped_column(Float)
    total_kgce_calorific: Mapped[float | None] = mapped_column(Float)
    total_kgce_generation: Mapped[float | None] = mapped_column(Float)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AuditCarrierTotal(Base):
    """The annual total of one carrier found by an audit."""

    __tablename__ = "audit_carrier_totals"
    __table_args__ = (UniqueConstraint("audit_id", "carrier_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("energy_audits.id", ondelete="CASCADE"))
    carrier_code: Mapped[str] = mapped_column(ForeignKey("energy_carriers.code"))
    quantity_reported: Mapped[float] = mapped_column(Float)
    unit_reported: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[float] = mapped_column(Float)
    kgce_calorific: Mapped[float] = mapped_column(Float)
    kgce_generation: Mapped[float] = mapped_column(Float)


class RetrofitMeasure(Base):
    """A retrofit measure an audit proposes, with investment, expected saving and payback."""

    __tablename__ = "retrofit_measures"
    __table_args__ = (UniqueConstraint("audit_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("energy_audits.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(64))
    investment_10k_cny: Mapped[float | None] = mapped_column(Float)
    expected_saving_tce: Mapped[float | None] = mapped_column(Float)
    payback_years: Mapped[float | None] = mapped_column(Float)
    implemented_on: Mapped[date | None] = mapped_column(Date)  # when the measure was carried out, if it was
