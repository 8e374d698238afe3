"""Year-end disclosure (能效公示): drafting a region's list, approval, publication as versioned snapshots, and public reads.

Workflow per region and year: ``draft`` (the eligibility rules propose buildings; ``set_entry`` adds
or removes one with a reason) → ``submit`` → ``approve`` (somebody other than the submitter) →
``publish`` (an immutable ``DisclosureVersion`` with its items) → optionally ``draft`` again for a
correction (the next publication is version n+1 and needs a change note) or ``withdraw`` (every
version of that region and year leaves the public). Who may do what: ``app.domain.disclosure.permission``.
Public reads (``current_versions``, ``public_version``, ``public_items``...) only ever see published,
unwithdrawn versions.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import and_, func, insert, or_, select
from sqlalchemy.orm import Session

from app.domain import disclosure as rules
from app.domain.disclosure import Actor
from app.models import (
    Building,
    BuildingClass,
    BuildingYearTotal,
    ConsumptionRecord,
    ConversionFactor,
    DisclosureEntry,
    DisclosureItem,
    DisclosureList,
    DisclosureVersion,
    EnergyAudit,
    Finding,
    Region,
)
from app.services.comparison import building_changes
from app.services.indicators import BENCHMARK_EDITION, building_year_indicators, in_region

METHODS = ("calorific", "generation")
ITEM_FIELDS = [
    "building_code", "name", "district_code", "building_class", "is_government_office", "is_large_public",
    "climate_zone", "floor_area_m2", "energy_kgce", "energy_kwh_m2", "energy_kgce_m2", "comparable_kwh_m2",
    "constraint_kwh_m2", "guide_kwh_m2", "benchmark_status", "is_audited", "is_comparable", "comparison_reason",
    "kgce_previous", "change_pct",
]
SORTS = {
    "code": (DisclosureItem.building_code,),
    "name": (DisclosureItem.name, DisclosureItem.building_code),
    "intensity": (DisclosureItem.energy_kwh_m2, DisclosureItem.building_code),
    "-intensity": (DisclosureItem.energy_kwh_m2.desc(), DisclosureItem.building_code),
    "area": (DisclosureItem.floor_area_m2, DisclosureItem.building_code),
    "-area": (DisclosureItem.floor_area_m2.desc(), DisclosureItem.building_code),
}


class DisclosureError(ValueError):
    """The workflow does not allow this now (wrong state, missing reason or note, unknown region)."""


class DisclosureForbidden(PermissionError):
    """The actor's role or region scope does not allow this action."""


def _now() -> datetime:
    return datetime.now(UTC)


def check(actor: Actor, action: str, region_code: str, submitted_by: str | None = None) -> None:
    why = rules.permission(actor, action, region_code, submitted_by=submitted_by)
    if why is not None:
        raise DisclosureForbidden(why)


def _region(session: Session, region_code: str) -> Region:
    region = session.get(Region, region_code)
    if region is None or region.code == rules.NATION_CODE:
        raise DisclosureError(f"未知地区 unknown region {region_code}")
    return region


def get_list(*, session: Session, region_code: str, year: int) -> DisclosureList | None:
    """The working list of a region and year, if any."""
    return session.scalar(select(DisclosureList).where(DisclosureList.region_code == region_code,
                                                       DisclosureList.year == year))


def _require_list(session: Session, region_code: str, year: int) -> DisclosureList:
    item = get_list(session=session, region_code=region_code, year=year)
    if item is None:
        raise DisclosureError(f"{region_code} {year} 尚无公示名单 / no disclosure list yet: draft one first")
    return item


