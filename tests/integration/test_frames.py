"""Held national indicator frames: computed once per data fingerprint, refreshed in the background."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest
from sqlalchemy import select

from app import migrate
from app.db import make_engine, session_scope
from app.models import Building
from app.services import frames, indicators
from seeds.loader import load_reference
from tests.integration.etl_files import ETL, data_dir, upload  # noqa: F401 (data_dir is a fixture)

COMPARED = ["building_id", "year", "energy_kgce", "energy_kwh_eq", "months_reported", "is_complete", "benchmark_status"]
pytestmark = pytest.mark.usefixtures("data_dir")


def test_frame_is_held_until_the_data_change(session):
    upload(session, "buildings_ok.csv", kind="buildings")
    upload(session, "consumption_long.csv")
    assert frames.held_frame(session=session, year=2007) is None
    first = frames.national_frame(session=session, year=2007)
    assert frames.national_frame(session=session, year=2007) is first
    assert frames.held_frame(session=session, year=2007) is first
    text = (ETL / "consumption_long.csv").read_text(encoding="utf-8").replace('"120,000"', "150000")
    upload(session, "fix.csv", text=text)
    assert frames.held_frame(session=session, year=2007) is None
    second = frames.national_frame(session=session, year=2007)
    office = second["code"] == "110105A001"
    assert second.loc[office, "energy_kgce"].iloc[0] > first.loc[first["code"] == "110105A001", "energy_kgce"].iloc[0]


def test_building_and_region_rows_from_held_frames_match_computed_ones(session):
    upload(session, "buildings_ok.csv", kind="buildings")
    upload(session, "consumption_long.csv")
    upload(session, "consumption_wide.csv")
    office = session.scalar(select(Building.id).where(Building.code == "110105A001"))
    computed = pd.DataFrame(frames.building_records(session=session, building_id=office))  # nothing held: computed
    years = sorted(computed["year"])
    for year in years:
        frames.national_frame(session=session, year=year)
    held = pd.DataFrame(frames.building_records(session=session, building_id=office))
    pd.testing.assert_frame_equal(held[COMPARED], computed[COMPARED], check_dtype=False)
    region = frames.region_frame(session=session, year=years[0], region_code="110000")
    alone = indicators.building_year_indicators(session=session, year=years[0], region_code="110000")
    pd.testing.assert_frame_equal(region[COMPARED].sort_values("building_id", ignore_index=True),
                                  alone[COMPARED].sort_values("building_id", ignore_index=True), check_dtype=False)


def test_refresher_precomputes_every_year_and_method_after_a_change(empty_database_url):
    migrate.upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    with session_scope(engine) as session:
        load_reference(session)
        upload(session, "buildings_ok.csv", kind="buildings")
        upload(session, "consumption_long.csv")
    refreshed = threading.Event()
    refresher = frames.Refresher(engine, interval_s=0.05, after=[refreshed.set]).start()
    try:
        assert refreshed.wait(30)
        deadline = time.monotonic() + 10
        while refresher.state != "current" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert refresher.state == "current"
        with session_scope(engine) as session:
            assert all(frames.held_frame(session=session, year=2007, method=m) is not None for m in frames.METHODS)
        refreshed.clear()
        with session_scope(engine) as session:
            upload(session, "consumption_wide.csv")
        assert refreshed.wait(30)
        deadline = time.monotonic() + 30
        with session_scope(engine) as session:
            while frames.held_frame(session=session, year=2007) is None and time.monotonic() < deadline:
                time.sleep(0.05)
            held = frames.held_frame(session=session, year=2007)
            assert held is not None
            fresh = indicators.building_year_indicators(session=session, year=2007)
            assert held["energy_kgce"].sum() == pytest.approx(fresh["energy_kgce"].sum())
    finally:
        refresher.stop()
        engine.dispose()
