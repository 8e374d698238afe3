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
from etl import pipeline
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