# --------------------------------------------------------------------------------------------- eligibility
def open_finding_buildings(*, session: Session, year: int, region_code: str) -> set[int]:
    """Buildings of the region with a stored record of the year from an upload that raised an error or warning."""
    flagged = select(Finding.upload_id).where(Finding.severity.in_(("error", "warning"))).distinct()
    query = (select(ConsumptionRecord.building_id).distinct()
             .join(Building, Building.id == ConsumptionRecord.building_id)
             .where(ConsumptionRecord.year == year, ConsumptionRecord.upload_id.in_(flagged), in_region(region_code)))
    return set(session.scalars(query))


def audited_buildings(*, session: Session, year: int, region_code: str) -> set[int]:
    """Buildings of the region audited in or before the year."""
    query = (select(EnergyAudit.building_id).distinct().join(Building, Building.id == EnergyAudit.building_id)
             .where(EnergyAudit.audit_year <= year, in_region(region_code)))
    return set(session.scalars(query))


def eligibility(*, session: Session, year: int, region_code: str, method: str = "calorific") -> pd.DataFrame:
    """Every building of the region with its indicators, ``is_eligible``, ``ineligible_reason`` and ``is_audited``."""
    frame = building_year_indicators(session=session, year=year, region_code=region_code, method=method)
    frame["has_open_finding"] = frame["building_id"].isin(open_finding_buildings(session=session, year=year,
                                                                                 region_code=region_code))
    frame["is_audited"] = frame["building_id"].isin(audited_buildings(session=session, year=year,
                                                                      region_code=region_code))
    return rules.eligibility(frame)


def comparable_changes(*, session: Session, year: int, region_code: str, method: str) -> pd.DataFrame:
    """Each building's change against the previous year on the comparable basis (one definition: app.services.comparison)."""
    changes = building_changes(session=session, year=year, region_code=region_code, method=method)
    return changes[["building_id", "is_comparable", "reason", "kgce_previous", "change_pct"]]


# --------------------------------------------------------------------------------------------- workflow
def draft(*, session: Session, actor: Actor, region_code: str, year: int, method: str = "calorific") -> DisclosureList:
    """Start (or reopen for a correction) the region's list for the year; new lists get the proposed buildings."""
    check(actor, "draft", region_code)
    _region(session, region_code)
    if method not in METHODS:
        raise DisclosureError(f"unknown method {method}")
    found = get_list(session=session, region_code=region_code, year=year)
    if found is not None:
        if found.status in ("published", "withdrawn", "submitted", "approved"):
            found.status = "draft"
            found.submitted_by = found.submitted_at = found.approved_by = found.approved_at = None
            found.change_note = None
            session.flush()
        return found
    listing = DisclosureList(region_code=region_code, year=year, method=method, status="draft",
                             created_by=actor.username)
    session.add(listing)
    session.flush()
    proposed = eligibility(session=session, year=year, region_code=region_code, method=method)
    proposed = proposed[proposed["is_eligible"]]
    session.add_all(DisclosureEntry(list_id=listing.id, building_id=int(b), source="proposed", is_included=True,
                                    changed_by=actor.username) for b in proposed["building_id"])
    session.flush()
    return listing


def _editable(session: Session, actor: Actor, region_code: str, year: int) -> DisclosureList:
    check(actor, "draft", region_code)
    listing = _require_list(session, region_code, year)
    if listing.status != "draft":
        raise DisclosureError(f"名单状态为 {listing.status}，只能修改草稿 / the list is {listing.status}: only a draft can change")
    return listing


def set_entry(*, session: Session, actor: Actor, region_code: str, year: int, building_code: str,
              include: bool, reason: str) -> DisclosureEntry:
    """Add a building to the draft or remove one from it; a reason is required either way."""
    listing = _editable(session, actor, region_code, year)
    reason = (reason or "").strip()
    if not reason:
        raise DisclosureError("需要说明理由 / a reason is required to add or remove a building")
    building = session.scalar(select(Building).where(Building.code == building_code, in_region(region_code)))
    if building is None:
        raise DisclosureError(f"{building_code} 不是 {region_code} 的建筑 / is not a building of region {region_code}")
    entry = session.scalar(select(DisclosureEntry).where(DisclosureEntry.list_id == listing.id,
                                                         DisclosureEntry.building_id == building.id))
    if entry is None:
        entry = DisclosureEntry(list_id=listing.id, building_id=building.id, source="added")
        session.add(entry)
    entry.is_included = include
    entry.reason = reason
    entry.changed_by = actor.username
    entry.changed_at = _now()
    session.flush()
    return entry


