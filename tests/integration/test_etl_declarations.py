"""Survey kinds as declarations, and severity that says what happened to the row (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from app.config import get_settings
from app.models import Building, EnergyAudit
from etl.engine import kinds
from etl.fields import Field
from etl.mapping import resolve
from etl.pipeline import run
from tests.conftest import DATA_DIR

ETL = DATA_DIR / "etl"
BAD = ETL / "bad"
HEADER = "building_code,building_name,district_code,building_class,floor_area_m2,floors,year_built\n"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("JIENENG_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def registry(session):
    report = run(session=session, data=(ETL / "buildings_ok.csv").read_bytes(), filename="b.csv", kind="buildings")
    assert report.status == "loaded"
    return report


def _counts_match(report) -> None:
    errors = {f.row for f in report.findings if f.severity == "error" and f.row is not None}
    assert report.rows_rejected == len(errors), report.to_dict()
    assert report.warnings == sum(f.severity == "warning" for f in report.findings)


def test_every_kind_declares_its_fields_once():
    for name, kind in kinds().items():
        names = [f.name for f in kind.fields]
        assert len(names) == len(set(names)), name
        assert kind.required and kind.markers, name
        for f in kind.fields:
            assert f.parser in {"number", "integer", "text", "boolean", "custom"}
            if f.dimension:
                assert f.unit, f.name  # a quantity field names the unit it is stored in
    # the canonical name of every declared field is always a usable header
    for kind in kinds().values():
        layout = resolve([f.name for f in kind.fields], kind, {}, {}, kinds())
        assert set(layout.fields) >= {f.name for f in kind.fields}


def test_a_declared_field_is_parsed_and_checked_by_the_engine(session, registry, monkeypatch):
    """Adding a field is one line: the engine reads, parses and range-checks it from the declaration alone."""
    from etl.fields import between

    kind = kinds()["buildings"]
    extra = Field("lifts", "integer", checks=between(0, 200), aliases=("电梯数",))
    monkeypatch.setitem(kinds(), "buildings", dataclasses.replace(kind, fields=(*kind.fields, extra)))
    data = (HEADER.rstrip("\n") + ",电梯数\n" + "110105A031,楼,110105,A,1000,3,2000,900\n").encode()
    report = run(session=session, data=data, filename="lifts.csv", kind="buildings")
    lifts = [f for f in report.findings if f.column == "电梯数"]
    assert [(f.code, f.severity, f.row) for f in lifts] == [("OUT_OF_RANGE", "warning", 2)]
    assert report.rows_rejected == 0


def test_loaded_rows_carry_warnings_and_bad_optional_fields_are_left_empty(session, registry):
    data = (HEADER + "11010A01,怪编号,110105,A,1000,3,2000\n"
            "110105A020,零层,110105,A,1000,0,1999\n"
            "110105A021,年份错,110105,A,1000,2,abc\n").encode()
    report = run(session=session, data=data, filename="sev.csv", kind="buildings")
    assert report.status == "loaded" and report.rows_rejected == 0 and report.rows_accepted == 3
    by_code = {f.code: f for f in report.findings}
    assert by_code["BUILDING_CODE_INVALID"].severity == "warning" and by_code["BUILDING_CODE_INVALID"].row == 2
    floors = by_code["OUT_OF_RANGE"]
    assert (floors.severity, floors.row, floors.column, floors.value) == ("warning", 3, "floors", "0")
    assert by_code["NOT_AN_INTEGER" if "NOT_AN_INTEGER" in by_code else "NOT_A_NUMBER"].severity == "warning"
    assert report.warnings == 3 and not [f for f in report.findings if f.severity == "error"]
    zero = session.scalar(select(Building).where(Building.code == "110105A020"))
    assert zero is not None and zero.floors is None and zero.year_built == 1999
    assert session.scalar(select(Building.year_built).where(Building.code == "110105A021")) is None
    _counts_match(report)


def test_bad_required_field_rejects_the_row_as_an_error(session, registry):
    data = (HEADER + "110105A022,无面积,110105,A,,3,2000\n110105A023,负面积,110105,A,-5,3,2000\n").encode()
    report = run(session=session, data=data, filename="req.csv", kind="buildings")
    assert report.rows_rejected == 2 and report.status == "rejected"
    assert {(f.row, f.code, f.severity) for f in report.findings} >= {(2, "REQUIRED", "error"), (3, "OUT_OF_RANGE", "error")}
    _counts_match(report)


@pytest.mark.parametrize("name", ["numbers_bad.csv", "unknown_building.csv", "duplicate_rows.csv", "month_13.csv",
                                  "mixed_grain.csv"])
def test_report_counts_match_findings(session, registry, name):
    report = run(session=session, data=(BAD / name).read_bytes(), filename=name, kind="consumption")
    assert report.rows_rejected > 0
    _counts_match(report)


def test_an_audit_rejected_whole_names_the_line_that_rejected_it(session, registry):
    data = ("建筑编号,审计年份,审计单位,用电量(万kWh),改造措施,投资(万元)\n"
            "110105A001,2009,某审计公司,150,LED照明改造,50\n"
            "110105A001,2009,某审计公司,abc,冷机群控,120\n").encode()
    report = run(session=session, data=data, filename="audit.csv", kind="audits")
    assert report.rows_rejected == 2 and session.scalar(select(EnergyAudit)) is None
    whole = [f for f in report.findings if f.code == "AUDIT_REJECTED_WITH_ROW"]
    assert [(f.row, f.severity) for f in whole] == [(2, "error")] and "3" in whole[0].message_en
    _counts_match(report)
