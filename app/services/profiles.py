"""Mapping profiles saved in the database: per region, or shared nationally by an admin."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.regions import NATION_CODE
from app.models import MappingProfile


def _scope_chain(region_code: str | None) -> list[str]:
    """The region, its city and province, then the nation: where a profile name is looked up, in order."""
    if not region_code or region_code == NATION_CODE:
        return [NATION_CODE]
    chain = [region_code, region_code[:4] + "00", region_code[:2] + "0000", NATION_CODE]
    return list(dict.fromkeys(chain))


def save_profile(*, session: Session, name: str, kind: str, spec: dict[str, Any], region_code: str | None,
                 created_by: str | None = None, shared: bool = False) -> MappingProfile:
    """Create or replace the profile ``name`` of a region (of the nation when ``shared``)."""
    region = NATION_CODE if shared or not region_code else region_code
    profile = session.scalar(select(MappingProfile).where(MappingProfile.name == name, MappingProfile.region_code == region))
    if profile is None:
        profile = MappingProfile(name=name, region_code=region)
        session.add(profile)
    profile.kind, profile.spec, profile.is_shared = kind, spec, region == NATION_CODE
    profile.created_by = created_by
    profile.updated_at = datetime.now(UTC)
    session.flush()
    return profile


def find_profile(*, session: Session, name: str, region_code: str | None = None, kind: str | None = None
                 ) -> MappingProfile | None:
    """The profile called ``name`` nearest to a region (its own, its city's, its province's, then national)."""
    chain = _scope_chain(region_code)
    stmt = select(MappingProfile).where(MappingProfile.name == name, MappingProfile.region_code.in_(chain))
    if kind is not None:
        stmt = stmt.where(MappingProfile.kind == kind)
    found = {p.region_code: p for p in session.scalars(stmt)}
    return next((found[r] for r in chain if r in found), None)


def list_profiles(*, session: Session, region_code: str | None = None, kind: str | None = None) -> list[MappingProfile]:
    """Profiles visible from a region (all of them for the nation), by name."""
    stmt = select(MappingProfile).order_by(MappingProfile.name, MappingProfile.region_code)
    if region_code and region_code != NATION_CODE:
        stmt = stmt.where(MappingProfile.region_code.in_(_scope_chain(region_code)))
    if kind is not None:
        stmt = stmt.where(MappingProfile.kind == kind)
    return list(session.scalars(stmt))


def header_hints(*, session: Session, kind: str) -> dict[str, str]:
    """Column -> field pairs of every saved profile of a kind, as extra aliases for header recognition."""
    hints: dict[str, str] = {}
    for spec in session.scalars(select(MappingProfile.spec).where(MappingProfile.kind == kind)):
        for name, source in (spec or {}).get("fields", {}).items():
            column = source.get("column") if isinstance(source, dict) else source
            if isinstance(column, str) and column.strip():
                hints.setdefault(column, name)
    return hints
