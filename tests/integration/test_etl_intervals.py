"""Interval readings summed exactly into months, with coverage, gaps and overlaps (SQLite and PostgreSQL)."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from sqlalchemy import select

from app.config import get_settings
from app.models import BuildingYearTotal, ConsumptionRecord
from etl.pipeline import run
from seeds.loader import SEEDS_DIR
from tests.conftest import DATA_DIR

ETL = DATA_DIR / "etl"
HOURLY = SEEDS_DIR / "samples" / "consumption_hourly_en_utf8.csv"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("JIENENG_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def registry(session):
    for name in ("buildings_zh_utf8.csv",):
        data = (SEEDS_DIR / "samples" / name).read_bytes()
        assert run(session=session, data=data, filename=name, kind="buildings").status == "loaded"
    assert run(session=session, data=(ETL / "buildings_ok.csv").read_bytes(), filename="b.csv",
               kind="buildings").status == "loaded"


def _months(session, code=None):
    stmt = select(ConsumptionRecord).order_by(ConsumptionRecord.building_id, ConsumptionRecord.month)
    return session.scalars(stmt).all()


def _csv(rows: list[tuple]) -> bytes:
    return ("building_code,timestamp,carrier,quantity,unit\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)).encode()


def test_hourly_sample_sums_exactly_into_complete_months(session, registry):
    report = run(session=session, data=HOURLY.read_bytes(), filename=HOURLY.name, kind="consumption")
    assert report.status == "loaded" and report.rows_accepted == report.rows_read == 2832, report.to_dict()
    assert not [f for f in report.findings if f.severity != "notice"]
    # the totals, computed independently from the file
    frame = pd.read_csv(HOURLY, dtype={"Building code": str})
    frame["month"] = frame["Timestamp"].str[5:7].astype(int)
    expected = frame.groupby(["Building code", "month"])["Electricity (kWh)"].sum()
    from app.models import Building

    codes = dict(session.execute(select(Building.id, Building.code)).all())
    stored = {(codes[r.building_id], r.month): r for r in _months(session)}
    assert set(stored) == set(expected.index)
    for key, total in expected.items():
        assert stored[key].quantity == pytest.approx(total, rel=1e-12)
        assert stored[key].coverage == 1.0 and stored[key].grain == "M" and stored[key].year == 2009
    totals = session.scalars(select(BuildingYearTotal).where(BuildingYearTotal.year == 2009)).all()
    assert {t.months_reported for t in totals} == {2}


def test_fifteen_minute_readings_with_a_gap_are_an_incomplete_month(session, registry):
    times = pd.date_range("2012-03-01", "2012-05-01", freq="15min", inclusive="left")
    times = times[~((times >= "2012-03-10") & (times < "2012-03-11"))]  # a day missing in March
    rows = [("110105A001", t.strftime("%Y-%m-%d %H:%M"), "electricity", 2.5, "kWh") for t in times]
    report = run(session=session, data=_csv(rows), filename="q.csv", kind="consumption")
    assert report.status == "loaded" and report.rows_rejected == 0
    gaps = [f for f in report.findings if f.code == "INTERVAL_GAP"]
    assert [(f.value, f.severity, f.column, f.row) for f in gaps] == [("2012-03", "warning", "timestamp", 2)]
    assert "24.0" in gaps[0].message_en and "96.8" in gaps[0].message_en  # 30 of 31 days
    march, april = _months(session)
    assert march.quantity == pytest.approx(30 * 96 * 2.5) and march.coverage == pytest.approx(30 / 31)
    assert april.quantity == pytest.approx(30 * 96 * 2.5) and april.coverage == 1.0
    total = session.scalar(select(BuildingYearTotal).where(BuildingYearTotal.year == 2012))
    assert total.months_reported == 1 and total.months_mask == 1 << 4  # April alone counts as reported
    assert total.quantity == pytest.approx(60 * 96 * 2.5)


def test_duplicate_and_overlapping_intervals_are_findings(session, registry):
    rows = [("110105A001", f"2012-01-{d:02d}", "electricity", 100, "kWh") for d in range(1, 32)]
    rows.insert(5, ("110105A001", "2012-01-05", "electricity", 100, "kWh"))  # line 7 repeats line 6
    report = run(session=session, data=_csv(rows), filename="d.csv", kind="consumption")
    dup = [f for f in report.findings if f.code == "INTERVAL_DUPLICATE"]
    assert [(f.row, f.severity, f.value) for f in dup] == [(7, "error", "2012-01-05")] and "6" in dup[0].message_en
    assert report.rows_rejected == 1 and report.rows_accepted == 31
    (january,) = _months(session)
    assert january.quantity == pytest.approx(3100) and january.coverage == 1.0
    ranges = ("building_code,start,end,carrier,quantity,unit\n"
              "110105A001,2013-01-01,2013-01-20,natural_gas,190,m3\n"
              "110105A001,2013-01-15,2013-01-31,natural_gas,170,m3\n").encode()
    report = run(session=session, data=ranges, filename="o.csv", kind="consumption")
    over = [f for f in report.findings if f.code == "INTERVAL_OVERLAP"]
    assert [(f.row, f.column) for f in over] == [(3, "start")] and report.rows_rejected == 1


def test_date_ranges_across_months_are_shared_by_time(session, registry):
    data = ("建筑编号,起始日期,截止日期,能源品种,用量,单位\n"
            "110105A001,2012-01-16,2012-02-15,天然气,3100,立方米\n"
            "110105A001,2012-02-16,2012-02-29,天然气,1400,立方米\n").encode()
    report = run(session=session, data=data, filename="bill.csv", kind="consumption")
    assert report.status == "loaded", [f.message_en for f in report.findings]
    january, february = _months(session)
    # 16-31 January is 16 of the first bill's 31 days; the end date is included
    assert january.quantity == pytest.approx(3100 * 16 / 31) and january.coverage == pytest.approx(16 / 31)
    assert february.quantity == pytest.approx(3100 * 15 / 31 + 1400) and february.coverage == 1.0
    assert sum(r.quantity for r in _months(session)) == pytest.approx(4500)


def test_monthly_files_are_unchanged_by_interval_reading(session, registry):
    report = run(session=session, data=(ETL / "consumption_long.csv").read_bytes(), filename="l.csv", kind="consumption")
    assert report.status == "loaded" and report.rows_changed == 6
    assert {r.coverage for r in _months(session)} == {None}
    monthly_dates = _csv([("110105A001", f"2012-{m:02d}-01", "electricity", 10, "kWh") for m in range(1, 13)])
    report = run(session=session, data=monthly_dates, filename="m.csv", kind="consumption")
    assert report.rows_changed == 12 and not [f for f in report.findings if f.code.startswith("INTERVAL")]
    assert {r.coverage for r in _months(session) if r.year == 2012} == {None}
