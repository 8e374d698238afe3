"""`jieneng report annual` end to end on a fresh, committed database."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from app import migrate
from app.cli import app as cli
from app.db import session_scope
from app.services.targets import decompose
from seeds.demo import generate
from seeds.loader import load_reference
from tests.expected import region_totals


@pytest.fixture
def loaded(empty_database_url, use_database):
    use_database(empty_database_url)
    migrate.upgrade(empty_database_url)
    with session_scope() as session:
        load_reference(session)
        generate(session, buildings_per_region=3, seed=11)
        decompose(session=session, scope_code="000000", cut_percent=8, baseline_year=2005, target_year=2010,
                  method="baseline")
    return empty_database_url


def test_report_annual_writes_each_format(loaded, tmp_path):
    runner = CliRunner(env={"COLUMNS": "200"})
    pdf_path = tmp_path / "out" / "shenyang.pdf"
    result = runner.invoke(cli, ["report", "annual", "--year", "2008", "--region", "210100", "--format", "pdf",
                                 "--out", str(pdf_path)])
    assert result.exit_code == 0, result.output
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_path.read_bytes())).pages)
    with session_scope() as session:
        shenyang = region_totals(session, year=2008, region_code="210100")
        nation = region_totals(session, year=2008, region_code="000000")
    assert shenyang.buildings_complete > 0
    assert "沈阳" in text and f"{shenyang.kgce_calorific / 1000:,.2f}" in text

    xlsx_path = tmp_path / "national.xlsx"
    result = runner.invoke(cli, ["report", "annual", "--year", "2008", "--format", "XLSX", "--out", str(xlsx_path)])
    assert result.exit_code == 0, result.output
    book = load_workbook(xlsx_path)
    assert book["地区 Regions"].max_row == 2 + 21
    cover = {r[0]: r[1] for r in book["封面 Cover"].iter_rows(values_only=True) if r and r[0]}
    assert cover["完整年度能耗合计 (tce, 当量值) Complete-year total (tce, calorific)"] == pytest.approx(
        nation.kgce_calorific / 1000, rel=1e-9)


def test_report_annual_refuses_bad_input(loaded, tmp_path):
    runner = CliRunner()
    bad_format = runner.invoke(cli, ["report", "annual", "--year", "2008", "--format", "docx",
                                     "--out", str(tmp_path / "x.docx")])
    assert bad_format.exit_code == 2 and "docx" in bad_format.output
    bad_region = runner.invoke(cli, ["report", "annual", "--year", "2008", "--region", "999999", "--format", "csv",
                                     "--out", str(tmp_path / "x.csv")])
    assert bad_region.exit_code == 2 and "999999" in bad_region.output
    assert not (tmp_path / "x.csv").exists()
