"""The import pipeline end to end on SQLite and PostgreSQL, against real files under tests/data/etl."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from typer.testing import CliRunner

from app.config import get_settings
from app.models import Building, BuildingHistory, ConsumptionHistory, ConsumptionRecord, ConsumptionSeries, Finding, Upload
from app.services import uploads
from etl.pipeline import run
from tests.conftest import DATA_DIR

ETL = DATA_DIR / "etl"
BAD = ETL / "bad"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("JIENENG_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


def _run(session, name, kind="consumption", folder=ETL, **kw):
    return run(session=session, data=(folder / name).read_bytes(), filename=name, kind=kind, **kw)


@pytest.fixture
def registry(session):
    report = _run(session, "buildings_ok.csv", kind="buildings")
    assert report.status == "loaded", report.to_dict()
    return report


def _codes(report):
    return {f.code for f in report.findings}


def test_buildings_load_with_derived_fields(session, registry):
    assert registry.rows_read == registry.rows_accepted == registry.rows_changed == 4
    shenyang = session.scalar(select(Building).where(Building.code == "210102C001"))
    assert (shenyang.province_code, shenyang.city_code, shenyang.climate_zone) == ("210000", "210100", "severe_cold")
    office = session.scalar(select(Building).where(Building.code == "110105A001"))
    assert office.floor_area_m2 == 25000 and office.is_government_office and office.is_large_public
    futian = session.scalar(select(Building).where(Building.code == "440304A002"))
    assert futian.floor_area_m2 == 32000 and futian.building_class == "A" and not futian.is_government_office


def test_corrected_registry_keeps_history(session, registry):
    text = (ETL / "buildings_ok.csv").read_text(encoding="utf-8").replace('"25,000"', "26000")
    report = run(session=session, data=text.encode(), filename="fix.csv", kind="buildings")
    assert report.status == "loaded" and report.rows_changed == 1
    history = session.scalars(select(BuildingHistory)).all()
    assert len(history) == 1 and history[0].old_values["floor_area_m2"] == 25000
    assert history[0].superseded_by_upload_id == report.upload_id


def test_long_and_wide_consumption(session, registry):
    long = _run(session, "consumption_long.csv")
    assert (long.status, long.rows_read, long.rows_accepted, long.rows_changed) == ("loaded", 6, 6, 6)
    assert "TOTAL_ROW_SKIPPED" in _codes(long)
    wide = _run(session, "consumption_wide.csv")
    assert (wide.status, wide.rows_read, wide.rows_changed) == ("loaded", 3, 7)
    march = session.scalar(select(ConsumptionRecord).where(ConsumptionRecord.month == 3))
    assert march.unit_reported == "10k_kWh" and march.quantity == pytest.approx(110000)
    assert march.kgce_calorific == pytest.approx(110000 * 0.1229)
    gas = session.scalar(select(ConsumptionRecord).where(ConsumptionRecord.carrier_code == "natural_gas",
                                                         ConsumptionRecord.month == 0))
    assert gas.grain == "A" and gas.quantity == pytest.approx(52000)
    lighting = session.scalars(select(ConsumptionRecord).where(ConsumptionRecord.sub_item == "A")).all()
    assert len(lighting) == 2
    grains = session.execute(select(ConsumptionSeries.carrier_code, ConsumptionSeries.grain)).all()
    assert ("natural_gas", "A") in grains and ("electricity", "M") in grains


def test_reupload_is_duplicate_and_correction_goes_to_history(session, registry):
    first = _run(session, "consumption_long.csv")
    again = _run(session, "consumption_long.csv")
    assert again.status == "duplicate" and again.rows_changed == 0 and "FILE_DUPLICATE" in _codes(again)
    same_content = (ETL / "consumption_long.csv").read_bytes() + b"\n"
    unchanged = run(session=session, data=same_content, filename="again.csv", kind="consumption")
    assert unchanged.status == "loaded" and unchanged.rows_changed == 0
    fixed = (ETL / "consumption_long.csv").read_text(encoding="utf-8").replace('"120,000"', "125000")
    corrected = run(session=session, data=fixed.encode(), filename="fixed.csv", kind="consumption")
    assert corrected.rows_changed == 1
    old = session.scalars(select(ConsumptionHistory)).all()
    assert len(old) == 1 and old[0].quantity == 120000
    assert old[0].upload_id == first.upload_id and old[0].superseded_by_upload_id == corrected.upload_id


def test_all_or_nothing_and_dry_run(session, registry):
    before = session.scalar(select(func.count()).select_from(ConsumptionRecord))
    report = _run(session, "numbers_bad.csv", folder=BAD, all_or_nothing=True)
    assert report.status == "rejected" and report.rows_rejected == 5 and report.rows_changed == 0
    dry = _run(session, "consumption_long.csv", dry_run=True)
    assert dry.status == "dry_run" and dry.rows_accepted == 6 and dry.rows_changed == 0
    assert session.scalar(select(func.count()).select_from(ConsumptionRecord)) == before
    assert session.scalar(select(func.count()).select_from(Finding).where(Finding.upload_id == report.upload_id)) == 5


@pytest.mark.parametrize(("name", "code"), [
    ("empty.csv", "FILE_EMPTY"),
    ("header_only.csv", "FILE_NO_ROWS"),
    ("binary_garbage.bin", None),
    ("missing_columns.csv", "FILE_MISSING_COLUMNS"),
])
def test_files_rejected_whole(session, registry, name, code):
    report = _run(session, name, folder=BAD)
    assert report.file_rejected and report.status == "rejected" and report.rows_accepted == 0
    assert report.findings and report.findings[0].row is None
    if code:
        assert report.findings[0].code == code
    else:
        assert report.findings[0].code in {"FILE_BINARY", "FILE_ENCODING", "FILE_MISSING_COLUMNS", "FILE_UNREADABLE"}
    assert session.get(Upload, report.upload_id).status == "rejected"


def test_twenty_megabyte_single_line(session, registry):
    report = run(session=session, data=b"a," * 10_000_000, filename="line.csv", kind="consumption")
    assert report.file_rejected and report.findings[0].code == "FILE_LINE_TOO_LONG"


@pytest.mark.parametrize(("name", "rejected", "codes"), [
    ("numbers_bad.csv", 5, {"NOT_FINITE", "NEGATIVE", "ABSURD_QUANTITY", "NOT_A_NUMBER"}),
    ("unknown_building.csv", 1, {"BUILDING_UNKNOWN"}),
    ("duplicate_rows.csv", 1, {"DUPLICATE_KEY"}),
    ("month_13.csv", 1, {"MONTH_OUT_OF_RANGE"}),
    ("mixed_grain.csv", 1, {"GRAIN_MIXED"}),
    ("unknown_columns.csv", 0, {"COLUMN_UNKNOWN"}),
    ("gbk_long.csv", 0, set()),
    ("semicolon_tab.csv", 0, set()),
    ("title_tab.csv", 0, {"HEADER_ROW"}),
])
def test_bad_rows_reported(session, registry, name, rejected, codes):
    report = _run(session, name, folder=BAD)
    assert report.rows_rejected == rejected, report.to_dict()
    assert codes <= _codes(report)
    assert report.rows_accepted == report.rows_read - rejected
    for f in report.findings:
        assert f.message_zh and f.message_en and f.severity in {"error", "warning", "notice"}
    errors = [f for f in report.findings if f.severity == "error"]
    assert all(f.row is not None and f.row >= 2 for f in errors)


def test_numbers_report_row_column_and_raw_value(session, registry):
    report = _run(session, "numbers_bad.csv", folder=BAD)
    by_row = {f.row: f for f in report.findings if f.severity == "error"}
    assert by_row[2].code == "NOT_FINITE" and by_row[2].value == "NaN" and by_row[2].column == "用量"
    assert by_row[4].code == "NEGATIVE" and by_row[4].value == "-500"
    assert by_row[6].code == "NOT_A_NUMBER" and by_row[6].value == "abc"
    assert 7 not in by_row
    stored = session.scalar(select(ConsumptionRecord).where(ConsumptionRecord.year == 2007, ConsumptionRecord.month == 10))
    assert stored.quantity == 1000


def test_xlsx_named_sheet_and_formula_cells(session, registry):
    report = _run(session, "formula_cells.xlsx", folder=BAD, sheet="能耗")
    assert report.rows_read == 2 and report.rows_accepted == 1
    formula = [f for f in report.findings if f.code == "FORMULA_CELL"]
    assert formula and formula[0].row == 3 and formula[0].value.startswith("=SUM")
    assert "TOTAL_ROW_SKIPPED" in _codes(report)
    missing = _run(session, "formula_cells.xlsx", folder=BAD, sheet="nope")
    assert missing.file_rejected and missing.findings[0].code == "FILE_SHEET_MISSING"


def test_registry_validation(session, registry):
    report = _run(session, "buildings_bad_district.csv", folder=BAD, kind="buildings")
    codes = {(f.row, f.code) for f in report.findings}
    assert (2, "DISTRICT_INVALID") in codes and (3, "OUT_OF_RANGE") in codes and (4, "CLASS_UNKNOWN") in codes
    assert report.rows_rejected == 3 and report.status == "rejected"


def test_region_scope_rejects_other_regions(session, registry):
    report = _run(session, "consumption_long.csv", region_scope="110000")
    assert report.rows_rejected == 2 and "BUILDING_OUT_OF_SCOPE" in _codes(report)
    outside = next(f for f in report.findings if f.code == "BUILDING_OUT_OF_SCOPE")
    # the region is named, not only coded
    assert "北京（110000）" in outside.message_zh and "Beijing (110000)" in outside.message_en


def test_grain_conflict_with_stored_series(session, registry):
    _run(session, "consumption_long.csv")
    annual = b"building_code,period,carrier,quantity,unit\n110105A001,2007,electricity,1400000,kWh\n"
    report = run(session=session, data=annual, filename="annual.csv", kind="consumption")
    assert report.rows_rejected == 1 and "GRAIN_CONFLICT" in _codes(report)


def test_mapping_profile_with_constant_and_units(session, registry):
    data = "楼号,月,电(度)\n110105A001,2012-01,500\n".encode("gb18030")
    mapping = {"fields": {"building_code": "楼号", "period": "月"}, "wide": {"电(度)": {"carrier": "electricity", "unit": "kWh"}}}
    report = run(session=session, data=data, filename="m.csv", kind="consumption", mapping=mapping)
    assert report.status == "loaded" and report.rows_changed == 1
    bad = run(session=session, data=data, filename="m.csv", kind="consumption", mapping={"fields": 3})
    assert bad.file_rejected and bad.findings[0].code == "FILE_MAPPING_INVALID"


def test_audits(session, registry):
    data = ("建筑编号,审计年份,审计单位,人数,用电量(万kWh),天然气(m³),照明插座用电(kWh),空调用电(kWh),改造措施,投资(万元),预计节能量(吨标准煤),回收期(年)\n"
            "110105A001,2009,某审计公司,800,150,20000,500000,600000,LED照明改造,50,80,3.5\n"
            "110105A001,2009,某审计公司,800,150,20000,500000,600000,冷机群控,120,150,4\n").encode()
    report = run(session=session, data=data, filename="audit.csv", kind="audits")
    assert report.status == "loaded", report.to_dict()
    from app.models import AuditCarrierTotal, EnergyAudit, RetrofitMeasure
    audit = session.scalar(select(EnergyAudit))
    assert audit.electricity_kwh == pytest.approx(1_500_000) and audit.lighting_kwh == 500000
    assert audit.total_kgce_calorific == pytest.approx(1_500_000 * 0.1229 + 20000 * 1.2143)
    assert session.scalar(select(func.count()).select_from(RetrofitMeasure)) == 2
    assert session.scalar(select(func.count()).select_from(AuditCarrierTotal)) == 2
    again = run(session=session, data=data + b"\n", filename="audit2.csv", kind="audits")
    assert again.rows_changed == 0


def test_services_report_csv_and_raw(session, registry, data_dir):
    report = _run(session, "numbers_bad.csv", folder=BAD)
    fetched = uploads.get_report(session=session, upload_id=report.upload_id)
    assert fetched.to_dict()["findings"] == report.to_dict()["findings"]
    blob = uploads.findings_csv(session=session, upload_id=report.upload_id)
    assert blob.startswith("\ufeff".encode()) and "NOT_FINITE" in blob.decode("utf-8-sig")
    assert uploads.raw_bytes(session=session, upload_id=report.upload_id) == (BAD / "numbers_bad.csv").read_bytes()
    assert (data_dir / "raw" / report.content_sha256[:2] / report.content_sha256).exists()
    listed = uploads.list_uploads(session=session, kind="consumption")
    assert listed[0].id == report.upload_id
    assert uploads.get_report(session=session, upload_id=10**9) is None


def test_cli_json_and_exit_codes(engine, data_dir, monkeypatch):
    from app import db
    from app.cli import app

    monkeypatch.setenv("JIENENG_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    db.get_engine.cache_clear()
    try:
        runner = CliRunner()
        result = runner.invoke(app, ["import", "consumption", str(BAD / "empty.csv"), "--json"])
        assert result.exit_code == 2
        body = json.loads(result.stdout)
        assert body["status"] == "rejected" and body["findings"][0]["code"] == "FILE_EMPTY"
        assert {"upload_id", "rows_read", "rows_accepted", "rows_rejected", "rows_changed", "warnings"} <= body.keys()
        assert "/" in body["findings"][0]["message"]
        result = runner.invoke(app, ["import", "consumption", str(BAD / "unknown_building.csv"), "--json", "--dry-run"])
        assert result.exit_code == 1 and json.loads(result.stdout)["rows_rejected"] >= 1
    finally:
        db.get_engine.cache_clear()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.one_of(st.binary(max_size=400),
                      st.text(max_size=300).map(lambda t: ("building_code,period,carrier,quantity,unit\n" + t).encode())))
def test_any_bytes_give_a_report(session, blob):
    report = run(session=session, data=blob, filename="fuzz.csv", kind="consumption")
    assert report.status in {"loaded", "partial", "rejected", "duplicate"}
    json.dumps(report.to_dict(), ensure_ascii=False)
    assert all(f.code != "IMPORT_FAILED" for f in report.findings), report.to_dict()


SAMPLES = [("buildings", "buildings_zh_utf8.csv"), ("buildings", "buildings_en.xlsx"),
           ("consumption", "consumption_long_en_utf8.csv"), ("consumption", "consumption_wide_zh_gbk.csv"),
           ("consumption", "consumption_annual_zh_utf8.csv"), ("consumption", "consumption_hourly_en_utf8.csv")]


def test_sample_survey_files_load_without_errors(session):
    from seeds.loader import SEEDS_DIR

    for kind, name in SAMPLES:
        report = run(session=session, data=(SEEDS_DIR / "samples" / name).read_bytes(), filename=name, kind=kind)
        errors = [f.to_dict() for f in report.findings if f.severity == "error"]
        assert not errors, (name, errors[:5])
        assert not [f.column for f in report.findings if f.code == "COLUMN_UNKNOWN"], name  # every column mapped
        assert report.status in {"loaded", "duplicate"} and report.rows_read > 0 and report.rows_rejected == 0, name
