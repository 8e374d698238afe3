"""Mapping profiles stored in the database, used by name in uploads (API and CLI)."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from app.models import ConsumptionRecord, MappingProfile
from app.services import profiles
from tests.integration.api.conftest import World

FOREIGN = ("Site,Month,Elec kWh,Gas therm,Comment\n"
           "210102A001,2009-05,1000,10,ok\n"
           "210102A001,2009-06,1100,12,\n").encode()
SPEC = {"fields": {"building_code": "Site", "period": "Month"},
        "wide": {"Elec kWh": {"carrier": "electricity", "unit": "kWh"}, "Gas therm": {"carrier": "natural_gas", "unit": "therm"}},
        "ignore": ["Comment"]}


def _save(world: World, user: str, **extra):
    return world.client.post("/api/v1/mapping-profiles", headers=world.headers(user),
                             json={"name": "meter-export", "kind": "consumption", "spec": SPEC, **extra})


def test_saved_profile_is_used_by_name_in_an_upload(world: World):
    saved = _save(world, "auditor")
    assert saved.status_code == 201, saved.text
    assert saved.json()["region_code"] == "210100" and not saved.json()["is_shared"]
    listed = world.client.get("/api/v1/mapping-profiles", headers=world.headers("auditor")).json()
    assert [p["name"] for p in listed] == ["meter-export"]
    response = world.client.post("/api/v1/uploads", headers=world.headers("auditor"),
                                 files={"file": ("export.csv", FOREIGN, "text/csv")},
                                 data={"kind": "consumption", "mapping_name": "meter-export"})
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["status"] == "loaded" and report["rows_accepted"] == 2
    assert {f["value"] for f in report["findings"] if f["code"] == "COLUMN_IGNORED"} == {"Comment"}
    rows = world.session.scalars(select(ConsumptionRecord).where(ConsumptionRecord.year == 2009,
                                                                  ConsumptionRecord.month.in_([5, 6]))).all()
    assert sorted((r.carrier_code, r.month, round(r.quantity, 3)) for r in rows)[:2] == [
        ("electricity", 5, 1000), ("electricity", 6, 1100)]


def test_unknown_profile_name_is_422(world: World):
    response = world.client.post("/api/v1/uploads", headers=world.headers("auditor"),
                                 files={"file": ("export.csv", FOREIGN, "text/csv")},
                                 data={"kind": "consumption", "mapping_name": "nope"})
    assert response.status_code == 422 and "nope" in response.text


def test_only_admins_share_nationally_and_invalid_profiles_are_refused(world: World):
    assert _save(world, "auditor", shared=True).status_code == 403
    shared = _save(world, "admin", shared=True)
    assert shared.status_code == 201 and shared.json()["region_code"] == "000000" and shared.json()["is_shared"]
    found = profiles.find_profile(session=world.session, name="meter-export", region_code="110105")
    assert found is not None and found.region_code == "000000"  # seen from any region
    bad = world.client.post("/api/v1/mapping-profiles", headers=world.headers("auditor"),
                            json={"name": "x", "kind": "consumption", "spec": {"fields": 3}})
    assert bad.status_code == 422


def test_region_profile_comes_before_the_national_one(world: World):
    profiles.save_profile(session=world.session, name="p", kind="consumption", spec={"fields": {"period": "A"}},
                          region_code=None, shared=True)
    profiles.save_profile(session=world.session, name="p", kind="consumption", spec={"fields": {"period": "B"}},
                          region_code="210100")
    assert profiles.find_profile(session=world.session, name="p", region_code="210102").spec["fields"]["period"] == "B"
    assert profiles.find_profile(session=world.session, name="p", region_code="110105").spec["fields"]["period"] == "A"
    assert len(world.session.scalars(select(MappingProfile)).all()) == 2


def test_cli_import_with_a_saved_profile_name(world: World, engine, tmp_path, monkeypatch):
    from app import db
    from app.cli import app

    # the command group checks that the database is migrated before any data command: point it at the test one
    monkeypatch.setenv("JIENENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    db.get_engine.cache_clear()
    profiles.save_profile(session=world.session, name="meter-export", kind="consumption", spec=SPEC, region_code=None,
                          shared=True)
    world.session.commit()
    monkeypatch.setattr("app.cli.imports.session_factory", lambda: (lambda: world.session))
    monkeypatch.setattr(world.session, "close", lambda: None)
    path = tmp_path / "export.csv"
    path.write_bytes(FOREIGN)
    result = CliRunner().invoke(app, ["import", "consumption", str(path), "--mapping", "meter-export", "--json"])
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["rows_accepted"] == 2
    missing = CliRunner().invoke(app, ["import", "consumption", str(path), "--mapping", "no-such-profile"])
    assert missing.exit_code == 2 and "no-such-profile" in missing.output
    db.get_engine.cache_clear()
