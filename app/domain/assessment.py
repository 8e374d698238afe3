"""Assessment (考核评价) of a region for a year: target points plus measure points, then a grade.

The scheme (points, thresholds, grades) is configuration: ``AssessmentConfig.from_mapping`` reads the
mapping loaded from ``seeds/assessment.yaml``. Every sub-score carries its value, its points and a
sentence in Chinese and English saying how the points were reached. Missing the quantitative target
fails the region outright (一票否决) whatever its measure points.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from app.domain.targets import ProgressThresholds

TARGET_KEY = "target"
NOT_MET = "not_met"


@dataclass(frozen=True)
class MeasureRule:
    """A measure scored linearly: no points at or below zero_at, full points at or above full_at."""

    key: str
    name_zh: str
    name_en: str
    points: float
    zero_at: float
    full_at: float
    is_platform_choice: bool = False  # the item is the platform's own, not one the cited scheme names


@dataclass(frozen=True)
class GradeRule:
    """A grade reached with at least min_score points (and, if set, a target ratio of at least min_target_ratio)."""

    code: str
    name_zh: str
    name_en: str
    min_score: float
    min_target_ratio: float | None = None


@dataclass(frozen=True)
class AssessmentConfig:
    """The whole scheme; its points add up to 100."""

    source: str
    target_points: float
    pass_ratio: float
    is_veto: bool
    measures: tuple[MeasureRule, ...]
    grades: tuple[GradeRule, ...]
    progress: ProgressThresholds = field(default_factory=ProgressThresholds)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> AssessmentConfig:
        """Build and check a scheme from its YAML mapping."""
        target = data["target"]
        measures = tuple(
            MeasureRule(
                key=str(m["key"]),
                name_zh=str(m["name_zh"]),
                name_en=str(m["name_en"]),
                points=float(m["points"]),
                zero_at=float(m["zero_at"]),
                full_at=float(m["full_at"]),
                is_platform_choice=bool(m.get("platform_choice", False)),
            )
            for m in data["measures"]
        )
        grades = tuple(
            GradeRule(
                code=str(g["code"]),
                name_zh=str(g["name_zh"]),
                name_en=str(g["name_en"]),
                min_score=float(g["min_score"]),
                min_target_ratio=None if g.get("min_target_ratio") is None else float(g["min_target_ratio"]),
            )
            for g in data["grades"]
        )
        config = cls(
            source=str(data["source"]),
            target_points=float(target["points"]),
            pass_ratio=float(target["pass_ratio"]),
            is_veto=bool(target.get("veto", True)),
            measures=measures,
            grades=tuple(sorted(grades, key=lambda g: -g.min_score)),
            progress=ProgressThresholds.from_mapping(data.get("progress")),
        )
        config.check()
        return config

    def check(self) -> None:
        """Raise ValueError unless the points add up to 100 and every rule is coherent."""
        total = self.target_points + sum(m.points for m in self.measures)
        if abs(total - 100.0) > 1e-9:
            raise ValueError(f"assessment points add up to {total:g}, not 100")
        for m in self.measures:
            if m.full_at <= m.zero_at:
                raise ValueError(f"measure {m.key}: full_at must exceed zero_at")
        if not any(g.code == NOT_MET for g in self.grades):
            raise ValueError(f"the grades must include '{NOT_MET}'")
        if self.pass_ratio <= 0:
            raise ValueError("pass_ratio must be positive")
        scores = [g.min_score for g in self.grades]
        if len(set(scores)) != len(scores):
            raise ValueError("two grades share a minimum score")
        if min(scores) > 0:
            raise ValueError("the lowest grade must start at 0 points so every score gets a grade")

    def grade_bands(self) -> list[tuple[GradeRule, float, float | None]]:
        """(grade, lowest score, score it stops below or None) from the best grade down."""
        ordered = sorted(self.grades, key=lambda g: -g.min_score)
        return [(g, g.min_score, None if i == 0 else ordered[i - 1].min_score) for i, g in enumerate(ordered)]


@dataclass(frozen=True)
class SubScore:
    """One line of an assessment: what was measured, the points it earned and why."""

    key: str
    name_zh: str
    name_en: str
    value: float | None
    points: float
    max_points: float
    explanation_zh: str
    explanation_en: str


@dataclass(frozen=True)
class Assessment:
    """The assessment of one region for one year."""

    region_code: str
    year: int
    score: float
    grade: str
    grade_zh: str
    grade_en: str
    is_target_met: bool
    target_ratio: float | None
    sub_scores: tuple[SubScore, ...]
    reason_zh: str
    reason_en: str
    region_name_zh: str = ""
    region_name_en: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def linear_points(value: float | None, *, zero_at: float, full_at: float, points: float) -> float:
    """Points rising linearly from 0 at zero_at to ``points`` at full_at, clipped; None scores 0."""
    if value is None or math.isnan(value):
        return 0.0
    fraction = (value - zero_at) / (full_at - zero_at)
    return round(points * min(1.0, max(0.0, fraction)), 2)


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def score_target(target_ratio: float | None, config: AssessmentConfig) -> SubScore:
    """Points for the quantitative target: achieved / expected saving against the pass ratio."""
    points = config.target_points
    if target_ratio is None:
        return SubScore(
            TARGET_KEY, "节能目标完成情况", "Saving target", None, 0.0, points,
            "未下达节能目标或缺少基期/当年数据，不得分。",
            "No saving target, or no baseline/current data: no points.",
        )
    earned = round(points * min(1.0, max(0.0, target_ratio / config.pass_ratio)), 2)
    met = target_ratio >= config.pass_ratio
    zh = (
        f"实际节能量达到应完成进度的{_pct(target_ratio)}（要求{_pct(config.pass_ratio)}），"
        f"{'完成' if met else '未完成'}目标，得{earned:g}分（满分{points:g}）。"
    )
    en = (
        f"Saving reached {_pct(target_ratio)} of what the path expects (required {_pct(config.pass_ratio)}): "
        f"target {'met' if met else 'missed'}, {earned:g} of {points:g} points."
    )
    return SubScore(TARGET_KEY, "节能目标完成情况", "Saving target", target_ratio, earned, points, zh, en)


def score_measure(rule: MeasureRule, value: float | None) -> SubScore:
    """Points for one measure, explained."""
    earned = linear_points(value, zero_at=rule.zero_at, full_at=rule.full_at, points=rule.points)
    if value is None or math.isnan(value):
        zh = f"{rule.name_zh}：无数据，不得分。"
        en = f"{rule.name_en}: no data, no points."
    else:
        zh = (
            f"{rule.name_zh}{_pct(value)}：{_pct(rule.zero_at)}及以下不得分，{_pct(rule.full_at)}及以上满分，"
            f"得{earned:g}分（满分{rule.points:g}）。"
        )
        en = (
            f"{rule.name_en} {_pct(value)}: none at or below {_pct(rule.zero_at)}, full at or above "
            f"{_pct(rule.full_at)}; {earned:g} of {rule.points:g} points."
        )
    return SubScore(rule.key, rule.name_zh, rule.name_en, value, earned, rule.points, zh, en)


def assess(
    *,
    region_code: str,
    year: int,
    target_ratio: float | None,
    measures: Mapping[str, float | None],
    config: AssessmentConfig,
    region_name_zh: str = "",
    region_name_en: str = "",
    details: Mapping[str, Any] | None = None,
) -> Assessment:
    """Score a region: target sub-score, one sub-score per configured measure, total and grade."""
    subs = [score_target(target_ratio, config)]
    subs += [score_measure(rule, measures.get(rule.key)) for rule in config.measures]
    score = round(sum(s.points for s in subs), 2)
    is_target_met = target_ratio is not None and target_ratio >= config.pass_ratio
    by_code = {g.code: g for g in config.grades}
    if config.is_veto and not is_target_met:
        grade = by_code[NOT_MET]
        reason_zh = "未完成节能目标，一票否决。" if target_ratio is not None else "无可考核的节能目标，一票否决。"
        reason_en = (
            "Saving target missed: fails outright." if target_ratio is not None
            else "No target to assess against: fails outright."
        )
    else:
        grade = next(
            g
            for g in config.grades
            if score >= g.min_score
            and (g.min_target_ratio is None or (target_ratio is not None and target_ratio >= g.min_target_ratio))
        )
        cond_zh = f"不低于{grade.min_score:g}分"
        cond_en = f"at least {grade.min_score:g} points"
        if grade.min_target_ratio is not None:
            cond_zh += f"，且节能量达到应完成进度的{_pct(grade.min_target_ratio)}以上"
            cond_en += f" and saving at least {_pct(grade.min_target_ratio)} of the path"
        reason_zh = f"总分{score:g}分，评为{grade.name_zh}（{cond_zh}）。"
        reason_en = f"Score {score:g}: graded {grade.name_en} ({cond_en})."
    return Assessment(
        region_code=region_code,
        year=year,
        score=score,
        grade=grade.code,
        grade_zh=grade.name_zh,
        grade_en=grade.name_en,
        is_target_met=is_target_met,
        target_ratio=target_ratio,
        sub_scores=tuple(subs),
        reason_zh=reason_zh,
        reason_en=reason_en,
        region_name_zh=region_name_zh,
        region_name_en=region_name_en,
        details=dict(details or {}),
    )
