"""Buildings from other systems: external IDs kept, codes assigned, consumption referring by external ID."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.config import get_settings
from app.models import Building, ConsumptionRecord
from etl.pipeline import run

REGISTRY = ("Property ID,Name,District,Type,GFA (ft²),Code\n"
            "PM-1001,Tower One,110105,office,215278,\n"
            "PM-1002,Mall Two,110105,mall,538195,bad-code\n"
            "PM-1003,Office Three,110105,office,107639,110105A777\n").encode()
PROFILE = {"fields": {"external_id": "Property ID", "building_name": "Name", "district_code": "District",
                      "building_class": "Type", "floor_area_m2": "GFA (ft²)", "building_code": "Code",
                      "external_source": {"constant": "portfolio_manager"}},
           "assign_codes": True}


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("JIENENG_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _buildings(session):
    return {b.external_id: b for b in session.scalars(select(Building))}


def test_codes_assigned_with_external_ids_kept_and_reused(session):
    report = run(session=session, data=REGISTRY, filename="pm.csv", kind="buildings", mapping=PROFILE)
    assert report.status == "loaded", [f.message_en for f in report.findings]
    found = _buildings(session)
    assert found["PM-1001"].code == "110105A778" and found["PM-1002"].code == "110105B001"  # after A777 in the file
    assert found["PM-1003"].code == "110105A777" and found["PM-1001"].external_source == "portfolio_manager"
    assert found["PM-1001"].floor_area_m2 == pytest.approx(215278 * 0.3048 ** 2)
    assigned = {(f.row, f.value) for f in report.findings if f.code == "BUILDING_CODE_ASSIGNED"}
    assert assigned == {(2, "110105A778"), (3, "110105B001")}
    # the same file again: the external IDs find their buildings, no new codes
    again = run(session=session, data=REGISTRY + b"\n", filename="pm2.csv", kind="buildings", mapping=PROFILE)
    assert again.rows_changed == 0 and len(session.scalars(select(Building)).all()) == 3


def test_consumption_refers_to_buildings_by_external_id(session):
    run(session=session, data=REGISTRY, filename="pm.csv", kind="buildings", mapping=PROFILE)
    data = b"Property ID,Month,Electricity (kWh)\nPM-1001,2012-01,5000\nPM-1002,2012-01,9000\nPM-9999,2012-01,1\n"
    mapping = {"fields": {"external_id": "Property ID", "period": "Month"}, "building_key": "external_id",
               "external_source": "portfolio_manager"}
    report = run(session=session, data=data, filename="c.csv", kind="consumption", mapping=mapping)
    assert report.rows_accepted == 2 and report.rows_rejected == 1
    unknown = [f for f in report.findings if f.code == "BUILDING_UNKNOWN"]
    assert [(f.row, f.value, f.column) for f in unknown] == [(4, "PM-9999", "Property ID")]
    codes = {b.id: b.code for b in session.scalars(select(Building))}
    stored = {codes[r.building_id]: r.quantity for r in session.scalars(select(ConsumptionRecord))}
    assert stored == {"110105A778": 5000, "110105B001": 9000}
