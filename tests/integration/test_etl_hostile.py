"""Hostile and oversized survey files: chunk boundaries, zip bombs, wide files, encodings, quotes."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.config import get_settings
from app.models import ConsumptionRecord, Finding
from benchmarks.hostile_files import invalid_rows_csv, wide_csv, zip_bomb_xlsx
from etl import engine as pipeline  # the engine reads CHUNK_ROWS; etl.pipeline re-exports it
from etl.pipeline import run
from tests.conftest import DATA_DIR

ETL = DATA_DIR / "etl"
HEADER = "建筑编号,统计期,能源品种,用量,单位\n"
BUILDINGS = ("110105A001", "110105B001", "210102C001")


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("JIENENG_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


@pytest.fixture
def registry(session):
    report = run(session=session, data=(ETL / "buildings_ok.csv").read_bytes(), filename="b.csv", kind="buildings")
    assert report.status == "loaded", report.to_dict()
    return report


def _codes(report):
    return {f.code for f in report.findings}


# ------------------------------------------------------------------------------------- 2. chunk boundaries
def test_identical_rows_across_chunks_are_duplicates_not_a_crash(session, registry, monkeypatch):
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 4)
    data = (HEADER + "110105A001,2007-01,电,100,kWh\n" * 13).encode()
    report = run(session=session, data=data, filename="same.csv", kind="consumption")
    assert "IMPORT_FAILED" not in _codes(report), report.to_dict()
    dups = [f for f in report.findings if f.code == "DUPLICATE_KEY"]
    assert len(dups) == 12 and {f.message_en for f in dups} == {"Duplicates line 2 (same building, period and carrier)."}
    assert (report.rows_accepted, report.rows_rejected) == (1, 12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(keys=st.lists(st.tuples(st.sampled_from(BUILDINGS), st.integers(1, 3)), min_size=1, max_size=30),
       chunk=st.integers(1, 5))
def test_duplicates_across_chunk_boundaries(session, registry, monkeypatch, keys, chunk):
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", chunk)
    lines = [f"{b},2006-{m:02d},电,{i + 1},kWh" for i, (b, m) in enumerate(keys)]
    report = run(session=session, data=(HEADER + "\n".join(lines) + "\n").encode(), filename="d.csv",
                 kind="consumption", dry_run=True)
    assert "IMPORT_FAILED" not in _codes(report), report.to_dict()
    first: dict = {}
    expected = {}
    for line_no, key in enumerate(keys, start=2):
        if key in first:
            expected[line_no] = first[key]
        else:
            first[key] = line_no
    got = {f.row: int(f.message_en.split("line ")[1].split(" ")[0]) for f in report.findings if f.code == "DUPLICATE_KEY"}
    assert got == expected
    assert report.rows_rejected == len(expected) and report.rows_accepted == len(first)


# ------------------------------------------------------------------------------------- 1. zip bombs and limits
def _limit(monkeypatch, **values):
    for name, value in values.items():
        monkeypatch.setenv(f"JIENENG_{name.upper()}", str(value))
    get_settings.cache_clear()


def _assert_refused(session, report, code):
    assert report.status == "rejected" and report.findings[0].code == code, report.to_dict()
    assert report.rows_read == 0
    assert session.scalar(select(func.count()).select_from(ConsumptionRecord)) == 0


def test_xlsx_zip_bomb_refused_by_its_compression_ratio(session, registry):
    bomb = zip_bomb_xlsx(rows=300_000)  # 66 MB of XML in 0.3 MB
    report = run(session=session, data=bomb, filename="bomb.xlsx", kind="consumption")
    _assert_refused(session, report, "FILE_XLSX_RATIO")
    assert "xl/worksheets/sheet1.xml" in report.findings[0].message_en
    stored = session.scalars(select(Finding.code).where(Finding.upload_id == report.upload_id)).all()
    assert stored == ["FILE_XLSX_RATIO"]


@pytest.mark.parametrize(("limits", "rows", "code"), [
    ({"max_rows": 100}, 101, "FILE_TOO_MANY_ROWS"),
    ({"xlsx_max_cells": 100}, 30, "FILE_TOO_MANY_CELLS"),
    ({"xlsx_max_uncompressed_mb": 1, "xlsx_max_ratio": 100_000}, 20_000, "FILE_XLSX_TOO_LARGE"),
])
def test_xlsx_limits_checked_while_inflating(session, registry, monkeypatch, limits, rows, code):
    _limit(monkeypatch, **limits)
    report = run(session=session, data=zip_bomb_xlsx(rows=rows), filename="b.xlsx", kind="consumption")
    _assert_refused(session, report, code)


def test_xlsx_within_limits_reads_rows_with_their_numbers(session, registry, monkeypatch):
    _limit(monkeypatch, max_rows=100)
    report = run(session=session, data=zip_bomb_xlsx(rows=100), filename="b.xlsx", kind="consumption", dry_run=True)
    assert report.rows_read == 100 and report.rows_rejected == 100
    unknown = [f for f in report.findings if f.code == "BUILDING_UNKNOWN"]
    assert [f.row for f in unknown[:3]] == [2, 3, 4]


def test_xlsx_rows_below_blank_rows_keep_their_sheet_row_numbers(session, registry):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for r, row in ((3, HEADER.strip().split(",")), (4, ["110105A001", "2007-01", "电", "abc", "kWh"])):
        for c, value in enumerate(row, start=2):  # the used range starts at B3
            ws.cell(row=r, column=c, value=value)
    buffer = io.BytesIO()
    wb.save(buffer)
    report = run(session=session, data=buffer.getvalue(), filename="gap.xlsx", kind="consumption", dry_run=True)
    bad = [f for f in report.findings if f.code == "NOT_A_NUMBER"]
    assert [f.row for f in bad] == [4] and {f.code: f.row for f in report.findings}["HEADER_ROW"] == 3


def test_csv_row_limit_before_parsing(session, registry, monkeypatch):
    _limit(monkeypatch, max_rows=10)
    data = (HEADER + "110105A001,2007-01,电,100,kWh\n" * 11).encode()
    _assert_refused(session, run(session=session, data=data, filename="l.csv", kind="consumption"), "FILE_TOO_MANY_ROWS")


def test_findings_capped_per_code_with_exact_counts(session, registry, monkeypatch):
    _limit(monkeypatch, findings_per_code=3)
    data = invalid_rows_csv(rows=10) + "110105A001,2007-01,电,abc,kWh\n".encode()
    report = run(session=session, data=data, filename="bad.csv", kind="consumption")
    assert report.rows_rejected == 11
    listed = [f for f in report.findings if f.code == "BUILDING_UNKNOWN"]
    assert len(listed) == 3 and [f.row for f in listed] == [2, 3, 4]
    capped = [f for f in report.findings if f.code == "FINDINGS_CAPPED"]
    assert [(f.value, f.message_en) for f in capped] == [
        ("BUILDING_UNKNOWN", "10 findings 'BUILDING_UNKNOWN'; only the first 3 are listed.")]
    body = report.to_dict()
    assert body["finding_counts"]["BUILDING_UNKNOWN"] == 10 and body["finding_counts"]["NOT_A_NUMBER"] == 1
    from app.services import uploads

    stored = uploads.get_report(session=session, upload_id=report.upload_id).to_dict()
    assert stored["finding_counts"] == body["finding_counts"]
    assert session.scalar(select(func.count()).select_from(Finding).where(Finding.upload_id == report.upload_id)) == 5


# ------------------------------------------------------------------------------------- 7. wide files
def test_wide_file_refused_by_its_column_limit(session, registry):
    report = run(session=session, data=wide_csv(20_000), filename="wide.csv", kind="consumption")
    _assert_refused(session, report, "FILE_TOO_MANY_COLUMNS")
    assert "20005 columns" in report.findings[0].message_en
    assert session.scalar(select(func.count()).select_from(Finding).where(Finding.upload_id == report.upload_id)) == 1


def test_unknown_columns_give_one_finding_naming_the_first_few(session, registry):
    report = run(session=session, data=wide_csv(300), filename="wide.csv", kind="consumption", dry_run=True)
    unknown = [f for f in report.findings if f.code == "COLUMN_UNKNOWN"]
    assert len(unknown) == 1
    assert unknown[0].message_en == "300 unknown column(s) ignored: x0、x1、x2、x3、x4…."
    assert report.rows_accepted == 1


# ------------------------------------------------------------------------------------- 8. the user's words
def test_excel_unicode_text_loads(session, registry):
    text = "建筑编号\t统计期\t能源品种\t用量\t单位\r\n110105A001\t2007-01\t电\t100\tkWh\r\n"
    for encoding in ("utf-16", "utf-16-be"):
        data = (b"\xfe\xff" if encoding == "utf-16-be" else b"") + text.encode(encoding)
        report = run(session=session, data=data, filename="unicode.txt", kind="consumption", dry_run=True)
        assert (report.status, report.rows_accepted) == ("dry_run", 1), report.to_dict()


def test_mixed_encodings_name_the_first_bad_line(session, registry):
    data = (HEADER + "110105A001,2007-01,电,1,kWh\n").encode() + "110105A001,2007-02,电,2,kWh\n".encode("gbk")
    report = run(session=session, data=data, filename="mixed.csv", kind="consumption")
    assert report.findings[0].code == "FILE_ENCODING_LINE" and report.findings[0].row == 3
    assert report.findings[0].message_en.startswith("Line 3 is not in the encoding")


def test_unbalanced_quote_names_its_line(session, registry):
    data = (HEADER + "110105A001,2007-01,电,1,kWh\n110105A001,2007-02,\"电,2,kWh\n" + "110105A001,2007-03,电,3,kWh\n" * 3).encode()
    report = run(session=session, data=data, filename="q.csv", kind="consumption")
    assert report.findings[0].code == "FILE_QUOTE_UNBALANCED" and report.findings[0].row == 3
    assert "C error" not in report.findings[0].message and "tokenizing" not in report.findings[0].message


# ------------------------------------------------------------------------------------- 3. formula injection
HOSTILE_CELLS = ("=HYPERLINK(\"http://x\",\"y\")", "@SUM(1)", "+kWh", "-2+3", "＝1+1")


def test_findings_csv_cells_are_inert(session, registry):
    from app.services import uploads

    lines = "".join(f"110105A001,2007-{i + 1:02d},电,{v},kWh\n" for i, v in enumerate(HOSTILE_CELLS))
    carriers = "110105A001,2008-01,=cmd|' /C calc'!A0,1,kWh\n"
    report = run(session=session, data=(HEADER + lines.replace(",", "，", 0) + carriers).encode(), filename="f.csv",
                 kind="consumption")
    blob = uploads.findings_csv(session=session, upload_id=report.upload_id).decode("utf-8-sig")
    import csv as csv_module

    cells = [c for row in csv_module.reader(io.StringIO(blob)) for c in row]
    assert any("HYPERLINK" in c for c in cells) and any("calc" in c for c in cells)
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "＝")], cells
