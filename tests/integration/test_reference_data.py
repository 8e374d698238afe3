"""Reference data in use, on SQLite and PostgreSQL: water and district cooling through the import into
the indicators, an extrapolated electricity factor in findings and reports, benchmark coverage."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

from app.config import get_settings
from app.domain import benchmarks as bm
from app.models import BuildingYearTotal, ConsumptionRecord, EnergyCarrier
from app.reports.data import _assessment_note, _factor_note
from app.services.assessment import assess, assessment_config
from app.services.indicators import building_year_indicators
from app.services.reference import factor_extrapolated_from, non_energy_carriers
from etl.pipeline import run
from tests.conftest import DATA_DIR

YEAR = 2025  # past the last published generation-method factor (2023)
OFFICE, MALL, HOTEL = "110105A001", "110105B001", "210102C001"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("JIENENG_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _lines(code: str, carrier: str, months, quantity: float, unit: str) -> list[str]:
    return [f"{code},{YEAR}-{m:02d},{carrier},{quantity},{unit}" for m in months]


def _survey(*, with_water: bool) -> bytes:
    lines = ["建筑编号,统计期,能源品种,用量,单位"]
    lines += _lines(OFFICE, "电", range(1, 13), 100_000, "kWh")
    lines += _lines(OFFICE, "集中供冷", range(6, 9), 500, "GJ")  # cooling season only
    lines += _lines(MALL, "电", range(1, 13), 400_000, "kWh")
    lines += _lines(HOTEL, "电", range(1, 13), 150_000, "kWh")
    if with_water:  # eleven months of water must neither add kgce nor make the year incomplete
        lines += _lines(OFFICE, "水", range(1, 12), 2, "万m³")
        lines += _lines(HOTEL, "自来水", range(1, 12), 3_000, "m3")
    return "\n".join(lines).encode("utf-8")


@pytest.fixture
def imported(session):
    registry = run(session=session, data=(DATA_DIR / "etl" / "buildings_ok.csv").read_bytes(),
                   filename="buildings.csv", kind="buildings")
    assert registry.status == "loaded", registry.to_dict()
    return session


def _import(session, *, with_water: bool):
    report = run(session=session, data=_survey(with_water=with_water), filename="survey.csv", kind="consumption")
    assert report.rows_rejected == 0, [f.to_dict() for f in report.findings if f.severity == "error"]
    return report


def test_water_is_kept_as_a_quantity_and_never_enters_energy(imported):
    session = imported
    _import(session, with_water=False)
    without = building_year_indicators(session=session, year=YEAR).set_index("code")
    _import(session, with_water=True)
    with_water = building_year_indicators(session=session, year=YEAR).set_index("code")

    assert non_energy_carriers(session=session) == frozenset({"water"})
    stored = session.execute(
        select(func.sum(ConsumptionRecord.quantity), func.sum(ConsumptionRecord.kgce_calorific),
               func.sum(ConsumptionRecord.kgce_generation)).where(ConsumptionRecord.carrier_code == "water")
    ).one()
    assert stored[0] == pytest.approx(11 * 20_000 + 11 * 3_000) and stored[1] == 0 and stored[2] == 0
    rollup = session.scalar(select(func.sum(BuildingYearTotal.kgce_calorific)).where(BuildingYearTotal.carrier_code == "water"))
    assert rollup == 0
    columns = ["kgce_calorific", "kgce_generation", "energy_kgce", "is_complete", "carriers_reported", "benchmark_status"]
    pd.testing.assert_frame_equal(with_water[columns], without[columns])
    assert with_water.loc[HOTEL, "is_complete"]  # water's 11 months do not make the year incomplete


def test_district_cooling_is_converted_and_seasonal(imported):
    _import(imported, with_water=False)
    office = building_year_indicators(session=imported, year=YEAR).set_index("code").loc[OFFICE]
    cooling_kgce = 3 * 500 * 1000 * 0.03412
    assert office["kgce_calorific"] == pytest.approx(12 * 100_000 * 0.1229 + cooling_kgce)
    assert office["is_complete"] and office["carriers_reported"] == 2


def test_every_covered_class_is_judged_and_the_year_past_the_table_is_flagged(imported):
    report = _import(imported, with_water=True)
    notices = [f for f in report.findings if f.code == "FACTOR_EXTRAPOLATED"]
    assert notices and all(f.severity == "notice" for f in notices)
    assert "2023" in notices[0].message_en and str(YEAR) in notices[0].message_zh

    frame = building_year_indicators(session=imported, year=YEAR).set_index("code")
    assert frame.loc[[OFFICE, MALL, HOTEL], "benchmark_status"].isin(bm.STATUSES).all()
    assert frame.loc[HOTEL, "benchmark_subtype"] == "four_star" and frame.loc[HOTEL, "is_subtype_assumed"]
    # 沈阳 is severe cold: the hotel reports no district heat, so it has no heating judgement
    assert frame.loc[HOTEL, "heating_constraint_kgce_m2"] == pytest.approx(0.38 * 34.12)
    assert frame.loc[HOTEL, "heating_status"] is None
    generation = building_year_indicators(session=imported, year=YEAR, method="generation").set_index("code")
    assert generation.loc[MALL, "energy_kgce"] == pytest.approx(12 * 400_000 * 0.3016)

    assert factor_extrapolated_from(session=imported, year=YEAR) == 2023
    assert factor_extrapolated_from(session=imported, year=2023) is None
    note = _factor_note(session=imported, year=YEAR)
    assert "沿用最近公布的 2023 年数值" in note.text_zh and "extrapolated" in note.text_en
    assert "水只计量" in note.text_zh and "never converted" in note.text_en
    assert "集中供冷 0.03412 kgce/MJ" in note.text_zh
    plain = _factor_note(session=imported, year=2008)
    assert "外推" not in plain.text_zh and "extrapolated" not in plain.text_en and "0.349" in plain.text_en


def test_uncovered_classes_say_so(imported, session):
    from app.models import Building

    school = session.scalar(select(Building).where(Building.code == OFFICE))
    school.building_class = "E"
    session.flush()
    _import(session, with_water=False)
    frame = building_year_indicators(session=session, year=YEAR).set_index("code")
    assert frame.loc[OFFICE, "benchmark_status"] == bm.STATUS_NOT_COVERED
    assert session.get(EnergyCarrier, "district_cooling").category == "05"


def test_assessment_note_labels_the_platforms_own_items(imported):
    _import(imported, with_water=False)
    assessment = assess(session=imported, year=YEAR)[0]
    note = _assessment_note(assessment)
    config = assessment_config()
    for measure in config.measures:
        assert f"{measure.name_zh}（平台自定项目）" in note.text_zh
        assert f"{measure.name_en} (the platform’s own item)" in note.text_en
    assert "超额完成 95 分及以上" in note.text_zh and "完成 80–95 分（不含）" in note.text_zh
    assert "国发〔2007〕36号" in note.text_zh and "not by the cited scheme" in note.text_en
