"""Decomposition, milestones and progress: hand-computed examples and hypothesis properties."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.targets import (
    DecompositionError,
    ProgressThresholds,
    allocate_units,
    decompose,
    expected_fraction,
    milestones,
    parent_saving_kgce,
    progress,
    progress_status,
)

CHILDREN = pd.DataFrame(
    {"baseline_kgce": [600.0, 300.0, 100.0], "potential_kgce": [0.0, 50.0, 150.0]},
    index=pd.Index(["110000", "120000", "310000"], name="code"),
)


def test_parent_saving_from_cut_percent_or_direct():
    assert parent_saving_kgce(baseline_kgce=1000.0, cut_percent=20) == 200.0
    assert parent_saving_kgce(baseline_kgce=1000.0, saving_kgce=150.0) == 150.0
    with pytest.raises(DecompositionError):
        parent_saving_kgce(baseline_kgce=1000.0, saving_kgce=1.0, cut_percent=1.0)
    with pytest.raises(DecompositionError):
        parent_saving_kgce(baseline_kgce=1000.0, cut_percent=120)


def test_baseline_share_is_an_equal_cut_rate():
    out = decompose(200.0, CHILDREN, method="baseline")
    assert out["saving_kgce"].tolist() == [120.0, 60.0, 20.0]
    assert out["cut_percent"].tolist() == pytest.approx([20.0, 20.0, 20.0])
    assert out["target_kgce"].tolist() == [480.0, 240.0, 80.0]


def test_equal_split_rounds_by_largest_remainder():
    # 100 / 3 = 33.33 each: the one leftover kgce goes to the first child (ties by input order).
    out = decompose(100.0, CHILDREN, method="equal")
    assert out["saving_units"].tolist() == [34, 33, 33]
    assert out["saving_units"].sum() == 100


def test_potential_share_and_largest_remainder():
    # 101 split 50:150 -> 25.25 and 75.75: floors 25 + 75 = 100, the remainder goes to 75.75.
    out = decompose(101.0, CHILDREN, method="potential")
    assert out["saving_units"].tolist() == [0, 25, 76]


def test_weights_and_mix():
    out = decompose(90.0, CHILDREN, method="weights", weights={"110000": 1, "120000": 2})
    assert out["saving_units"].tolist() == [30, 60, 0]
    # mix 50% baseline (0.6, 0.3, 0.1) + 50% equal (1/3 each) = (0.4667, 0.3167, 0.2167) of 300
    out = decompose(300.0, CHILDREN, method="mix", mix={"baseline": 0.5, "equal": 0.5})
    assert out["saving_units"].tolist() == [140, 95, 65]
    with pytest.raises(DecompositionError):
        decompose(90.0, CHILDREN, method="weights", weights={"999999": 1})
    with pytest.raises(DecompositionError):
        decompose(90.0, CHILDREN, method="nonsense")


def test_floors_and_caps_are_honoured_and_the_rest_reshared():
    # Baseline shares of 200 are 120/60/20; cap the first at 100 -> the 20 left is shared 3:1.
    out = decompose(200.0, CHILDREN, method="baseline", caps_kgce={"110000": 100})
    assert out["saving_units"].tolist() == [100, 75, 25]
    # A floor of 50 for the smallest: the other 150 is shared 2:1.
    out = decompose(200.0, CHILDREN, method="baseline", floors_kgce={"310000": 50})
    assert out["saving_units"].tolist() == [100, 50, 50]
    with pytest.raises(DecompositionError):
        decompose(200.0, CHILDREN, method="baseline", caps_kgce={c: 10 for c in CHILDREN.index})
    with pytest.raises(DecompositionError):
        decompose(200.0, CHILDREN, method="baseline", floors_kgce={c: 100 for c in CHILDREN.index})


def test_decimals_set_the_stored_precision():
    out = decompose(1.0, CHILDREN, method="equal", decimals=2)
    assert out["saving_units"].tolist() == [34, 33, 33]
    assert out["saving_kgce"].tolist() == [0.34, 0.33, 0.33]


def test_zero_potential_everywhere_is_an_error():
    with pytest.raises(DecompositionError):
        decompose(10.0, CHILDREN.assign(potential_kgce=0.0), method="potential")


weights_strategy = st.lists(st.floats(min_value=0, max_value=1e9, allow_nan=False), min_size=1, max_size=40).filter(
    lambda ws: sum(ws) > 0
)


@settings(max_examples=300, deadline=None)
@given(total=st.integers(min_value=0, max_value=10**12), weights=weights_strategy)
def test_children_sum_exactly_and_never_negative(total, weights):
    units = allocate_units(total, np.array(weights))
    assert int(units.sum()) == total
    assert (units >= 0).all()


@settings(max_examples=300, deadline=None)
@given(total=st.integers(min_value=0, max_value=10**9), weights=weights_strategy)
def test_larger_weight_never_gets_smaller_share(total, weights):
    units = allocate_units(total, np.array(weights))
    order = np.argsort(weights, kind="stable")
    for lower, higher in itertools.pairwise(order):
        if weights[higher] > weights[lower]:
            assert units[higher] >= units[lower]


@settings(max_examples=200, deadline=None)
@given(total=st.integers(min_value=0, max_value=10**9), weights=weights_strategy)
def test_same_inputs_same_output(total, weights):
    first = allocate_units(total, np.array(weights))
    second = allocate_units(total, np.array(weights))
    assert first.tolist() == second.tolist()


@settings(max_examples=200, deadline=None)
@given(
    weights=st.lists(st.floats(min_value=0.01, max_value=1e6, allow_nan=False), min_size=2, max_size=20),
    data=st.data(),
)
def test_floors_and_caps_hold_and_sum_is_exact(weights, data):
    n = len(weights)
    floors = np.array(data.draw(st.lists(st.integers(0, 1000), min_size=n, max_size=n)), dtype=float)
    extra = np.array(data.draw(st.lists(st.integers(0, 1000), min_size=n, max_size=n)), dtype=float)
    caps = floors + extra
    total = data.draw(st.integers(int(floors.sum()), int(caps.sum())))
    units = allocate_units(total, np.array(weights), floor_units=floors, cap_units=caps)
    assert int(units.sum()) == total
    assert (units >= floors).all() and (units <= caps).all()


def test_milestones_linear_path():
    path = milestones(baseline_year=2005, target_year=2010, baseline_kgce=1000.0, saving_kgce=200.0)
    assert path["year"].tolist() == [2005, 2006, 2007, 2008, 2009, 2010]
    assert path["expected_saving_kgce"].tolist() == pytest.approx([0, 40, 80, 120, 160, 200])
    assert path["expected_kgce"].iloc[-1] == 800.0
    assert expected_fraction(2012, baseline_year=2005, target_year=2010) == 1.0
    assert expected_fraction(2006, baseline_year=2005, target_year=2009, shape="back") == pytest.approx(1 / 16)


def test_progress_status_thresholds():
    t = ProgressThresholds(on_track=1.0, at_risk=0.8)
    assert progress_status(100.0, 100.0, t) == "on_track"
    assert progress_status(80.0, 100.0, t) == "at_risk"
    assert progress_status(79.9, 100.0, t) == "off_track"
    assert progress_status(0.0, 0.0, t) == "on_track"


def test_progress_intensity_does_not_punish_growth():
    # Baseline 2005: 1000 kgce over 100 m2 (10 kgce/m2). In 2008 the scope grew to 150 m2 and used
    # 1200 kgce (8 kgce/m2). Absolute saving -200; intensity saving (10-8)*150 = 300.
    frame = pd.DataFrame(
        {
            "baseline_year": [2005],
            "target_year": [2010],
            "baseline_kgce": [1000.0],
            "saving_target_kgce": [500.0],
            "baseline_area_m2": [100.0],
            "actual_kgce": [1200.0],
            "actual_area_m2": [150.0],
        }
    )
    row = progress(frame, year=2008).iloc[0]
    assert row["absolute_saving_kgce"] == -200.0
    assert row["intensity_saving_kgce"] == pytest.approx(300.0)
    assert row["expected_saving_kgce"] == pytest.approx(300.0)
    assert row["percent_of_target"] == pytest.approx(60.0)
    assert row["status"] == "on_track"
    row = progress(frame, year=2008, basis="absolute").iloc[0]
    assert row["status"] == "off_track"
    row = progress(frame.assign(actual_kgce=1300.0), year=2008).iloc[0]
    # (10 - 8.667) * 150 = 200 = 66.7% of the 300 expected: off track
    assert row["intensity_saving_kgce"] == pytest.approx(200.0)
    assert row["status"] == "off_track"
