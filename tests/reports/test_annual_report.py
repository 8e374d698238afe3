"""The annual report on demo data: every format's totals equal those computed here from the stored rows."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select, update

from app.models import Building
from app.reports import FORMATS, build_annual_report
from app.reports.data import collect_report_data
from app.services.assessment import assess
from app.services.indicators import building_year_indicators, rollup_by
from app.services.targets import decompose
from seeds.demo import generate
from tests import expected

YEAR = 2008
REGION = "210000"  # 辽宁, which contains 沈阳 210100
INJECTED = '=HYPERLINK("http://x","y")'


@pytest.fixture
def demo(session):
    generate(session, buildings_per_region=6, seed=7)
    decompose(session=session, scope_code="000000", cut_percent=10, baseline_year=2005, target_year=2010,
              method="baseline")
    victim = session.scalar(select(Building.id).where(Building.province_code == REGION).order_by(Building.code))
    session.execute(update(Building).where(Building.id == victim).values(name=INJECTED))
    session.flush()
    return session


def _expected_totals(session, code, year=YEAR):
    """tce of the complete building-years of a region, summed here from the consumption records."""
    totals = expected.region_totals(session, year=year, region_code=code)
    assert totals.buildings_complete > 0 or year != YEAR
    return totals.kgce_calorific / 1000, totals.kgce_generation / 1000


def test_data_matches_services(demo):
    data = collect_report_data(session=demo, year=YEAR, region_code=REGION)
    calorific, generation = _expected_totals(demo, REGION)
    assert data.scope_name_zh == "辽宁"
    assert data.total_tce_calorific == pytest.approx(calorific, rel=1e-9)
    assert data.total_tce_generation == pytest.approx(generation, rel=1e-9)
    assert data.summary_value("total_tce_calorific") == pytest.approx(calorific, rel=1e-9)
    complete = data.buildings[data.buildings["is_complete"]]
    assert complete["kgce_calorific"].sum() / 1000 == pytest.approx(calorific, rel=1e-9)
    totals = expected.region_totals(demo, year=YEAR, region_code=REGION)
    assert len(complete) == totals.buildings_complete
    assert len(data.buildings) == totals.buildings_reporting
    assert data.summary_value("buildings_registered") == totals.buildings_registered
    frame = building_year_indicators(session=demo, year=YEAR, region_code=REGION)
    assert len(data.buildings) == int(frame["is_reporting"].sum())
    assert len(data.buildings) + int((~frame["is_reporting"]).sum()) == data.summary_value("buildings_registered")
    # 沈阳's buildings count for 辽宁.
    assert data.buildings["code"].str.startswith("2101").any()
    assert data.class_intensity["buildings"].sum() == data.summary_value("buildings_complete")
    by_class = rollup_by(session=demo, year=YEAR, region_code=REGION, by="building_class").set_index("building_class")
    mine = data.class_intensity.set_index("building_class")
    assert list(mine.index) == list(by_class.index)
    assert list(mine["buildings"]) == list(by_class["buildings_complete"])
    for column, theirs in (("floor_area_m2", "floor_area_m2"), ("kgce_calorific", "kgce_calorific"),
                           ("intensity_kwh_m2", "energy_kwh_m2")):
        assert mine[column].to_numpy() == pytest.approx(by_class[theirs].to_numpy(), rel=1e-12, nan_ok=True)
    assert list(data.target_path["year"]) == list(range(2005, 2011))
    # The path's actual use is the decomposed baseline moved by the like-for-like change since the baseline year.
    baseline = data.summary_value("saving_target_tce") and data.target_path.set_index("year").loc[2005, "actual_kgce"]
    assert data.target_path.set_index("year").loc[YEAR, "actual_kgce"] == pytest.approx(
        baseline * (1 + data.summary_value("change_vs_baseline_pct") / 100), rel=1e-9)
    assert pd.isna(data.target_path.set_index("year").loc[2010, "actual_kgce"])
    score = data.summary_value("assessment_score")
    [assessment] = assess(session=demo, year=YEAR, region_code=REGION)
    assert 0.0 <= score <= 100.0
    assert score == pytest.approx(sum(s.points for s in assessment.sub_scores), abs=0.01)
    assert data.summary_value("assessment_grade") == f"{assessment.grade_zh} {assessment.grade_en}"
    assert data.regions is None


def test_national_counts_each_building_once(demo):
    data = collect_report_data(session=demo, year=YEAR)
    calorific, generation = _expected_totals(demo, "000000")
    assert data.total_tce_calorific == pytest.approx(calorific, rel=1e-9)
    assert data.total_tce_generation == pytest.approx(generation, rel=1e-9)
    assert len(data.regions) == 21
    # Regions overlap, so adding them up overstates the nation.
    assert data.regions["kgce_calorific"].sum() / 1000 > data.total_tce_calorific
    liaoning = data.regions.set_index("region_code").loc[REGION]
    assert liaoning["kgce_calorific"] / 1000 == pytest.approx(_expected_totals(demo, REGION)[0], rel=1e-9)
    assert data.regions["grade"].notna().all()


def test_a_year_without_statistics_still_reports(demo):
    data = collect_report_data(session=demo, year=2003, region_code=REGION)
    assert data.buildings.empty and data.total_tce_calorific == 0
    assert data.summary_value("buildings_reporting") == 0
    assert len(data.excluded) == data.summary_value("buildings_registered") > 0
    outputs = {fmt: build_annual_report(session=demo, year=2003, region_code=REGION, fmt=fmt)[0] for fmt in FORMATS}
    book = load_workbook(io.BytesIO(outputs["xlsx"]))
    summary = {r[1]: r[2] for r in book["摘要 Summary"].iter_rows(min_row=3, values_only=True)}
    assert summary["Complete-year total (calorific)"] == 0
    assert summary["Buildings registered"] == len(data.excluded)
    assert list(book["建筑 Buildings"].iter_rows(min_row=3, values_only=True)) == []
    rows = list(csv.reader(io.StringIO(outputs["csv"].decode("utf-8-sig"))))
    total_row = next(r for r in rows if len(r) > 2 and r[1] == "Complete-year total (calorific)")
    assert float(total_row[2]) == 0.0
    page = outputs["html"].decode("utf-8")
    assert "2003" in page and "辽宁" in page
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(outputs["pdf"])).pages)
    assert "2003" in pdf_text and "辽宁" in pdf_text


def test_unknown_region_is_refused(demo):
    with pytest.raises(LookupError):
        collect_report_data(session=demo, year=YEAR, region_code="999999")


def test_every_format_carries_the_expected_totals_and_inert_names(demo):
    calorific, generation = _expected_totals(demo, REGION)
    outputs = {}
    for fmt in FORMATS:
        seen: list[float] = []

        def record(_message: str, fraction: float, seen: list[float] = seen) -> None:
            seen.append(fraction)

        content, _, filename = build_annual_report(session=demo, year=YEAR, region_code=REGION, fmt=fmt,
                                                   progress=record)
        assert filename == f"jieneng-annual-{YEAR}-{REGION}.{fmt}"
        assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0), (fmt, seen)
        outputs[fmt] = content

    book = load_workbook(io.BytesIO(outputs["xlsx"]))
    summary = {r[1]: r[2] for r in book["摘要 Summary"].iter_rows(min_row=3, values_only=True)}
    assert summary["Complete-year total (calorific)"] == pytest.approx(calorific, rel=1e-9)
    assert summary["Complete-year total (generation)"] == pytest.approx(generation, rel=1e-9)
    sheet = book["建筑 Buildings"]
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    kgce, complete = header.index("总能耗 (kgce, 当量值)"), header.index("数据完整")
    assert all(isinstance(r[kgce], float) for r in rows)
    assert sum(r[kgce] for r in rows if r[complete] == "是") / 1000 == pytest.approx(calorific, rel=1e-9)
    assert "'" + INJECTED in [r[header.index("建筑名称")] for r in rows]

    text = outputs["csv"].decode("utf-8-sig")
    assert outputs["csv"].startswith(b"\xef\xbb\xbf")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'" + INJECTED in cells and INJECTED not in cells
    rows = list(csv.reader(io.StringIO(text)))
    total_row = next(r for r in rows if len(r) > 2 and r[1] == "Complete-year total (calorific)")
    assert float(total_row[2]) == pytest.approx(calorific, rel=1e-9)

    page = outputs["html"].decode("utf-8")
    assert INJECTED not in page and "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in page
    assert f"{calorific:,.2f}" in page and f"{generation:,.2f}" in page

    reader = PdfReader(io.BytesIO(outputs["pdf"]))
    pdf_text = "\n".join(p.extract_text() for p in reader.pages)
    assert "辽宁" in pdf_text
    assert f"{calorific:,.2f}" in pdf_text and f"{generation:,.2f}" in pdf_text
    assert INJECTED in pdf_text
    assert all("/Annots" not in p for p in reader.pages)
