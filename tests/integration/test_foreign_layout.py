"""A layout from another system, loaded through a saved profile: ENERGY STAR Portfolio Manager meter entries
(US dates, billing periods across months, therms, a unit named its own way, a cost column to ignore).
The monthly totals are checked against a day-by-day computation made here, independently of the ETL."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from app.config import get_settings
from app.models import Building, ConsumptionRecord
from app.services import profiles
from etl.pipeline import run
from tests.conftest import DATA_DIR

ETL = DATA_DIR / "etl"
FILE = ETL / "foreign" / "portfolio_manager_meter_entries.csv"
THERM_MJ = 105.5056  # EC therm, 100,000 Btu(IT)
KGCE_MJ, GAS_KGCE_PER_M3 = 29.3076, 1.2143
PROFILE = {
    "fields": {"building_code": "Custom ID 1", "carrier": "Meter Type", "interval_start": "Start Date",
               "interval_end": "End Date", "quantity": "Usage/Quantity", "unit": "Usage Units"},
    "values": {"carrier": {"Electric - Grid": "electricity", "Natural Gas": "natural_gas"}},
    "units": {"kWh (thousand Watt-hours)": {"base": "kWh", "factor": 1}},
    "ignore": ["Portfolio Manager ID", "Meter Name", "Cost ($)", "Estimation"],
    "date_order": "MDY",
}


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("JIENENG_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _expected() -> dict[tuple[str, str, int, int], float]:
    """Each bill spread evenly over its days (end date included), summed per building, carrier and month."""
    frame = pd.read_csv(FILE, thousands=",", dtype={"Custom ID 1": str})
    out: dict[tuple[str, str, int, int], float] = {}
    for row in frame.itertuples(index=False):
        start = date(*map(int, (row[4][6:], row[4][:2], row[4][3:5])))
        end = date(*map(int, (row[5][6:], row[5][:2], row[5][3:5])))
        days = (end - start).days + 1
        carrier = "electricity" if row[3].startswith("Electric") else "natural_gas"
        per_day = row[6] * (THERM_MJ / KGCE_MJ / GAS_KGCE_PER_M3 if carrier == "natural_gas" else 1.0) / days
        for i in range(days):
            day = start + timedelta(days=i)
            key = (row[1], carrier, day.year, day.month)
            out[key] = out.get(key, 0.0) + per_day
    return out


def test_portfolio_manager_export_loads_through_a_saved_profile(session):
    assert run(session=session, data=(ETL / "buildings_ok.csv").read_bytes(), filename="b.csv",
               kind="buildings").status == "loaded"
    profiles.save_profile(session=session, name="ENERGY STAR Portfolio Manager", kind="consumption", spec=PROFILE,
                          region_code=None, shared=True)
    saved = profiles.find_profile(session=session, name="ENERGY STAR Portfolio Manager", region_code="110105")
    report = run(session=session, data=FILE.read_bytes(), filename=FILE.name, kind="consumption", mapping=saved.spec)
    assert report.status == "loaded" and report.rows_accepted == 7, [f.message_en for f in report.findings]
    assert {f.value for f in report.findings if f.code == "COLUMN_IGNORED"} == set(PROFILE["ignore"])
    codes = dict(session.execute(select(Building.id, Building.code)).all())
    stored = {(codes[r.building_id], r.carrier_code, r.year, r.month): r
              for r in session.scalars(select(ConsumptionRecord))}
    expected = _expected()
    assert set(stored) == set(expected)
    for key, total in expected.items():
        assert stored[key].quantity == pytest.approx(total, rel=1e-9), key
    # the months the bills cover wholly are complete; the edges (late Dec 2011, late Feb/Mar 2012) are not
    assert stored[("110105A001", "electricity", 2012, 1)].coverage == 1.0
    assert stored[("110105A001", "electricity", 2011, 12)].coverage == pytest.approx(4 / 31)
    assert stored[("440304A002", "electricity", 2012, 2)].coverage == 1.0
    assert sum(r.quantity for k, r in stored.items() if k[1] == "electricity") == pytest.approx(
        412_800 + 398_400 + 405_120 + 1_205_300 + 1_131_900)


def test_without_the_profile_the_dates_are_ambiguous(session):
    spec = {k: v for k, v in PROFILE.items() if k != "date_order"}
    assert run(session=session, data=(ETL / "buildings_ok.csv").read_bytes(), filename="b.csv",
               kind="buildings").status == "loaded"
    report = run(session=session, data=FILE.read_bytes(), filename=FILE.name, kind="consumption", mapping=spec)
    bad = [f for f in report.findings if f.code == "PERIOD_INVALID"]
    assert bad and all(f.column in ("Start Date", "End Date") for f in bad)  # 01/05/2012 could be May or January
