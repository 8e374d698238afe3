"""Assessment scoring, the veto on a missed target and grades, from the shipped YAML scheme."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.domain.assessment import AssessmentConfig, assess, linear_points

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
    with pytest.raises(ValueError, match="100"):
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
