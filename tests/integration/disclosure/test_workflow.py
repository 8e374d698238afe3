"""The disclosure workflow on SQLite and PostgreSQL: proposal, edits, approval, immutable versions, withdrawal."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import select

from app.domain.disclosure import Actor
from app.models import DisclosureItem, DisclosureVersion
from app.models.disclosure import ImmutableSnapshotError
from app.services import disclosure as ds
from tests.integration.disclosure.conftest import REGION, YEAR

OFFICIAL = Actor("bj_official", "official", REGION)
SECOND = Actor("bj_second", "official", REGION)
ADMIN = Actor("admin", "admin", None)
OTHER = Actor("ln_official", "official", "210000")


def publish_as_usual(session, change_note=None):
    ds.submit(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR, change_note=change_note)
    ds.approve(session=session, actor=ADMIN, region_code=REGION, year=YEAR)
    return ds.publish(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)


def test_draft_proposes_complete_unflagged_buildings_and_flags_audits(session, population):
    ds.draft(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)
    entries = ds.draft_entries(session=session, region_code=REGION, year=YEAR)
    proposed = set(entries["code"])
    assert population.incomplete not in proposed
    assert population.flagged not in proposed
    assert population.no_previous in proposed  # complete this year: eligible, only its change is not shown
    assert population.audited in proposed
    assert set(entries["source"]) == {"proposed"}
    frame = ds.eligibility(session=session, year=YEAR, region_code=REGION).set_index("code")
    assert frame.loc[population.incomplete, "ineligible_reason"] == "incomplete_year"
    assert frame.loc[population.flagged, "ineligible_reason"] == "open_data_quality"
    assert bool(frame.loc[population.audited, "is_audited"]) is True
    assert proposed == set(frame.index[frame["is_eligible"]])


def test_published_snapshot_holds_values_status_method_factors_and_basis(session, population):
    ds.draft(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)
    ds.set_entry(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR, building_code=population.audited,
                 include=False, reason="改造施工中 under retrofit")
    version = publish_as_usual(session)
    assert version.version == 1
    assert version.method == "calorific" and version.benchmark_edition == "GB/T 51161-2016"
    assert version.factor_versions["calorific"]["electricity"]["kgce_per_unit"] == pytest.approx(0.1229)
    assert version.basis["previous_year"] == YEAR - 1 and version.basis["removed"] == 1
    assert (version.submitted_by, version.approved_by, version.published_by) == ("bj_official", "admin", "bj_official")
    items = {i.building_code: i for i in ds.all_items(session=session, version_id=version.id)}
    assert population.audited not in items and population.incomplete not in items
    assert version.building_count == len(items) == 2
    frame = ds.eligibility(session=session, year=YEAR, region_code=REGION).set_index("code")
    for code, item in items.items():
        assert item.energy_kwh_m2 == pytest.approx(frame.loc[code, "energy_kwh_m2"], rel=1e-6)
        assert item.energy_kgce_m2 == pytest.approx(frame.loc[code, "energy_kgce_m2"], rel=1e-6)
        assert item.benchmark_status == frame.loc[code, "benchmark_status"]
    missing = items[population.no_previous]
    assert missing.is_comparable is False and missing.change_pct is None
    assert missing.comparison_reason in ("no_earlier_data", "registered_later")
    comparable = [i for i in items.values() if i.is_comparable]
    assert comparable and all(not math.isnan(i.change_pct) for i in comparable)
    assert ds.get_list(session=session, region_code=REGION, year=YEAR).status == "published"


def test_added_building_needs_a_reason_and_appears_in_the_snapshot(session, population):
    ds.draft(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)
    with pytest.raises(ds.DisclosureError):
        ds.set_entry(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR,
                     building_code=population.flagged, include=True, reason="  ")
    ds.set_entry(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR, building_code=population.flagged,
                 include=True, reason="预警已核实 warning checked with the owner")
    entries = ds.draft_entries(session=session, region_code=REGION, year=YEAR).set_index("code")
    assert entries.loc[population.flagged, "source"] == "added"
    version = publish_as_usual(session)
    assert population.flagged in {i.building_code for i in ds.all_items(session=session, version_id=version.id)}
    assert version.basis["added"] == 1


def test_building_of_another_region_cannot_be_added(session, population):
    ds.draft(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)
    shenzhen = session.scalar(select(DisclosureVersion.id).limit(1))  # nothing published yet
    assert shenzhen is None
    with pytest.raises(ds.DisclosureError):
        ds.set_entry(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR, building_code="440305B001",
                     include=True, reason="wrong region")


def test_states_are_enforced(session, population):
    with pytest.raises(ds.DisclosureError):
        ds.submit(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)
    ds.draft(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)
    with pytest.raises(ds.DisclosureError):
        ds.approve(session=session, actor=ADMIN, region_code=REGION, year=YEAR)
    with pytest.raises(ds.DisclosureError):
        ds.publish(session=session, actor=ADMIN, region_code=REGION, year=YEAR)
    ds.submit(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)
    with pytest.raises(ds.DisclosureError):
        ds.set_entry(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR,
                     building_code=population.audited, include=False, reason="too late")
    with pytest.raises(ds.DisclosureError):
        ds.withdraw(session=session, actor=ADMIN, region_code=REGION, year=YEAR, reason="nothing published")


def test_four_eyes_and_scope(session, population):
    ds.draft(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)
    with pytest.raises(ds.DisclosureForbidden):
        ds.draft(session=session, actor=OTHER, region_code=REGION, year=YEAR)
    ds.submit(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)
    with pytest.raises(ds.DisclosureForbidden):
        ds.approve(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)
    with pytest.raises(ds.DisclosureForbidden):
        ds.approve(session=session, actor=OTHER, region_code=REGION, year=YEAR)
    listing = ds.approve(session=session, actor=SECOND, region_code=REGION, year=YEAR)
    assert listing.status == "approved" and listing.approved_by == "bj_second"


def test_correction_publishes_a_new_version_and_keeps_the_old_one(session, population):
    ds.draft(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)
    first = publish_as_usual(session)
    ds.draft(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)
    ds.set_entry(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR, building_code=population.audited,
                 include=False, reason="面积有误 floor area under review")
    with pytest.raises(ds.DisclosureError, match="change note"):
        ds.submit(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)
    second = publish_as_usual(session, change_note="移除一栋面积待核实的建筑 removed a building under review")
    assert (first.version, second.version) == (1, 2)
    assert second.change_note.startswith("移除一栋")
    assert [v.version for v in ds.version_history(session=session, region_code=REGION, year=YEAR)] == [2, 1]
    assert ds.public_version(session=session, region_code=REGION, year=YEAR).version == 2
    old = ds.public_version(session=session, region_code=REGION, year=YEAR, version=1)
    assert population.audited in {i.building_code for i in ds.all_items(session=session, version_id=old.id)}
    assert population.audited not in {i.building_code for i in ds.all_items(session=session, version_id=second.id)}


def test_snapshots_are_immutable(session, population):
    ds.draft(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)
    version = publish_as_usual(session)
    item = ds.all_items(session=session, version_id=version.id)[0]
    item.energy_kwh_m2 = 1.0
    with pytest.raises(ImmutableSnapshotError):
        session.flush()
    session.rollback()


def test_version_fields_cannot_change(session, population):
    ds.draft(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)
    version = publish_as_usual(session)
    version.building_count = 99
    with pytest.raises(ImmutableSnapshotError):
        session.flush()
    session.rollback()


def test_withdrawal_hides_every_version(session, population):
    ds.draft(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)
    publish_as_usual(session)
    ds.draft(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)
    publish_as_usual(session, change_note="correction")
    with pytest.raises(ds.DisclosureError):
        ds.withdraw(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR, reason="")
    assert ds.withdraw(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR, reason="数据有误 wrong data") == 2
    assert ds.public_version(session=session, region_code=REGION, year=YEAR) is None
    assert ds.public_version(session=session, region_code=REGION, year=YEAR, version=1) is None
    assert ds.current_versions(session=session, year=YEAR) == []
    assert ds.version_history(session=session, region_code=REGION, year=YEAR) == []
    assert ds.get_list(session=session, region_code=REGION, year=YEAR).status == "withdrawn"
    # a new publication after the withdrawal is version 3 and public again
    ds.draft(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)
    third = publish_as_usual(session, change_note="republished after review")
    assert third.version == 3
    assert [v.version for v in ds.current_versions(session=session, year=YEAR)] == [3]


def test_public_items_filter_sort_and_page(session, population):
    ds.draft(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)
    version = publish_as_usual(session)
    items = ds.all_items(session=session, version_id=version.id)
    page = ds.public_items(session=session, version_ids=[version.id], sort="-intensity", page=1, page_size=2)
    assert page.total == len(items)
    assert [i.energy_kwh_m2 for i in page.items] == sorted((i.energy_kwh_m2 for i in items), reverse=True)[:2]
    name = items[0].name
    found = ds.public_items(session=session, version_ids=[version.id], q=name[:4])
    assert name in [i.name for i in found.items]
    by_class = ds.public_items(session=session, version_ids=[version.id], building_class=items[0].building_class)
    assert {i.building_class for i in by_class.items} == {items[0].building_class}
    status = items[0].benchmark_status
    by_status = ds.public_items(session=session, version_ids=[version.id], status=status or "none")
    assert {i.benchmark_status for i in by_status.items} == {status}


def test_withdrawn_item_cannot_be_read_through_public_item(session, population):
    ds.draft(session=session, actor=OFFICIAL, region_code=REGION, year=YEAR)
    version = publish_as_usual(session)
    code = ds.all_items(session=session, version_id=version.id)[0].building_code
    assert ds.public_item(session=session, version_id=version.id, building_code=code) is not None
    ds.withdraw(session=session, actor=ADMIN, region_code=REGION, year=YEAR, reason="x")
    assert ds.public_item(session=session, version_id=version.id, building_code=code) is None
    # the rows themselves stay (immutable), only hidden
    assert session.scalar(select(DisclosureItem.id).where(DisclosureItem.version_id == version.id)) is not None
