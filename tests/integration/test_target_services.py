"""Decomposition, progress and assessment on the hand-made data (tests/data/analytics)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.domain.targets import DecompositionError
from app.models import SavingTarget
from app.services.assessment import assess, assessment_table, measure_frame
from app.services.targets import (
    current_targets,
    decompose,
    list_targets,
    target_progress,
)
from tests.integration.analytics_data import load_analytics

# 2005 baseline, calorific, every building-year complete (kgce):
B_BEIJING = 750_000 * 0.1229 + 500_000 * 0.03412  # 109,235
B_SHENYANG_OFFICE = 1_800_000 * 0.1229 + 1_200_000 * 0.03412  # 262,164
B_DALIAN_MALL = 6_000_000 * 0.1229  # 737,400
B_SHENYANG_SCHOOL = 240_000 * 0.1229  # 29,496
B_SHANGHAI = 600_000 * 0.1229  # 73,740
NATION_2005 = B_BEIJING + B_SHENYANG_OFFICE + B_DALIAN_MALL + B_SHENYANG_SCHOOL + B_SHANGHAI


@pytest.fixture
def data(session):
    load_analytics(session)
    return session


def test_national_cut_split_by_baseline_share(data):
    result = decompose(session=data, cut_percent=20, baseline_year=2005, target_year=2010, method="baseline",
                       to_buildings=True, created_by="tester")
    assert result.baseline_kgce == pytest.approx(NATION_2005)  # 1,212,035
    assert result.saving_kgce == 242_407
    rows = result.rows.set_index("scope_code")
    # Top-level regions with buildings: 北京, 辽宁, 上海 (沈阳 lies inside 辽宁, so it is not a top-level child).
    top = rows[rows["parent_code"] == "000000"]
    assert sorted(top.index) == ["110000", "210000", "310000"]
    assert top["saving_kgce"].to_dict() == {"110000": 21_847, "210000": 205_812, "310000": 14_748}
    assert top["saving_kgce"].sum() == result.saving_kgce
    # 辽宁 splits into 沈阳 and the Dalian mall; 沈阳 into its two buildings (52,432.8 and 5,899.2 -> largest remainder).
    assert rows.loc["210100", "parent_code"] == "210000"
    assert rows.loc["210100", "saving_kgce"] == 58_332
    assert rows.loc["210202B001", "saving_kgce"] == 147_480
    assert rows.loc["210102A001", "saving_kgce"] == 52_433
    assert rows.loc["210102D001", "saving_kgce"] == 5_899
    for parent in ["000000", "110000", "210000", "210100", "310000"]:
        children = rows[rows["parent_code"] == parent]
        assert children["saving_kgce"].sum() == rows.loc[parent, "saving_kgce"]
    assert rows.loc["110000", "cut_percent"] == pytest.approx(20.0)
    assert result.milestones["expected_saving_kgce"].tolist() == pytest.approx([242_407 * k / 5 for k in range(6)])

    stored = data.scalars(select(SavingTarget).order_by(SavingTarget.id)).all()
    assert len(stored) == 1 + 4 + 5  # nation, 3 regions + 沈阳, 5 buildings
    root = stored[0]
    assert root.id == result.root_id and root.scope_level == "nation" and root.parent_id is None
    assert root.method == "baseline" and root.method_inputs["cut_percent"] == 20
    assert root.method_inputs["baseline_area_m2"] == 75_000
    assert root.created_by == "tester"
    listed = list_targets(session=data)
    assert len(listed) == 5 and set(listed["scope_level"]) == {"nation", "region"}


def test_preview_stores_nothing_and_potential_method(data):
    result = decompose(session=data, saving_tce=50, baseline_year=2005, target_year=2010, method="potential",
                       preview=True)
    assert result.root_id is None and result.is_preview
    assert data.scalar(select(func.count()).select_from(SavingTarget)) == 0
    rows = result.rows.set_index("scope_code")
    # 2005 potential above the constraint: 北京 (97.5-55)*10,000/1.3 kWh; 辽宁 the office (90-80)*20,000 kWh
    # and the mall, a class-B department store in the cold zone, (200-140)*30,000 kWh; 上海 none.
    beijing, liaoning = 42.5 * 10_000 / 1.3 * 0.1229, (10 * 20_000 + 60 * 30_000) * 0.1229
    assert rows.loc["110000", "saving_kgce"] == round(50_000 * beijing / (beijing + liaoning))
    assert rows.loc["310000", "saving_kgce"] == 0
    assert rows[rows["parent_code"] == "000000"]["saving_kgce"].sum() == 50_000


def test_weights_floors_caps_and_errors(data):
    result = decompose(session=data, saving_tce=100, baseline_year=2005, target_year=2010, method="weights",
                       weights={"110000": 1, "210000": 3, "310000": 1}, caps={"210000": 50}, preview=True)
    top = result.rows.set_index("scope_code")
    assert top.loc["210000", "saving_kgce"] == 50_000
    assert top.loc["110000", "saving_kgce"] == 25_000 and top.loc["310000", "saving_kgce"] == 25_000
    with pytest.raises(DecompositionError):
        decompose(session=data, saving_tce=100, cut_percent=5, baseline_year=2005, target_year=2010, preview=True)
    with pytest.raises(DecompositionError):
        decompose(session=data, saving_tce=100, baseline_year=2005, target_year=2010, method="equal",
                  floors={"110000": 80, "210000": 80}, preview=True)
    with pytest.raises(DecompositionError):
        decompose(session=data, saving_tce=100, baseline_year=2001, target_year=2010, preview=True)


def test_region_scope_splits_among_cities_and_buildings(data):
    result = decompose(session=data, scope_code="210000", cut_percent=10, baseline_year=2005, target_year=2010,
                       method="baseline", to_buildings=True)
    rows = result.rows.set_index("scope_code")
    assert rows.loc["210000", "scope_level"] == "region"
    assert result.saving_kgce == round((B_SHENYANG_OFFICE + B_DALIAN_MALL + B_SHENYANG_SCHOOL) * 0.10)
    assert rows[rows["parent_code"] == "210000"]["saving_kgce"].sum() == result.saving_kgce


def test_progress_on_the_comparable_basis(data):
    decompose(session=data, cut_percent=20, baseline_year=2005, target_year=2010, method="baseline")
    progress = target_progress(session=data, year=2008).set_index("region_code")
    assert list(progress.index) == ["000000", "110000", "210000", "210100", "310000"]
    beijing = progress.loc["110000"]
    # Same floor area: saving 109,235 - 90,800 = 18,435; the path expects 60% of 21,847 by 2008.
    assert beijing["absolute_saving_kgce"] == pytest.approx(18_435)
    assert beijing["intensity_saving_kgce"] == pytest.approx(18_435)
    assert beijing["expected_saving_kgce"] == pytest.approx(21_847 * 0.6)
    assert beijing["percent_of_target"] == pytest.approx(18_435 / 21_847 * 100)
    assert beijing["status"] == "on_track"
    assert beijing["comparable_buildings"] == 1 and beijing["comparable_area_m2"] == 10_000
    liaoning = progress.loc["210000"]
    # Like for like: the school's 2008 is incomplete and the Dalian mall added natural gas in 2008, so
    # Liaoning's basis is the Shenyang office alone (20,000 m2), whatever its target was decomposed from.
    assert liaoning["comparable_buildings"] == 1 and liaoning["comparable_area_m2"] == 20_000
    assert liaoning["basis_label_en"] == "comparable: 1 buildings, 20,000 m²"
    assert liaoning["basis_baseline_kgce"] == pytest.approx(B_SHENYANG_OFFICE)
    assert liaoning["actual_kgce"] == pytest.approx(225_294)
    assert liaoning["absolute_saving_kgce"] == pytest.approx(B_SHENYANG_OFFICE - 225_294)
    # The stored target (205,812 of 1,029,060) is a 20 % cut; on the basis it asks 20 % of 262,164.
    assert liaoning["saving_target_kgce"] == 205_812
    assert liaoning["basis_target_kgce"] == pytest.approx(205_812 / 1_029_060 * B_SHENYANG_OFFICE)
    assert liaoning["expected_saving_kgce"] == pytest.approx(205_812 / 1_029_060 * B_SHENYANG_OFFICE * 0.6)
    assert liaoning["percent_of_target"] == pytest.approx(
        (B_SHENYANG_OFFICE - 225_294) / (205_812 / 1_029_060 * B_SHENYANG_OFFICE) * 100)
    # Ahead of the path on its basis, but the basis holds 25 % of the decomposed baseline: not judged.
    assert liaoning["saving_kgce"] >= liaoning["expected_saving_kgce"]
    assert liaoning["basis_coverage_pct"] == pytest.approx(B_SHENYANG_OFFICE / 1_029_060 * 100)
    assert liaoning["status"] == "insufficient_basis"
    # 沈阳's basis (the office) holds 262,164 of its 291,660 kgce baseline, 89.9 %: judged, and on track.
    assert progress.loc["210100", "basis_coverage_pct"] == pytest.approx(
        B_SHENYANG_OFFICE / (B_SHENYANG_OFFICE + B_SHENYANG_SCHOOL) * 100)
    assert progress.loc["210100", "status"] == "on_track"
    assert progress.loc["210100", "comparable_buildings"] == 1
    one = target_progress(session=data, year=2008, region_code="310000")
    assert one["region_code"].tolist() == ["310000"] and one["status"].iloc[0] == "on_track"


def test_progress_without_targets_is_empty(data):
    assert target_progress(session=data, year=2008).empty
    assert current_targets(session=data).empty


def test_measures_from_the_data(data):
    measures = measure_frame(session=data, year=2008).set_index("region_code")
    nation = measures.loc["000000"]
    assert nation["statistics_coverage"] == 1.0
    assert nation["audits_completed"] == pytest.approx(2 / 5)
    # complete and benchmarked: 北京, 沈阳 office, the Dalian mall, 上海 (the school is not covered)
    assert nation["disclosure_published"] == pytest.approx(4 / 5)
    assert nation["metering_installed"] == pytest.approx(1 / 5)
    assert measures.loc["210100", "metering_installed"] == pytest.approx(1 / 2)
    assert measures.loc["210000", "audits_completed"] == pytest.approx(1 / 3)
    # Audits later than the year do not count yet.
    assert measure_frame(session=data, year=2007).set_index("region_code").loc["000000", "buildings_audited"] == 1


def test_assessment_grades(data):
    decompose(session=data, cut_percent=20, baseline_year=2005, target_year=2010, method="baseline")
    results = {a.region_code: a for a in assess(session=data, year=2008)}
    assert len(results) == 22
    beijing = results["110000"]
    # target met (40) + coverage 100% (20) + audited (15) + disclosed (15) + no sub-metering (0)
    # 90 points: 完成 (80 to 94) in the cited scheme; 超额完成 needs 95
    assert beijing.score == 90.0 and beijing.grade_zh == "完成"
    assert beijing.target_ratio == pytest.approx(18_435 / (21_847 * 0.6))
    assert beijing.details["buildings_audited"] == 1
    shanghai = results["310000"]
    assert shanghai.score == 75.0 and shanghai.grade_zh == "基本完成"
    liaoning = results["210000"]
    assert not liaoning.is_target_met and liaoning.grade_zh == "未完成"
    assert "一票否决" in liaoning.reason_zh
    assert results["120000"].grade == "not_met" and results["120000"].target_ratio is None
    only = assess(session=data, year=2008, region_code="110000")
    assert [a.region_code for a in only] == ["110000"]
    table = assessment_table(only)
    assert table.loc[0, "target_points"] == 40.0 and table.loc[0, "metering_installed_points"] == 0.0
    with pytest.raises(LookupError):
        assess(session=data, year=2008, region_code="440000")


def test_progress_and_assessment_in_one_pass_match_the_separate_calls(data):
    from app.services.assessment import progress_and_assessment

    decompose(session=data, cut_percent=20, baseline_year=2005, target_year=2010, method="baseline")
    progress, results = progress_and_assessment(session=data, year=2008)
    separate = target_progress(session=data, year=2008)
    assert progress["saving_kgce"].tolist() == pytest.approx(separate["saving_kgce"].tolist())
    assert [a.score for a in results] == [a.score for a in assess(session=data, year=2008)]
