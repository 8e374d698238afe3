"""Mapping profiles: ignored columns, wide columns named by the profile alone, profiles that do not fit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.config import get_settings
from app.models import ConsumptionRecord
from etl.pipeline import run
from tests.conftest import DATA_DIR

ETL = DATA_DIR / "etl"
SAME_IN_TWO_UNITS = ("建筑编号,年月,电(kWh),电(kBtu),天然气(m³),备注\n"
                     "110105A001,2012-01,1000,3412.14,50,抄表\n").encode()


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("JIENENG_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def registry(session):
    assert run(session=session, data=(ETL / "buildings_ok.csv").read_bytes(), filename="b.csv",
               kind="buildings").status == "loaded"


def _records(session):
    return {(r.carrier_code, r.sub_item): r.quantity for r in session.scalars(select(ConsumptionRecord))}


def test_without_a_profile_both_electricity_columns_are_read(session, registry):
    report = run(session=session, data=SAME_IN_TWO_UNITS, filename="two.csv", kind="consumption")
    assert any(f.code == "DUPLICATE_KEY" for f in report.findings)  # the same kWh twice is caught, not summed


def test_a_profile_naming_its_wide_columns_uses_those_alone(session, registry):
    mapping = {"wide": {"电(kWh)": {"carrier": "electricity"}, "天然气(m³)": {"carrier": "natural_gas"}}}
    report = run(session=session, data=SAME_IN_TWO_UNITS, filename="two.csv", kind="consumption", mapping=mapping)
    assert report.status == "loaded" and report.rows_rejected == 0, [f.message_en for f in report.findings]
    assert _records(session) == {("electricity", ""): 1000, ("natural_gas", ""): 50}
    unknown = {c for f in report.findings if f.code == "COLUMN_UNKNOWN" for c in f.value.split("、")}  # one finding names them
    assert unknown == {"电(kBtu)", "备注"}


def test_ignored_columns_are_not_mapped_and_are_reported(session, registry):
    mapping = {"ignore": ["电(kBtu)", "备注"]}
    report = run(session=session, data=SAME_IN_TWO_UNITS, filename="two.csv", kind="consumption", mapping=mapping)
    assert report.status == "loaded" and report.rows_rejected == 0
    ignored = [(f.value, f.severity, f.row) for f in report.findings if f.code == "COLUMN_IGNORED"]
    assert sorted(ignored) == [("备注", "notice", 1), ("电(kBtu)", "notice", 1)]
    assert _records(session)[("electricity", "")] == 1000


def test_a_profile_naming_a_column_the_file_lacks(session, registry):
    mapping = {"fields": {"building_code": "建筑编号", "period": "年月", "sub_item": "分项代码"}}
    report = run(session=session, data=SAME_IN_TWO_UNITS, filename="two.csv", kind="consumption",
                 mapping={**mapping, "ignore": ["电(kBtu)"]})
    missing = [f for f in report.findings if f.code == "PROFILE_COLUMN_MISSING"]
    assert [(f.column, f.severity, f.row) for f in missing] == [("分项代码", "warning", 1)]
    assert "分项代码" in missing[0].message_zh and "does not have" in missing[0].message_en


def test_a_profile_that_does_not_fit_the_file_rejects_it(session, registry):
    mapping = {"fields": {"building_code": "Site ID", "period": "Month"}, "wide": {"Elec (kWh)": {"carrier": "electricity"}}}
    report = run(session=session, data=SAME_IN_TWO_UNITS, filename="two.csv", kind="consumption", mapping=mapping)
    assert report.file_rejected and report.findings[0].code == "FILE_PROFILE_MISFIT"
    assert "Site ID" in report.findings[0].message_en