def draft_entries(*, session: Session, region_code: str, year: int) -> pd.DataFrame:
    """The list's buildings (included or removed) with their source, reason and the year's figures."""
    listing = _require_list(session, region_code, year)
    rows = session.execute(
        select(DisclosureEntry.building_id, Building.code, Building.name, DisclosureEntry.source,
               DisclosureEntry.is_included, DisclosureEntry.reason, DisclosureEntry.changed_by)
        .join(Building, Building.id == DisclosureEntry.building_id)
        .where(DisclosureEntry.list_id == listing.id).order_by(Building.code)
    ).all()
    return pd.DataFrame(rows, columns=["building_id", "code", "name", "source", "is_included", "reason", "changed_by"])


def submit(*, session: Session, actor: Actor, region_code: str, year: int,
           change_note: str | None = None) -> DisclosureList:
    """Submit the draft for approval; a correction of a published list needs a change note."""
    listing = _editable(session, actor, region_code, year)
    check(actor, "submit", region_code)
    included = session.scalar(select(func.count()).select_from(DisclosureEntry)
                              .where(DisclosureEntry.list_id == listing.id, DisclosureEntry.is_included))
    if not included:
        raise DisclosureError("名单为空 / the list has no building to disclose")
    note = (change_note or "").strip() or None
    if _latest_version(session, listing.id) is not None and note is None:
        raise DisclosureError("更正须附更正说明 / a correction of a published list needs a change note")
    listing.status = "submitted"
    listing.submitted_by = actor.username
    listing.submitted_at = _now()
    listing.change_note = note
    session.flush()
    return listing


def approve(*, session: Session, actor: Actor, region_code: str, year: int) -> DisclosureList:
    """Approve a submitted list (not by its submitter)."""
    listing = _require_list(session, region_code, year)
    check(actor, "approve", region_code, submitted_by=listing.submitted_by)
    if listing.status != "submitted":
        raise DisclosureError(f"名单状态为 {listing.status}，只能批准已提交的名单 / only a submitted list can be approved")
    listing.status = "approved"
    listing.approved_by = actor.username
    listing.approved_at = _now()
    session.flush()
    return listing


def _latest_version(session: Session, list_id: int) -> DisclosureVersion | None:
    return session.scalar(select(DisclosureVersion).where(DisclosureVersion.list_id == list_id)
                          .order_by(DisclosureVersion.version.desc()).limit(1))


def factor_versions(*, session: Session, year: int) -> dict[str, Any]:
    """The conversion factors in force for the year, by method and carrier (what the snapshot's kgce rest on)."""
    rows = session.scalars(select(ConversionFactor).where(
        ConversionFactor.valid_from_year <= year,
        or_(ConversionFactor.valid_to_year.is_(None), ConversionFactor.valid_to_year >= year),
    ).order_by(ConversionFactor.method, ConversionFactor.carrier_code)).all()
    out: dict[str, Any] = {}
    for f in rows:
        out.setdefault(f.method, {})[f.carrier_code] = {
            "kgce_per_unit": f.kgce_per_unit, "valid_from_year": f.valid_from_year, "valid_to_year": f.valid_to_year,
            "source": f.source,
        }
    return out


