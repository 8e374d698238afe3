"""The comparison service on data loaded through the ETL: reasons, moves across boundaries, the basis label."""

from __future__ import annotations

import pytest

from app.services.comparison import building_changes, compare, compare_regions
from tests.integration.etl_files import data_dir, upload  # noqa: F401  (fixture)

BUILDINGS = """建筑编码,建筑名称,行政区划代码,建筑类型,是否国家机关办公建筑,是否大型公共建筑,建筑面积(m²)
210102A001,和平办公楼,210102,办公,是,否,10000
210202A001,中山办公楼,210202,办公,是,否,20000
210102A002,和平新楼,210102,办公,是,否,5000
210102A003,和平半年楼,210102,办公,是,否,8000
"""
MOVED = BUILDINGS.replace("210202A001,中山办公楼,210202", "210202A001,中山办公楼,210102")


def _consumption() -> str:
    rows = ["Building code,Period,Carrier,Quantity,Unit"]
    for month in range(1, 13):
        rows.append(f"210102A001,2007-{month:02d},electricity,1000,kWh")
        rows.append(f"210102A001,2008-{month:02d},electricity,900,kWh")
        rows.append(f"210202A001,2007-{month:02d},electricity,2000,kWh")
        rows.append(f"210202A001,2008-{month:02d},electricity,2200,kWh")
        rows.append(f"210102A002,2008-{month:02d},electricity,500,kWh")
        rows.append(f"210102A003,2007-{month:02d},electricity,700,kWh")
        if month <= 6:
            rows.append(f"210102A003,2008-{month:02d},electricity,700,kWh")
    return "\n".join(rows) + "\n"


@pytest.fixture
def loaded(session, data_dir):  # noqa: F811
    upload(session, "buildings.csv", "buildings", BUILDINGS)
    upload(session, "consumption.csv", "consumption", _consumption())
    upload(session, "moved.csv", "buildings", MOVED)
    return session


def test_reasons_and_moves_across_a_boundary(loaded):
    shenyang = compare(session=loaded, year_from=2007, year_to=2008, region_code="210100")
    reasons = dict(zip(shenyang.rows["code"], shenyang.rows["reason"], strict=True))
    # 中山办公楼 moved from 大连 into 沈阳: 沈阳 cannot compare it; 辽宁 holds it in both years and can.
    assert reasons == {"210102A001": None, "210202A001": "moved_region", "210102A002": "registered_later",
                       "210102A003": "incomplete_later"}
    assert shenyang.basis.buildings == 1 and shenyang.basis.floor_area_m2 == 10_000
    assert shenyang.basis.change_pct == pytest.approx(-10.0)
    assert shenyang.basis.label("en") == "comparable: 1 buildings, 10,000 m²"
    excluded = shenyang.excluded()
    assert list(excluded["code"]) == ["210102A002", "210102A003", "210202A001"]
    assert excluded.set_index("code").loc["210202A001", "reason_zh"] == "两期之间变更了所属地区"

    liaoning = compare(session=loaded, year_from=2007, year_to=2008, region_code="210000")
    assert liaoning.basis.buildings == 2
    assert liaoning.basis.change_pct == pytest.approx((900 + 2200 - 1000 - 2000) / 3000 * 100)
    table = compare_regions(session=loaded, year_from=2007, year_to=2008, regions=["000000", "210000", "210100"])
    assert table.loc["210100", "comparable_buildings"] == 1 and table.loc["210000", "comparable_buildings"] == 2
    assert table.loc["000000", "change_pct"] == pytest.approx(liaoning.basis.change_pct)
    assert table.loc["210100", "basis_label_zh"] == "可比建筑 1 栋 · 面积 10,000 m²"


def test_building_changes_show_no_change_without_a_basis(loaded):
    changes = building_changes(session=loaded, year=2008, region_code="210000").set_index("code")
    assert changes.loc["210102A001", "change_pct"] == pytest.approx(-10.0)
    assert changes.loc["210102A002", "is_comparable"] == False  # noqa: E712
    assert changes[~changes["is_comparable"]]["change_pct"].isna().all()
    nothing = compare(session=loaded, year_from=2005, year_to=2008, region_code="210100").basis
    assert nothing.buildings == 0 and nothing.change_pct is None and nothing.label("zh") == "无可比基础"
