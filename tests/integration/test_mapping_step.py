"""The mapping step's proposal and the profile built from the auditor's corrections (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from app.config import get_settings
from app.services import profiles
from etl.pipeline import run
from etl.preview import IGNORE, build_profile, propose
from tests.conftest import DATA_DIR

ETL = DATA_DIR / "etl"
FILE = ("楼宇编码,统计月份,能源品种,用量,单位,备注\n"
        "110105A001,2012-01,电力,5,万kWh,抄表\n"
        "110105A001,2012-02,燃气,300,立方米,\n").encode()


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("JIENENG_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_proposal_shows_rows_fields_confidence_units_and_values(session):
    proposal = propose(session=session, data=FILE, filename="f.csv", kind="consumption")
    by_column = {c["column"]: c for c in proposal["columns"]}
    assert by_column["能源品种"]["field"] == "carrier" and by_column["能源品种"]["confidence"] == 1.0
    assert by_column["楼宇编码"]["field"] == "" and ("building_code", 0.6) in by_column["楼宇编码"]["candidates"]
    assert by_column["统计月份"]["field"] == ""
    assert proposal["rows"][0]["用量"] == "5" and len(proposal["rows"]) == 2
    values = {(v["field"], v["value"]): v["mapped"] for v in proposal["values"]}
    assert values == {("carrier", "电力"): "electricity", ("carrier", "燃气"): "natural_gas"}


def test_corrections_make_a_profile_that_loads_and_is_reused(session):
    assert run(session=session, data=(ETL / "buildings_ok.csv").read_bytes(), filename="b.csv",
               kind="buildings").status == "loaded"
    proposal = propose(session=session, data=FILE, filename="f.csv", kind="consumption")
    fields = [c["field"] for c in proposal["columns"]]
    units = [c["unit"] for c in proposal["columns"]]
    assert build_profile(proposal, fields, units, {}) is None  # nothing changed
    fields[0], fields[1], fields[5] = "building_code", "period", IGNORE
    spec = build_profile(proposal, fields, units, {"carrier|燃气": "natural_gas"})
    assert spec == {"fields": {"building_code": {"column": "楼宇编码"}, "period": {"column": "统计月份"}}, "ignore": ["备注"]}
    report = run(session=session, data=FILE, filename="f.csv", kind="consumption", mapping=spec)
    assert report.status == "loaded" and report.rows_accepted == 2, [f.message_en for f in report.findings]
    profiles.save_profile(session=session, name="楼宇导出", kind="consumption", spec=spec, region_code="110105")
    again = propose(session=session, data=FILE, filename="g.csv", kind="consumption", mapping=spec)
    assert [c["field"] for c in again["columns"]][:2] == ["building_code", "period"]
    # the saved profile's columns also help files without a profile
    hinted = propose(session=session, data=FILE, filename="h.csv", kind="consumption")
    assert [(c["field"], c["confidence"]) for c in hinted["columns"]][:2] == [("building_code", 1.0), ("period", 1.0)]


def test_a_file_that_cannot_be_read_shows_its_finding(session):
    proposal = propose(session=session, data=b"", filename="e.csv", kind="consumption")
    assert proposal["error"]["code"] == "FILE_EMPTY" and proposal["columns"] == []
