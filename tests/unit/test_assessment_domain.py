"""Assessment scoring, the veto on a missed target and grades, from the shipped YAML scheme."""

from __future__ import annotations

import re

from pathlib import Path

import pytest
import yaml

from app.domain.assessment import (
    AssessmentConfig,
    GradeRule,
    MeasureRule,
    assess,
    linear_points,
    score_measure,
    score_target,
)
from app.domain.targets import ProgressThresholds

SCHEME = yaml.safe_load((Path(__file__).parents[2] / "seeds" / "assessment.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def config() -> AssessmentConfig:
    return AssessmentConfig.from_mapping(SCHEME)


def test_shipped_scheme_adds_to_100_and_cites_a_source(config):
    assert config.target_points == 40
    assert sum(m.points for m in config.measures) == 60
    assert config.source


def test_scheme_not_adding_to_100_is_refused():
    bad = dict(SCHEME, target={"points": 50, "pass_ratio": 1.0})
    with pytest.raises(ValueError, match=r"^assessment points add up to 110, not 100$"):
        AssessmentConfig.from_mapping(bad)


def test_linear_points():
    assert linear_points(0.725, zero_at=0.5, full_at=0.95, points=20) == 10.0
    assert linear_points(0.4, zero_at=0.5, full_at=0.95, points=20) == 0.0
    assert linear_points(1.0, zero_at=0.5, full_at=0.95, points=20) == 20.0
    assert linear_points(None, zero_at=0.5, full_at=0.95, points=20) == 0.0


def test_full_marks_and_exceeded(config):
    result = assess(
        region_code="110000",
        year=2010,
        target_ratio=1.2,
        measures={"statistics_coverage": 1.0, "audits_completed": 0.2, "disclosure_published": 0.6, "metering_installed": 0.4},
        config=config,
    )
    assert result.score == 100.0
    assert result.grade == "exceeded" and result.grade_zh == "超额完成"
    assert [s.key for s in result.sub_scores] == [
        "target", "statistics_coverage", "audits_completed", "disclosure_published", "metering_installed"
    ]
    assert all(s.explanation_zh and s.explanation_en for s in result.sub_scores)


def test_hand_computed_score_and_grade(config):
    # target met (40) + coverage 0.725 -> 10 + audits 0.075 -> 7.5 + disclosure 0.25 -> 7.5 + metering 0.3 -> 10
    result = assess(
        region_code="120000",
        year=2010,
        target_ratio=1.0,
        measures={"statistics_coverage": 0.725, "audits_completed": 0.075, "disclosure_published": 0.25, "metering_installed": 0.3},
        config=config,
    )
    assert result.score == 75.0
    assert result.grade == "nearly_met" and result.grade_zh == "基本完成"
    assert result.is_target_met


def test_missed_target_fails_outright(config):
    result = assess(
        region_code="310000",
        year=2010,
        target_ratio=0.9,
        measures={"statistics_coverage": 1.0, "audits_completed": 1.0, "disclosure_published": 1.0, "metering_installed": 1.0},
        config=config,
    )
    assert result.score == 96.0  # 36 for 90% of the target + 60 for measures
    assert result.grade == "not_met" and result.grade_zh == "未完成"
    assert "一票否决" in result.reason_zh
    no_target = assess(region_code="500000", year=2010, target_ratio=None, measures={}, config=config)
    assert no_target.grade == "not_met" and no_target.score == 0.0


def test_met_needs_80(config):
    measures = {"statistics_coverage": 0.95, "audits_completed": 0.15, "disclosure_published": 0.0, "metering_installed": 0.0}
    result = assess(region_code="210000", year=2009, target_ratio=1.05, measures=measures, config=config)
    assert result.score == 75.0 and result.grade == "nearly_met"
    measures["disclosure_published"] = 0.5
    result = assess(region_code="210000", year=2009, target_ratio=1.05, measures=measures, config=config)
    assert result.score == 90.0 and result.grade == "met"  # 90 points, but 105% < 110% for exceeded


# A scheme of the test's own, with a pass ratio other than 1 and grades listed out of order.
OWN = {
    "source": "test scheme",
    "target": {"points": 40, "pass_ratio": 0.95},
    "measures": [
        {"key": "m1", "name_zh": "措施一", "name_en": "Measure one", "points": 35, "zero_at": 0.2, "full_at": 0.7},
        {"key": "m2", "name_zh": "措施二", "name_en": "Measure two", "points": 25, "zero_at": 0.0, "full_at": 0.5},
    ],
    "grades": [
        {"code": "nearly_met", "name_zh": "基本完成", "name_en": "Nearly met", "min_score": 60},
        {"code": "not_met", "name_zh": "未完成", "name_en": "Not met", "min_score": 0},
        {"code": "exceeded", "name_zh": "超额完成", "name_en": "Exceeded", "min_score": 90, "min_target_ratio": 1.1},
        {"code": "met", "name_zh": "完成", "name_en": "Met", "min_score": 80, "min_target_ratio": None},
    ],
    "progress": {"on_track": 0.9, "at_risk": 0.6},
}


@pytest.fixture
def own() -> AssessmentConfig:
    return AssessmentConfig.from_mapping(OWN)


def test_scheme_read_from_its_mapping(own):
    assert own.source == "test scheme"
    assert (own.target_points, own.pass_ratio, own.is_veto) == (40.0, 0.95, True)
    assert own.measures == (
        MeasureRule("m1", "措施一", "Measure one", 35.0, 0.2, 0.7),
        MeasureRule("m2", "措施二", "Measure two", 25.0, 0.0, 0.5),
    )
    assert [g.code for g in own.grades] == ["exceeded", "met", "nearly_met", "not_met"]
    assert [g.min_score for g in own.grades] == [90.0, 80.0, 60.0, 0.0]
    assert [g.min_target_ratio for g in own.grades] == [1.1, None, None, None]
    assert own.grades[0] == GradeRule("exceeded", "超额完成", "Exceeded", 90.0, 1.1)
    assert own.progress == ProgressThresholds(on_track=0.9, at_risk=0.6)
    no_veto = AssessmentConfig.from_mapping(dict(OWN, target={"points": 40, "pass_ratio": 0.95, "veto": False}))
    assert no_veto.is_veto is False
    defaults = AssessmentConfig.from_mapping({k: v for k, v in OWN.items() if k != "progress"})
    assert defaults.progress == ProgressThresholds(1.0, 0.8)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"target": {"points": 41, "pass_ratio": 0.95}}, "assessment points add up to 101, not 100"),
        ({"target": {"points": 39.5, "pass_ratio": 0.95}}, "assessment points add up to 99.5, not 100"),
        ({"target": {"points": 40, "pass_ratio": 0}}, "pass_ratio must be positive"),
        ({"target": {"points": 40, "pass_ratio": -1}}, "pass_ratio must be positive"),
        ({"measures": [dict(OWN["measures"][0], full_at=0.2), OWN["measures"][1]]},
         "measure m1: full_at must exceed zero_at"),
        ({"measures": [OWN["measures"][0], dict(OWN["measures"][1], full_at=-0.1)]},
         "measure m2: full_at must exceed zero_at"),
        ({"grades": [g for g in OWN["grades"] if g["code"] != "not_met"]}, "the grades must include 'not_met'"),
    ],
)
def test_incoherent_schemes_are_refused_with_the_reason(change, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        AssessmentConfig.from_mapping(dict(OWN, **change))


def test_points_within_rounding_of_100_are_accepted():
    config = AssessmentConfig.from_mapping(dict(OWN, target={"points": 40 + 1e-12, "pass_ratio": 0.95}))
    assert config.target_points == pytest.approx(40.0)


def test_linear_points_edges():
    kw = {"zero_at": 0.2, "full_at": 0.7, "points": 35}
    assert linear_points(0.2, **kw) == 0.0
    assert linear_points(0.7, **kw) == 35.0
    assert linear_points(0.3, **kw) == 7.0
    assert linear_points(0.2 + 0.5 / 3, **kw) == 11.67  # rounded to two decimals
    assert linear_points(float("nan"), **kw) == 0.0
    assert linear_points(-1.0, **kw) == 0.0
    assert linear_points(5.0, **kw) == 35.0


def test_target_sub_score_against_a_pass_ratio_below_one(own):
    half = score_target(0.475, own)
    assert (half.key, half.value, half.points, half.max_points) == ("target", 0.475, 20.0, 40.0)
    assert (half.name_zh, half.name_en) == ("节能目标完成情况", "Saving target")
    assert half.explanation_zh == "实际节能量达到应完成进度的47.5%（要求95.0%），未完成目标，得20分（满分40）。"
    assert half.explanation_en == "Saving reached 47.5% of what the path expects (required 95.0%): target missed, 20 of 40 points."
    met = score_target(0.95, own)
    assert met.points == 40.0 and "target met" in met.explanation_en and "，完成目标" in met.explanation_zh
    assert score_target(2.0, own).points == 40.0
    assert score_target(-0.5, own).points == 0.0
    assert score_target(0.5, own).points == pytest.approx(21.05)  # 40 * 0.5 / 0.95, two decimals
    none = score_target(None, own)
    assert (none.key, none.name_zh, none.name_en) == ("target", "节能目标完成情况", "Saving target")
    assert (none.value, none.points, none.max_points) == (None, 0.0, 40.0)
    assert none.explanation_zh == "未下达节能目标或缺少基期/当年数据，不得分。"
    assert none.explanation_en == "No saving target, or no baseline/current data: no points."


def test_measure_sub_score_explained(own):
    rule = own.measures[0]
    scored = score_measure(rule, 0.45)
    assert (scored.key, scored.name_zh, scored.name_en, scored.value, scored.points, scored.max_points) == (
        "m1", "措施一", "Measure one", 0.45, 17.5, 35.0)
    assert scored.explanation_zh == "措施一45.0%：20.0%及以下不得分，70.0%及以上满分，得17.5分（满分35）。"
    assert scored.explanation_en == "Measure one 45.0%: none at or below 20.0%, full at or above 70.0%; 17.5 of 35 points."
    for missing in (None, float("nan")):
        empty = score_measure(rule, missing)
        assert empty.points == 0.0 and empty.max_points == 35.0
        assert empty.explanation_zh == "措施一：无数据，不得分。"
        assert empty.explanation_en == "Measure one: no data, no points."


def _graded(config, ratio, m2, m1=0.7):
    return assess(region_code="210000", year=2009, target_ratio=ratio, measures={"m1": m1, "m2": m2}, config=config)


@pytest.mark.parametrize(
    ("ratio", "m1", "m2", "score", "grade"),
    [
        (1.1, 0.7, 0.3, 90.0, "exceeded"),  # 40 + 35 + 15, exactly at both edges
        (1.0999, 0.7, 0.3, 90.0, "met"),  # the ratio is just short of 110%
        (1.2, 0.7, 0.2998, 89.99, "met"),
        (0.95, 0.7, 0.1, 80.0, "met"),  # exactly the pass ratio and exactly 80
        (0.95, 0.7, 0.0998, 79.99, "nearly_met"),
        (1.0, 0.2, 0.4, 60.0, "nearly_met"),
        (1.0, 0.2, 0.3998, 59.99, "not_met"),
    ],
)
def test_grade_edges(own, ratio, m1, m2, score, grade):
    result = _graded(own, ratio, m2, m1)
    assert result.score == score
    assert result.grade == grade
    assert result.is_target_met


def test_assessment_fields_and_reasons(own):
    result = assess(region_code="210000", year=2009, target_ratio=1.1, measures={"m1": 0.7, "m2": 0.3}, config=own,
                    region_name_zh="辽宁", region_name_en="Liaoning", details={"saving_kgce": 12.5})
    assert (result.region_code, result.year, result.target_ratio) == ("210000", 2009, 1.1)
    assert (result.grade, result.grade_zh, result.grade_en) == ("exceeded", "超额完成", "Exceeded")
    assert (result.region_name_zh, result.region_name_en) == ("辽宁", "Liaoning")
    assert result.details == {"saving_kgce": 12.5}
    assert [s.points for s in result.sub_scores] == [40.0, 35.0, 15.0]
    assert result.reason_zh == "总分90分，评为超额完成（不低于90分，且节能量达到应完成进度的110.0%以上）。"
    assert result.reason_en == "Score 90: graded Exceeded (at least 90 points and saving at least 110.0% of the path)."
    as_dict = result.to_dict()
    assert as_dict["grade_en"] == "Exceeded" and as_dict["sub_scores"][1]["key"] == "m1"
    assert as_dict["details"] == {"saving_kgce": 12.5}

    met = _graded(own, 1.0, 0.1)
    assert met.reason_zh == "总分80分，评为完成（不低于80分）。"
    assert met.reason_en == "Score 80: graded Met (at least 80 points)."
    assert met.details == {} and met.region_name_zh == "" and met.region_name_en == ""

    missed = _graded(own, 0.9499, 0.5)
    assert not missed.is_target_met and missed.grade == "not_met" and missed.grade_en == "Not met"
    assert missed.reason_zh == "未完成节能目标，一票否决。"
    assert missed.reason_en == "Saving target missed: fails outright."
    absent = assess(region_code="210000", year=2009, target_ratio=None, measures={"m1": 0.7}, config=own)
    assert absent.target_ratio is None and not absent.is_target_met and absent.grade == "not_met"
    assert absent.score == 35.0
    assert absent.reason_zh == "无可考核的节能目标，一票否决。"
    assert absent.reason_en == "No target to assess against: fails outright."
    assert [s.value for s in absent.sub_scores] == [None, 0.7, None]


def test_without_veto_a_missed_target_is_graded_by_score(own):
    config = AssessmentConfig.from_mapping(dict(OWN, target={"points": 40, "pass_ratio": 0.95, "veto": False}))
    # 0.9 of a 0.95 pass ratio: 37.89 + 35 + 25 = 97.89 points, but 90% < 110%: met, not exceeded
    result = _graded(config, 0.9, 0.5)
    assert result.score == 97.89 and not result.is_target_met
    assert result.grade == "met"
    no_target = assess(region_code="1", year=2009, target_ratio=None, measures={"m1": 0.7, "m2": 0.5}, config=config)
    # 60 points without a target: nearly met; the 110% grade needs a ratio
    assert no_target.score == 60.0 and no_target.grade == "nearly_met"
    grades = [
        {"code": "exceeded", "name_zh": "超额完成", "name_en": "Exceeded", "min_score": 55, "min_target_ratio": 1.1},
        {"code": "met", "name_zh": "完成", "name_en": "Met", "min_score": 50},
        {"code": "not_met", "name_zh": "未完成", "name_en": "Not met", "min_score": 0},
    ]
    low_bands = AssessmentConfig.from_mapping(dict(OWN, target={"points": 40, "pass_ratio": 0.95, "veto": False},
                                                   grades=grades))
    full = assess(region_code="1", year=2009, target_ratio=None, measures={"m1": 0.7, "m2": 0.5}, config=low_bands)
    assert full.score == 60.0 and full.grade == "met"  # exceeded needs a target ratio, which is missing
    assert full.reason_en == "Score 60: graded Met (at least 50 points)."


def _points_for(config, wanted: float) -> dict:
    """Measure values that earn ``wanted`` points in total, filled measure by measure."""
    values, left = {}, wanted
    for m in config.measures:
        take = min(m.points, left)
        values[m.key] = m.zero_at + take / m.points * (m.full_at - m.zero_at)
        left -= take
    assert left == pytest.approx(0.0)
    return values


def test_shipped_grade_bands_are_hit_exactly(config):
    """Each band of the shipped scheme, read from the scheme: reached at its minimum, missed 0.01 below."""
    graded = [g for g in config.grades if g.min_score > 0]
    assert graded
    for higher, g in enumerate(graded):
        ratio = max(config.pass_ratio, g.min_target_ratio or 0.0)
        at = assess(region_code="1", year=2010, target_ratio=ratio, config=config,
                    measures=_points_for(config, g.min_score - config.target_points))
        assert at.score == pytest.approx(g.min_score, abs=0.005) and at.grade == g.code, g
        below = assess(region_code="1", year=2010, target_ratio=ratio, config=config,
                       measures=_points_for(config, g.min_score - config.target_points - 0.02))
        assert below.grade != g.code and below.score < g.min_score, g
        if g.min_target_ratio is not None:
            short = assess(region_code="1", year=2010, target_ratio=g.min_target_ratio - 0.001, config=config,
                           measures=_points_for(config, g.min_score - config.target_points))
            assert short.grade != g.code, g
    assert higher == len(graded) - 1
