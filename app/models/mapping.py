"""Mapping profiles saved by auditors: how a file layout maps onto a survey kind's fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class MappingProfile(Base):
    """A named profile of one region (or of the nation, when an admin shares it) for one survey kind.

    ``spec`` is the profile itself (fields, wide, values, units, ignore, header_row), as accepted by
    the ``mapping`` option of an import.
    """

    __tablename__ = "mapping_profiles"
    __table_args__ = (UniqueConstraint("name", "region_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # 000000: shared nationally
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    is_shared: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