def _clean(value: Any) -> Any:
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else float(value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value


def snapshot_rows(*, session: Session, listing: DisclosureList) -> list[dict[str, Any]]:
    """The included buildings with the figures a publication freezes, sorted by code."""
    entries = session.scalars(select(DisclosureEntry.building_id).where(DisclosureEntry.list_id == listing.id,
                                                                        DisclosureEntry.is_included)).all()
    frame = eligibility(session=session, year=listing.year, region_code=listing.region_code, method=listing.method)
    frame = frame[frame["building_id"].isin(set(entries))]
    changes = comparable_changes(session=session, year=listing.year, region_code=listing.region_code,
                                 method=listing.method)
    frame = frame.merge(changes, on="building_id", how="left")
    frame["is_comparable"] = frame["is_comparable"].fillna(False).astype(bool)
    frame["change_pct"] = frame["change_pct"].where(frame["is_comparable"])
    frame = frame.rename(columns={"code": "building_code", "reason": "comparison_reason"}).sort_values("building_code")
    return [{k: _clean(v) for k, v in row.items()} for row in frame[ITEM_FIELDS].to_dict("records")]


def publish(*, session: Session, actor: Actor, region_code: str, year: int) -> DisclosureVersion:
    """Publish the approved list as the next version: an immutable snapshot of its buildings and figures."""
    check(actor, "publish", region_code)
    listing = _require_list(session, region_code, year)
    if listing.status != "approved":
        raise DisclosureError(f"名单状态为 {listing.status}，只能发布已批准的名单 / only an approved list can be published")
    rows = snapshot_rows(session=session, listing=listing)
    latest = _latest_version(session, listing.id)
    content = json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str).encode()
    included = len(rows)
    counts = dict(session.execute(select(DisclosureEntry.source, func.count()).where(
        DisclosureEntry.list_id == listing.id, DisclosureEntry.is_included).group_by(DisclosureEntry.source)).all())
    removed = session.scalar(select(func.count()).select_from(DisclosureEntry).where(
        DisclosureEntry.list_id == listing.id, DisclosureEntry.is_included.is_(False)))
    version = DisclosureVersion(
        list_id=listing.id, region_code=region_code, year=year, version=(latest.version + 1) if latest else 1,
        method=listing.method, benchmark_edition=BENCHMARK_EDITION,
        factor_versions=factor_versions(session=session, year=year),
        basis={
            "eligibility": "complete year (every carrier reported for all twelve months or as an annual figure) "
                           "and no stored record of the year from an upload with an error or warning finding",
            "comparison": f"like-for-like against {year - 1}: the building complete in both years with the same "
                          "carriers and the same region; otherwise no change is shown",
            "intensity": "kWh/(m²·a) = kgce ÷ kgce per kWh of electricity by the same method; "
                         "kgce/(m²·a) = kgce ÷ floor area",
            "previous_year": year - 1,
            "proposed": int(counts.get("proposed", 0)),
            "added": int(counts.get("added", 0)),
            "removed": int(removed or 0),
        },
        change_note=listing.change_note, building_count=included,
        content_sha256=hashlib.sha256(content).hexdigest(),
        submitted_by=listing.submitted_by or "", approved_by=listing.approved_by or "", published_by=actor.username,
        published_at=_now(),
    )
    session.add(version)
    session.flush()
    if rows:  # set-based: a national-scale region publishes thousands of rows
        session.execute(insert(DisclosureItem), [{"version_id": version.id, **row} for row in rows])
    listing.status = "published"
    session.flush()
    return version


def withdraw(*, session: Session, actor: Actor, region_code: str, year: int, reason: str) -> int:
    """Take the region's disclosure for the year off the public: every published version; returns how many."""
    check(actor, "withdraw", region_code)
    reason = (reason or "").strip()
    if not reason:
        raise DisclosureError("撤回须说明理由 / a withdrawal needs a reason")
    listing = _require_list(session, region_code, year)
    versions = session.scalars(select(DisclosureVersion).where(DisclosureVersion.list_id == listing.id,
                                                               DisclosureVersion.withdrawn_at.is_(None))).all()
    if not versions:
        raise DisclosureError("没有可撤回的已发布版本 / nothing published to withdraw")
    now = _now()
    for v in versions:
        v.withdrawn_at, v.withdrawn_by, v.withdrawal_reason = now, actor.username, reason
    listing.status = "withdrawn"
    session.flush()
    return len(versions)


