"""The disclosure rules: who may do what where, which buildings are proposed, and how status and change read."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from app.domain import disclosure as rules
from app.domain.disclosure import Actor, change_text, covers, eligibility, permission

ADMIN = Actor("admin", "admin", None)
LN = Actor("ln", "official", "210000")  # 辽宁, covers 沈阳 210100
SY = Actor("sy", "official", "210100")  # 沈阳 only
BJ = Actor("bj", "official", "110000")
NATION = Actor("nation", "official", None)
AUDITOR = Actor("aud", "auditor", "210000")


@pytest.mark.parametrize("action", rules.ACTIONS)
@pytest.mark.parametrize(("actor", "region", "allowed"), [
    (ADMIN, "210000", True), (ADMIN, "440300", True),
    (LN, "210000", True), (LN, "210100", True), (LN, "110000", False),
    (SY, "210100", True), (SY, "210000", False), (SY, "211000", False),
    (BJ, "110000", True), (BJ, "210000", False),
    (NATION, "440300", True),
    (AUDITOR, "210000", False),
])
def test_role_action_region_matrix(actor, region, allowed, action):
    assert (permission(actor, action, region) is None) is allowed


@pytest.mark.parametrize("actor", [ADMIN, LN, NATION])
def test_nobody_approves_their_own_submission(actor):
    assert permission(actor, "approve", "210000", submitted_by=actor.username) == \
        "the submitter may not approve their own list"
    assert permission(actor, "approve", "210000", submitted_by="someone else") is None


def test_unknown_action_is_an_error():
    with pytest.raises(ValueError):
        permission(ADMIN, "delete", "210000")


def test_covers_follows_the_code():
    assert covers("440000", "440300") and not covers("440300", "440000")
    assert covers("000000", "110000") and covers(None, "110000")
    assert not covers("210100", "211000")


def test_eligibility_needs_a_complete_year_and_no_open_finding():
    frame = pd.DataFrame({
        "building_id": [1, 2, 3, 4],
        "is_reporting": [True, True, False, True],
        "is_complete": [True, False, False, True],
        "has_open_finding": [False, False, False, True],
        "is_audited": [True, False, None, False],
    })
    out = eligibility(frame)
    assert out["is_eligible"].tolist() == [True, False, False, False]
    assert out["ineligible_reason"].tolist() == [None, "incomplete_year", "not_reporting", "open_data_quality"]
    assert out["is_audited"].tolist() == [True, False, False, False]


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(fg: str, bg: str) -> float:
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


@pytest.mark.parametrize("status", [*rules.STATUS, None])
def test_status_labels_meet_wcag_aa(status):
    for lang in ("zh", "en"):
        label = rules.status_label(status, lang)
        assert label["label"]
        assert contrast(label["fg"], label["bg"]) >= 4.5
    assert rules.status_label("above_constraint", "zh")["label"] == "超过约束值"
    assert rules.status_label(None, "en")["label"] == "No benchmark"


def test_the_three_statuses_have_distinct_colours():
    assert len({(s["fg"], s["bg"]) for s in rules.STATUS.values()}) == 3


def test_change_without_a_comparable_basis_is_never_a_number():
    assert change_text(math.nan, False, "zh") == "无可比基础"
    assert change_text(0.0, False, "en") == "no comparable basis"
    assert change_text(None, True, "en") == "no comparable basis"
    assert change_text(-3.04, True, "en") == "-3.0 %"
    assert change_text(2.0, True, "zh") == "+2.0 %"


def test_portal_stylesheet_colours_meet_wcag_aa():
    import re
    from importlib import resources

    css = (resources.files("app.portal") / "static" / "portal.css").read_text(encoding="utf-8")
    var = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [
        (var["text"], var["bg"]), (var["text"], "#ffffff"), (var["muted"], var["bg"]), (var["muted"], "#ffffff"),
        (var["brand"], "#ffffff"), ("#ffffff", var["brand"]), ("#ffffff", var["brand-dark"]), (var["text"], "#e9eef4"),
        ("#e8eef5", var["brand"]), ("#8a1010", "#fdecea"), (var["text"], "#e7f1fb"),
    ]
    for fg, bg in pairs:
        assert contrast(fg, bg) >= 4.5, (fg, bg)
    assert ":focus-visible" in css and "@media print" in css
