"""The stored rollups stay equal to a recomputation from the records, whatever the writers do."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select

from app.models import AreaMonthTotal, Building, BuildingYearTotal, ConsumptionRecord
from app.services import indicators, quality, rollups
from tests.integration.etl_files import ETL, data_dir, upload  # noqa: F401 (data_dir is a fixture)

pytestmark = pytest.mark.usefixtures("data_dir")


def _stored(session) -> dict[str, pd.DataFrame]:
    out = {}
    for model in (BuildingYearTotal, AreaMonthTotal):
        keys = [c.name for c in model.__table__.primary_key.columns]
        frame = pd.read_sql(select(model), session.connection())
        out[model.__tablename__] = frame.sort_values(keys, ignore_index=True)
    return out


def _recomputed(session) -> dict[str, pd.DataFrame]:
    """The rollups as a full rebuild gives them, without keeping that rebuild."""
    savepoint = session.begin_nested()
    rollups.rebuild(session=session)
    frames = _stored(session)
    savepoint.rollback()
    return frames


def assert_rollups_current(session) -> None:
    stored, expected = _stored(session), _recomputed(session)
    for name in stored:
        assert not expected[name].empty, name
        pd.testing.assert_frame_equal(stored[name], expected[name], check_dtype=False, rtol=1e-9, obj=name)


def test_uploads_corrections_and_reuploads_keep_rollups_current(session):
    upload(session, "buildings_ok.csv", kind="buildings")
    upload(session, "consumption_long.csv")
    assert_rollups_current(session)
    upload(session, "consumption_wide.csv")
    assert_rollups_current(session)
    text = (ETL / "consumption_long.csv").read_text(encoding="utf-8").replace('"120,000"', "150000")
    corrected = upload(session, "fix.csv", text=text)
    assert corrected.rows_changed == 1
    assert_rollups_current(session)

    office = session.scalar(select(Building.id).where(Building.code == "110105A001"))
    january = session.scalar(select(BuildingYearTotal).where(
        BuildingYearTotal.building_id == office, BuildingYearTotal.year == 2007,
        BuildingYearTotal.carrier_code == "electricity"))
    records = session.scalars(select(ConsumptionRecord).where(
        ConsumptionRecord.building_id == office, ConsumptionRecord.year == 2007,
        ConsumptionRecord.carrier_code == "electricity", ConsumptionRecord.sub_item == "")).all()
    assert january.months_reported == len(records) > 0
    assert january.quantity == pytest.approx(sum(r.quantity for r in records))
    assert january.months_mask == sum(1 << r.month for r in records)


def test_building_moving_district_moves_its_area_totals(session):
    upload(session, "buildings_ok.csv", kind="buildings")
    upload(session, "consumption_long.csv")
    before = session.scalars(select(AreaMonthTotal.district_code).distinct()).all()
    assert "110105" in before
    text = (ETL / "buildings_ok.csv").read_text(encoding="utf-8").replace(
        "110105A001,朝阳区政府办公楼,110105", "110105A001,朝阳区政府办公楼,110101")
    upload(session, "move.csv", kind="buildings", text=text)
    after = set(session.scalars(select(AreaMonthTotal.district_code).distinct()))
    assert "110101" in after
    assert_rollups_current(session)


def test_building_indicators_by_year_match_the_single_year_pass(session):
    upload(session, "buildings_ok.csv", kind="buildings")
    upload(session, "consumption_long.csv")
    upload(session, "consumption_wide.csv")
    office = session.scalar(select(Building.id).where(Building.code == "110105A001"))
    by_year = indicators.building_indicators_by_year(session=session, building_id=office, method="generation")
    assert list(by_year["year"]) == sorted(by_year["year"]) and len(by_year) >= 1
    for _, row in by_year.iterrows():
        single = indicators.building_year_indicators(session=session, year=int(row["year"]), method="generation",
                                                     building_ids=[office]).iloc[0]
        for column in ("energy_kgce", "energy_kwh_eq", "electricity_kwh", "months_reported", "is_complete",
                       "benchmark_status", "comparable_kwh_m2"):
            assert (pd.isna(single[column]) and pd.isna(row[column])) or single[column] == pytest.approx(row[column]), column


def test_completeness_counts_each_building_once(session):
    upload(session, "buildings_ok.csv", kind="buildings")
    upload(session, "consumption_long.csv")
    grid = quality.completeness_by_region_month(session=session, year=2007, region_codes=["110000"])
    by_month = grid.set_index("month")
    # 北京 has two registered buildings; the office reported electricity monthly and gas annually
    assert by_month.loc[1, "buildings_registered"] == 2
    assert by_month.loc[1, "buildings_reporting"] == 1
    assert (by_month["buildings_reporting"] <= by_month["buildings_registered"]).all()