@dataclass(frozen=True)
class ListState:
    """A list as the workflow sees it (for the CLI, the API and the management page)."""

    region_code: str
    year: int
    status: str
    method: str
    created_by: str
    submitted_by: str | None
    approved_by: str | None
    change_note: str | None
    included: int
    removed: int
    latest_version: int | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def list_states(*, session: Session, year: int | None = None, region_code: str | None = None,
                region_scope: str | None = None) -> list[ListState]:
    """Every working list (optionally of a year / region, and within a reader's region scope)."""
    query = select(DisclosureList).order_by(DisclosureList.year, DisclosureList.region_code)
    if year is not None:
        query = query.where(DisclosureList.year == year)
    if region_code is not None:
        query = query.where(DisclosureList.region_code == region_code)
    out = []
    for listing in session.scalars(query):
        if not rules.covers(region_scope, listing.region_code):
            continue
        counts = dict(session.execute(select(DisclosureEntry.is_included, func.count())
                                      .where(DisclosureEntry.list_id == listing.id)
                                      .group_by(DisclosureEntry.is_included)).all())
        latest = _latest_version(session, listing.id)
        out.append(ListState(listing.region_code, listing.year, listing.status, listing.method, listing.created_by,
                             listing.submitted_by, listing.approved_by, listing.change_note,
                             int(counts.get(True, 0)), int(counts.get(False, 0)),
                             latest.version if latest else None))
    return out


# --------------------------------------------------------------------------------------------- public reads
PUBLIC = DisclosureVersion.withdrawn_at.is_(None)


def current_versions(*, session: Session, year: int | None = None, region_code: str | None = None) -> list[DisclosureVersion]:
    """The newest public version of each published region and year (withdrawn ones never)."""
    newest = (select(DisclosureVersion.region_code, DisclosureVersion.year,
                     func.max(DisclosureVersion.version).label("version"))
              .where(PUBLIC).group_by(DisclosureVersion.region_code, DisclosureVersion.year))
    if year is not None:
        newest = newest.where(DisclosureVersion.year == year)
    if region_code is not None:
        newest = newest.where(DisclosureVersion.region_code == region_code)
    newest = newest.subquery()
    query = (select(DisclosureVersion).join(newest, and_(DisclosureVersion.region_code == newest.c.region_code,
                                                         DisclosureVersion.year == newest.c.year,
                                                         DisclosureVersion.version == newest.c.version))
             .order_by(DisclosureVersion.year.desc(), DisclosureVersion.region_code))
    return list(session.scalars(query))


def public_version(*, session: Session, region_code: str, year: int, version: int | None = None) -> DisclosureVersion | None:
    """A public version of a region's list (the newest when ``version`` is None); None when not public."""
    query = select(DisclosureVersion).where(PUBLIC, DisclosureVersion.region_code == region_code,
                                            DisclosureVersion.year == year)
    if version is not None:
        query = query.where(DisclosureVersion.version == version)
    return session.scalar(query.order_by(DisclosureVersion.version.desc()).limit(1))


def version_history(*, session: Session, region_code: str, year: int) -> list[DisclosureVersion]:
    """Every public version of a region's list for the year, newest first."""
    return list(session.scalars(select(DisclosureVersion).where(
        PUBLIC, DisclosureVersion.region_code == region_code, DisclosureVersion.year == year,
    ).order_by(DisclosureVersion.version.desc())))


@dataclass(frozen=True)
class ItemPage:
    total: int
    page: int
    page_size: int
    items: list[DisclosureItem]


_COUNTS: dict[tuple, int] = {}  # published snapshots never change: a count is keyed by the versions (and contents) it covers
_COUNTS_MAX = 4096


