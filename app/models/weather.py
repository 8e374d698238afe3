"""Weather: monthly degree-days per location, and the typical year they are normalised to.

A location is a GB/T 2260 code (province, municipality, city or district). A building takes the
series of its most specific location that has one: district, then city, then province.
Degree-days are HDD18 (heating, base 18 °C) and CDD26 (cooling, base 26 °C), in °C·d per month.
When a survey gives the monthly mean temperature instead, the degree-days are derived from it
(``is_derived``) and the temperature is kept as reported.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class WeatherMonth(Base):
    """One location's degree-days for one month of one year."""

    __tablename__ = "weather_months"
    __table_args__ = (
        UniqueConstraint("location_code", "year", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month"),
        CheckConstraint("hdd18 >= 0 AND cdd26 >= 0", name="degree_days"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    location_code: Mapped[str] = mapped_column(String(6), index=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    hdd18: Mapped[float] = mapped_column(Float)
    cdd26: Mapped[float] = mapped_column(Float)
    mean_temp_c: Mapped[float | None] = mapped_column(Float)
    is_derived: Mapped[bool] = mapped_column(Boolean, default=False)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class WeatherHistory(Base):
    """A superseded weather month, as it was before an upload replaced it."""

    __tablename__ = "weather_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    location_code: Mapped[str] = mapped_column(String(6), index=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    hdd18: Mapped[float] = mapped_column(Float)
    cdd26: Mapped[float] = mapped_column(Float)
    mean_temp_c: Mapped[float | None] = mapped_column(Float)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    superseded_by_upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    superseded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class TypicalDegreeDays(Base):
    """Typical-year annual HDD18 and CDD26 of a city (GB 50176-2016), the reference of normalisation."""

    __tablename__ = "typical_degree_days"

    location_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    hdd18: Mapped[float] = mapped_column(Float)
    cdd26: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(255))
    needs_verification: Mapped[bool] = mapped_column(Boolean, default=False)
