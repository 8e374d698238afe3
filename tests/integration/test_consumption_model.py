"""The period key: a building-carrier-year holds twelve months or one annual figure, never both."""

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from app.models import Building, ConsumptionRecord, ConsumptionSeries


def _building(session) -> int:
    building = Building(code="110105A901", name="测试办公楼", district_code="110105", province_code="110000",
                        city_code="110100", building_class="A", floor_area_m2=10_000)
    session.add(building)
    session.flush()
    return building.id


def _record(building_id: int, month: int, grain: str) -> dict:
    return dict(building_id=building_id, carrier_code="electricity", year=2007, month=month, grain=grain, sub_item="",
                quantity_reported=1.0, unit_reported="kWh", quantity=1.0, kgce_calorific=0.1229, kgce_generation=0.356)


def test_annual_figure_cannot_join_monthly_figures(session):
    building_id = _building(session)
    session.add(ConsumptionSeries(building_id=building_id, carrier_code="electricity", year=2007, grain="M"))
    session.execute(insert(ConsumptionRecord), [_record(building_id, 1, "M")])
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(insert(ConsumptionRecord), [_record(building_id, 0, "A")])


def test_month_zero_must_be_annual_grain(session):
    building_id = _building(session)
    session.add(ConsumptionSeries(building_id=building_id, carrier_code="electricity", year=2007, grain="M"))
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(insert(ConsumptionRecord), [_record(building_id, 0, "M")])


def test_same_period_twice_is_rejected(session):
    building_id = _building(session)
    session.add(ConsumptionSeries(building_id=building_id, carrier_code="electricity", year=2007, grain="M"))
    session.execute(insert(ConsumptionRecord), [_record(building_id, 3, "M")])
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(insert(ConsumptionRecord), [_record(building_id, 3, "M")])