def public_items(*, session: Session, version_ids: list[int], q: str | None = None, building_class: str | None = None,
                 status: str | None = None, sort: str = "code", page: int = 1, page_size: int = 50) -> ItemPage:
    """Items of public versions, filtered (name or code contains ``q``, class, GB/T 51161 status) and paged.

    Several versions (the national list) are ordered by building code then version, which the index
    ``ix_disclosure_items_code_version`` serves without sorting every row.
    """
    if not version_ids:
        return ItemPage(0, page, page_size, [])
    where = [DisclosureItem.version_id.in_(version_ids)]
    if q:
        pattern = f"%{q.strip().lower()}%"
        where.append(or_(func.lower(DisclosureItem.name).like(pattern), func.lower(DisclosureItem.building_code).like(pattern)))
    if building_class:
        where.append(DisclosureItem.building_class == building_class)
    if status == "none":
        where.append(DisclosureItem.benchmark_status.is_(None))
    elif status:
        where.append(DisclosureItem.benchmark_status == status)
    contents = tuple(session.execute(select(DisclosureVersion.id, DisclosureVersion.content_sha256)
                                     .where(DisclosureVersion.id.in_(version_ids)).order_by(DisclosureVersion.id)).all())
    key = (session.get_bind().engine.url.render_as_string(), contents, (q or "").strip().lower(), building_class, status)
    total = _COUNTS.get(key)
    if total is None:
        total = int(session.scalar(select(func.count()).select_from(DisclosureItem).where(*where)) or 0)
        if len(_COUNTS) >= _COUNTS_MAX:
            _COUNTS.clear()
        _COUNTS[key] = total
    order = SORTS.get(sort, SORTS["code"])
    if len(version_ids) > 1:
        order = (*order, DisclosureItem.version_id)
    items = session.scalars(select(DisclosureItem).where(*where).order_by(*order)
                            .offset((page - 1) * page_size).limit(page_size)).all()
    return ItemPage(total, page, page_size, list(items))


def public_item(*, session: Session, version_id: int, building_code: str) -> DisclosureItem | None:
    """One building of a public version."""
    return session.scalar(select(DisclosureItem).join(DisclosureVersion, DisclosureVersion.id == DisclosureItem.version_id)
                          .where(PUBLIC, DisclosureItem.version_id == version_id,
                                 DisclosureItem.building_code == building_code))


def all_items(*, session: Session, version_id: int) -> list[DisclosureItem]:
    """Every item of one version, by building code (for downloads and the annual report)."""
    return list(session.scalars(select(DisclosureItem).where(DisclosureItem.version_id == version_id)
                                .order_by(DisclosureItem.building_code)))


def item_dict(item: DisclosureItem) -> dict[str, Any]:
    """The public fields of an item."""
    return {k: getattr(item, k) for k in ITEM_FIELDS}


def class_names(*, session: Session) -> dict[str, tuple[str, str]]:
    """Building class code -> (Chinese, English) name."""
    return {c.code: (c.name_zh, c.name_en) for c in session.scalars(select(BuildingClass))}


def region_names(*, session: Session, codes: list[str]) -> dict[str, tuple[str, str]]:
    """Region code -> (Chinese, English) name."""
    return {r.code: (r.name_zh, r.name_en) for r in session.scalars(select(Region).where(Region.code.in_(codes)))}


def last_complete_year(*, session: Session, region_code: str) -> int | None:
    """The latest year in which some building of the region has a complete year of statistics."""
    years = sorted(set(session.scalars(select(BuildingYearTotal.year).distinct()
                                       .join(Building, Building.id == BuildingYearTotal.building_id)
                                       .where(in_region(region_code)))), reverse=True)
    for year in years:
        frame = building_year_indicators(session=session, year=year, region_code=region_code)
        if frame["is_complete"].fillna(False).any():
            return year
    return None
