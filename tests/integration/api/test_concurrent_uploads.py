"""Two overlapping uploads at the same time, committed for real: one consistent state, both recorded."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from app.config import get_settings
from app.db import session_scope
from app.domain.regions import city_code, province_code
from app.models import (
    Building,
    BuildingHistory,
    ConsumptionHistory,
    ConsumptionRecord,
    ConsumptionSeries,
    Finding,
    Upload,
    User,
)
from app.services import rollups
from app.security import create_access_token, hash_password
from tests.conftest import DATA_DIR
from tests.integration.api.conftest import TEST_SECRET

CODES = ("460202A901", "460202A902")  # 三亚
FILES = {name: (DATA_DIR / "api" / f"{name}.csv").read_bytes() for name in ("concurrent_a", "concurrent_b")}


@pytest.fixture
def committed_buildings(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("JIENENG_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    with session_scope(engine) as session:
        for code in CODES:
            session.add(Building(
                code=code, name=f"三亚测试建筑 {code}", district_code=code[:6], province_code=province_code(code[:6]),
                city_code=city_code(code[:6]), climate_zone="hot_summer_warm_winter", building_class="A",
                floor_area_m2=21000, is_government_office=True, is_large_public=True,
            ))
        session.add(User(username="sanya_auditor", password_hash=hash_password("irrelevant-pw"), role="auditor",
                         region_code="460200"))
    try:
        yield
    finally:
        with session_scope(engine) as session:
            ids = select(Building.id).where(Building.code.in_(CODES))
            uploads = select(Upload.id).where(Upload.uploaded_by == "sanya_auditor")
            session.execute(delete(ConsumptionHistory).where(ConsumptionHistory.building_id.in_(ids)))
            session.execute(delete(ConsumptionRecord).where(ConsumptionRecord.building_id.in_(ids)))
            session.execute(delete(ConsumptionSeries).where(ConsumptionSeries.building_id.in_(ids)))
            rollups.rebuild(session=session)
            session.execute(delete(BuildingHistory).where(BuildingHistory.building_id.in_(ids)))
            session.execute(delete(Building).where(Building.code.in_(CODES)))
            session.execute(delete(Finding).where(Finding.upload_id.in_(uploads)))
            session.execute(delete(Upload).where(Upload.uploaded_by == "sanya_auditor"))
            session.execute(delete(User).where(User.username == "sanya_auditor"))
        get_settings.cache_clear()


def test_overlapping_uploads_leave_one_consistent_state(api_app, engine, committed_buildings):
    token, _ = create_access_token(username="sanya_auditor", role="auditor", region_code="460200", secret_key=TEST_SECRET)
    headers = {"Authorization": f"Bearer {token}"}
    barrier = threading.Barrier(2)
    responses: dict[str, object] = {}

    def send(name: str) -> None:
        with TestClient(api_app) as client:
            barrier.wait()
            responses[name] = client.post(
                "/api/v1/uploads", headers=headers, files={"file": (f"{name}.csv", FILES[name], "text/csv")},
                data={"kind": "consumption"},
            )

    threads = [threading.Thread(target=send, args=(name,)) for name in FILES]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    reports = {name: r.json() for name, r in responses.items()}
    assert {name: r.status_code for name, r in responses.items()} == {"concurrent_a": 201, "concurrent_b": 201}, reports
    assert {r["status"] for r in reports.values()} == {"loaded"}
    upload_a, upload_b = reports["concurrent_a"]["upload_id"], reports["concurrent_b"]["upload_id"]

    with session_scope(engine) as session:
        recorded = session.scalars(select(Upload.id).where(Upload.uploaded_by == "sanya_auditor")).all()
        assert sorted(recorded) == sorted([upload_a, upload_b])
        ids = dict(session.execute(select(Building.code, Building.id).where(Building.code.in_(CODES))).all())
        rows = session.execute(
            select(ConsumptionRecord.building_id, ConsumptionRecord.month, ConsumptionRecord.quantity,
                   ConsumptionRecord.upload_id, ConsumptionRecord.grain)
            .where(ConsumptionRecord.building_id.in_(ids.values()), ConsumptionRecord.year == 2009)
        ).all()
        by_key = {(r.building_id, r.month): r for r in rows}
        assert len(by_key) == len(rows) == 9 + 4  # one record per month, no duplicates
        assert {r.grain for r in rows} == {"M"}
        first, second = ids["460202A901"], ids["460202A902"]
        value_from = {upload_a: {first: 1000, second: 1500}, upload_b: {first: 2000, second: 3000}}
        for (building_id, month), row in by_key.items():
            assert row.quantity == value_from[row.upload_id][building_id] + month  # value and provenance agree
        overlap = [(first, m) for m in (4, 5, 6)] + [(second, m) for m in (2, 3)]
        winners = {by_key[key].upload_id for key in overlap}
        assert len(winners) == 1  # the upload that committed last holds every overlapping value
        loser = ({upload_a, upload_b} - winners).pop()
        assert all(by_key[(first, m)].upload_id == upload_a for m in (1, 2, 3))
        assert all(by_key[(first, m)].upload_id == upload_b for m in (7, 8, 9))
        history = session.execute(
            select(ConsumptionHistory.building_id, ConsumptionHistory.month, ConsumptionHistory.upload_id,
                   ConsumptionHistory.superseded_by_upload_id)
            .where(ConsumptionHistory.building_id.in_(ids.values()))
        ).all()
        assert sorted((h.building_id, h.month) for h in history) == sorted(overlap)
        assert {(h.upload_id, h.superseded_by_upload_id) for h in history} == {(loser, winners.pop())}
        series = session.scalars(
            select(ConsumptionSeries.grain).where(ConsumptionSeries.building_id.in_(ids.values()))
        ).all()
        assert series == ["M", "M"]
