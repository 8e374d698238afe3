"""Year-end public disclosure (能效公示): a region's list for a year, its entries, and the published versions.

A ``DisclosureList`` is the working list of one region and year (draft → submitted → approved →
published). Publishing freezes the included buildings into a ``DisclosureVersion`` with its
``DisclosureItem`` rows: an immutable snapshot (values, benchmark status, method, factor versions,
basis). Only a version's withdrawal fields may change after it is written; items never change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base

LIST_STATUSES = ("draft", "submitted", "approved", "published", "withdrawn")
ENTRY_SOURCES = ("proposed", "added")


class DisclosureList(Base):
    """The disclosure list of one region and year and where it stands in the approval workflow."""

    __tablename__ = "disclosure_lists"
    __table_args__ = (
        UniqueConstraint("region_code", "year"),
        CheckConstraint("status IN ('draft', 'submitted', 'approved', 'published', 'withdrawn')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    year: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(16), default="calorific")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    submitted_by: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the change note the next published version will carry (required for a correction)
    change_note: Mapped[str | None] = mapped_column(Text)


class DisclosureEntry(Base):
    """A building on a draft list: proposed by the eligibility rules or added by hand; removed ones stay with their reason."""

    __tablename__ = "disclosure_entries"
    __table_args__ = (
        UniqueConstraint("list_id", "building_id"),
        CheckConstraint("source IN ('proposed', 'added')", name="source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("disclosure_lists.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"))
    source: Mapped[str] = mapped_column(String(16))
    is_included: Mapped[bool] = mapped_column(Boolean, default=True)
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DisclosureVersion(Base):
    """One published version of a region's list for a year: the header of an immutable snapshot."""

    __tablename__ = "disclosure_versions"
    __table_args__ = (UniqueConstraint("region_code", "year", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("disclosure_lists.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(16))
    benchmark_edition: Mapped[str] = mapped_column(String(32))
    factor_versions: Mapped[dict[str, Any]] = mapped_column(JSON)
    basis: Mapped[dict[str, Any]] = mapped_column(JSON)
    change_note: Mapped[str | None] = mapped_column(Text)
    building_count: Mapped[int] = mapped_column(Integer)
    content_sha256: Mapped[str] = mapped_column(String(64))
    submitted_by: Mapped[str] = mapped_column(String(64))
    approved_by: Mapped[str] = mapped_column(String(64))
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by: Mapped[str | None] = mapped_column(String(64))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)


class DisclosureItem(Base):
    """One building of a published version, with the figures as they were published."""

    __tablename__ = "disclosure_items"
    __table_args__ = (
        UniqueConstraint("version_id", "building_code"),
        Index("ix_disclosure_items_version_kwh", "version_id", "energy_kwh_m2"),
        Index("ix_disclosure_items_code_version", "building_code", "version_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("disclosure_versions.id"))
    building_code: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(200))
    district_code: Mapped[str] = mapped_column(String(6))
    building_class: Mapped[str] = mapped_column(String(1))
    is_government_office: Mapped[bool] = mapped_column(Boolean)
    is_large_public: Mapped[bool] = mapped_column(Boolean)
    climate_zone: Mapped[str | None] = mapped_column(String(32))
    floor_area_m2: Mapped[float] = mapped_column(Float)
    energy_kgce: Mapped[float | None] = mapped_column(Float)
    energy_kwh_m2: Mapped[float | None] = mapped_column(Float)
    energy_kgce_m2: Mapped[float | None] = mapped_column(Float)
    comparable_kwh_m2: Mapped[float | None] = mapped_column(Float)
    constraint_kwh_m2: Mapped[float | None] = mapped_column(Float)
    guide_kwh_m2: Mapped[float | None] = mapped_column(Float)
    benchmark_status: Mapped[str | None] = mapped_column(String(24))
    is_audited: Mapped[bool] = mapped_column(Boolean)
    is_comparable: Mapped[bool] = mapped_column(Boolean)
    comparison_reason: Mapped[str | None] = mapped_column(String(32))
    kgce_previous: Mapped[float | None] = mapped_column(Float)
    change_pct: Mapped[float | None] = mapped_column(Float)


class ImmutableSnapshotError(RuntimeError):
    """A published snapshot was about to be changed."""


VERSION_MUTABLE = {"withdrawn_at", "withdrawn_by", "withdrawal_reason"}


@event.listens_for(DisclosureItem, "before_update")
@event.listens_for(DisclosureItem, "before_delete")
def _items_are_frozen(_mapper, _connection, target: DisclosureItem) -> None:
    raise ImmutableSnapshotError(f"published item {target.building_code} of version {target.version_id} is immutable")


@event.listens_for(DisclosureVersion, "before_update")
def _versions_only_withdraw(_mapper, _connection, target: DisclosureVersion) -> None:
    changed = {attr.key for attr in inspect(target).attrs if attr.history.has_changes()}
    if changed - VERSION_MUTABLE:
        raise ImmutableSnapshotError(f"published version {target.version} may only be withdrawn, not changed: {sorted(changed)}")


@event.listens_for(DisclosureVersion, "before_delete")
def _versions_are_kept(_mapper, _connection, target: DisclosureVersion) -> None:
    raise ImmutableSnapshotError(f"published version {target.version} is kept; withdraw it instead")
