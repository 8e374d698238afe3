"""Decomposition, milestones and progress: hand-computed examples and hypothesis properties."""

from __future__ import annotations

import re

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
    method_weights,
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
    with pytest.raises(DecompositionError, match=r"^give exactly one of saving_kgce and cut_percent$"):
        parent_saving_kgce(baseline_kgce=1000.0, saving_kgce=1.0, cut_percent=1.0)
    with pytest.raises(DecompositionError, match=r"^cut_percent must lie between 0 and 100$"):
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
    with pytest.raises(DecompositionError, match=r"^weights name unknown children: 999999$"):
        decompose(90.0, CHILDREN, method="weights", weights={"999999": 1})
    with pytest.raises(DecompositionError, match=r"^unknown method: nonsense$"):
        decompose(90.0, CHILDREN, method="nonsense")


def test_floors_and_caps_are_honoured_and_the_rest_reshared():
    # Baseline shares of 200 are 120/60/20; cap the first at 100 -> the 20 left is shared 3:1.
    out = decompose(200.0, CHILDREN, method="baseline", caps_kgce={"110000": 100})
    assert out["saving_units"].tolist() == [100, 75, 25]
    # A floor of 50 for the smallest: the other 150 is shared 2:1.
    out = decompose(200.0, CHILDREN, method="baseline", floors_kgce={"310000": 50})
    assert out["saving_units"].tolist() == [100, 50, 50]
    with pytest.raises(DecompositionError, match=r"^the caps add up to less than the target$"):
        decompose(200.0, CHILDREN, method="baseline", caps_kgce={c: 10 for c in CHILDREN.index})
    with pytest.raises(DecompositionError, match=r"^the floors add up to more than the target$"):
        decompose(200.0, CHILDREN, method="baseline", floors_kgce={c: 100 for c in CHILDREN.index})


def test_decimals_set_the_stored_precision():
    out = decompose(1.0, CHILDREN, method="equal", decimals=2)
    assert out["saving_units"].tolist() == [34, 33, 33]
    assert out["saving_kgce"].tolist() == [0.34, 0.33, 0.33]


def test_zero_potential_everywhere_is_an_error():
    with pytest.raises(DecompositionError, match=r"^every child has a zero weight$"):
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


def test_parent_saving_edges_and_messages():
    assert parent_saving_kgce(baseline_kgce=800.0, cut_percent=0) == 0.0
    assert parent_saving_kgce(baseline_kgce=800.0, cut_percent=100) == 800.0
    assert parent_saving_kgce(baseline_kgce=800.0, cut_percent=12.5) == 100.0
    assert parent_saving_kgce(baseline_kgce=800.0, saving_kgce=0) == 0.0
    assert isinstance(parent_saving_kgce(baseline_kgce=800.0, saving_kgce=3), float)
    with pytest.raises(DecompositionError, match=r"^give exactly one of saving_kgce and cut_percent$"):
        parent_saving_kgce(baseline_kgce=800.0)
    with pytest.raises(DecompositionError, match=r"^give exactly one of saving_kgce and cut_percent$"):
        parent_saving_kgce(baseline_kgce=800.0, saving_kgce=1.0, cut_percent=1.0)
    with pytest.raises(DecompositionError, match=r"^saving must not be negative$"):
        parent_saving_kgce(baseline_kgce=800.0, saving_kgce=-0.01)
    for bad in (-0.01, 100.01):
        with pytest.raises(DecompositionError, match=r"^cut_percent must lie between 0 and 100$"):
            parent_saving_kgce(baseline_kgce=800.0, cut_percent=bad)


def test_method_weights_by_method():
    assert method_weights(CHILDREN, "baseline").tolist() == [600.0, 300.0, 100.0]
    assert method_weights(CHILDREN, "potential").tolist() == [0.0, 50.0, 150.0]
    assert method_weights(CHILDREN, "equal").tolist() == [1.0, 1.0, 1.0]
    # Codes missing from the weights weigh 0.
    weights = method_weights(CHILDREN, "weights", weights={"120000": 2.5})
    assert list(weights.index) == list(CHILDREN.index) and weights.tolist() == [0.0, 2.5, 0.0]
    # mix: 0.25 * baseline shares (0.6, 0.3, 0.1) + 0.75 * potential shares (0, 0.25, 0.75)
    mix = method_weights(CHILDREN, "mix", mix={"baseline": 0.25, "potential": 0.75, "equal": 0})
    assert mix.tolist() == pytest.approx([0.15, 0.075 + 0.1875, 0.025 + 0.5625])
    # a mix with custom weights passes them on
    mixed = method_weights(CHILDREN, "mix", mix={"weights": 2.0}, weights={"110000": 1, "310000": 3})
    assert mixed.tolist() == pytest.approx([0.5, 0.0, 1.5])
    # missing baselines weigh 0
    gaps = CHILDREN.assign(baseline_kgce=[600.0, None, 100.0])
    assert method_weights(gaps, "baseline").tolist() == [600.0, 0.0, 100.0]


@pytest.mark.parametrize(
    ("method", "kwargs", "message"),
    [
        ("weights", {}, "method 'weights' needs a weight per child"),
        ("weights", {"weights": {"999999": 1, "888888": 2}}, "weights name unknown children: 888888, 999999"),
        ("mix", {}, "method 'mix' needs a weight per method"),
        ("mix", {"mix": {"mix": 1.0}}, "unknown method in mix: mix"),
        ("mix", {"mix": {"nonsense": 1.0}}, "unknown method in mix: nonsense"),
        ("mix", {"mix": {"baseline": -0.5}}, "mix weights must not be negative"),
        ("mix", {"mix": {"baseline": 1.0, "weights": 1.0}, "weights": {"110000": 0}},
         "method weights gives every child a zero weight"),
        ("nonsense", {}, "unknown method: nonsense"),
        ("weights", {"weights": {"110000": -1}}, "weights must not be negative"),
    ],
)
def test_method_weights_refusals_are_named(method, kwargs, message):
    with pytest.raises(DecompositionError, match=f"^{re.escape(message)}$"):
        method_weights(CHILDREN, method, **kwargs)


def test_negative_baseline_is_refused():
    with pytest.raises(DecompositionError, match=r"^weights must not be negative$"):
        method_weights(CHILDREN.assign(baseline_kgce=[600.0, -1.0, 100.0]), "baseline")


def test_allocate_units_edges_and_messages():
    assert allocate_units(0, np.array([])).tolist() == []
    assert allocate_units(0, np.array([])).dtype == np.int64
    with pytest.raises(DecompositionError, match=r"^nothing to split the target among$"):
        allocate_units(1, np.array([]))
    with pytest.raises(DecompositionError, match=r"^a floor lies above its cap$"):
        allocate_units(10, np.array([1.0, 1.0]), floor_units=np.array([6, 0]), cap_units=np.array([5, 10]))
    with pytest.raises(DecompositionError, match=r"^the floors add up to more than the target$"):
        allocate_units(10, np.array([1.0, 1.0]), floor_units=np.array([6, 5]))
    with pytest.raises(DecompositionError, match=r"^the caps add up to less than the target$"):
        allocate_units(10, np.array([1.0, 1.0]), cap_units=np.array([5, 4]))
    with pytest.raises(DecompositionError, match=r"^every child has a zero weight$"):
        allocate_units(10, np.array([0.0, 0.0]), floor_units=np.array([2, 3]))
    # Floors exactly equal to the target, or caps exactly equal to it, are feasible.
    assert allocate_units(5, np.array([0.0, 0.0]), floor_units=np.array([2, 3])).tolist() == [2, 3]
    assert allocate_units(9, np.array([5.0, 1.0]), cap_units=np.array([4, 5])).tolist() == [4, 5]
    assert allocate_units(7, np.array([1.0, 1.0]), floor_units=np.array([3, 3]), cap_units=np.array([3, 4])).tolist() == [3, 4]


def test_allocate_units_ties_go_to_the_larger_weight():
    # 2 units at 1:3 are 0.5 and 1.5: both remainders are 0.5, the larger weight gets the unit.
    assert allocate_units(2, np.array([1.0, 3.0])).tolist() == [0, 2]
    assert allocate_units(2, np.array([3.0, 1.0])).tolist() == [2, 0]
    # 5 units at 1:1:2 are 1.25, 1.25, 2.5: the half unit left over goes to the largest remainder.
    assert allocate_units(5, np.array([1.0, 1.0, 2.0])).tolist() == [1, 1, 3]
    # 1 unit over equal weights goes to the first child.
    assert allocate_units(1, np.array([2.0, 2.0, 2.0])).tolist() == [1, 0, 0]


def test_allocate_units_shares_equally_among_zero_weights_left_free():
    # The only weighted child is capped at 2; the 8 left are split equally among the zero-weight children.
    assert allocate_units(10, np.array([0.0, 0.0, 5.0]), cap_units=np.array([np.inf, np.inf, 2])).tolist() == [4, 4, 2]
    # Caps and floors at once: 30 at 1:1:1 with the first capped at 5 and the last floored at 15.
    out = allocate_units(30, np.array([1.0, 1.0, 1.0]), floor_units=np.array([0, 0, 15]), cap_units=np.array([5, 50, 50]))
    assert out.tolist() == [5, 10, 15]


def test_decompose_outputs_every_column():
    out = decompose(100.0, CHILDREN, method="potential", decimals=1)
    assert list(out.columns) == ["weight", "saving_units", "saving_kgce", "share", "baseline_kgce", "target_kgce",
                                 "cut_percent"]
    assert list(out.index) == list(CHILDREN.index)
    assert out["weight"].tolist() == [0.0, 50.0, 150.0]
    # 1,000 tenths split 1:3
    assert out["saving_units"].tolist() == [0, 250, 750]
    assert out["saving_kgce"].tolist() == [0.0, 25.0, 75.0]
    assert out["share"].tolist() == [0.0, 0.25, 0.75]
    assert out["target_kgce"].tolist() == [600.0, 275.0, 25.0]
    assert out["cut_percent"].tolist() == pytest.approx([0.0, 25.0 / 3, 75.0])
    # 250 split 1:3 would ask 187.5 of a child whose baseline is 100: refused, not a negative target.
    with pytest.raises(DecompositionError, match=r"save more than their baseline use \(310000\)"):
        decompose(250.0, CHILDREN, method="potential", decimals=1)


def test_decompose_without_potential_column_zero_total_and_zero_baseline():
    children = CHILDREN[["baseline_kgce"]].assign(baseline_kgce=[600.0, 0.0, 100.0])
    out = decompose(0.0, children, method="baseline")
    assert out["saving_units"].tolist() == [0, 0, 0]
    assert out["share"].tolist() == [0.0, 0.0, 0.0]
    assert out["cut_percent"].iloc[0] == 0.0 and pd.isna(out["cut_percent"].iloc[1])
    with pytest.raises(DecompositionError, match=r"^every child has a zero weight$"):
        decompose(10.0, children, method="potential")
    with pytest.raises(DecompositionError, match=r"^saving must not be negative$"):
        decompose(-1.0, children, method="baseline")


def test_decompose_floors_round_up_and_caps_round_down_to_the_precision():
    # A floor of 66.667 kgce at two decimals is 6,667 hundredths; a cap of 0.019 kgce is 1 hundredth.
    out = decompose(100.0, CHILDREN, method="equal", decimals=2, floors_kgce={"310000": 66.667},
                    caps_kgce={"110000": 0.019})
    assert out["saving_units"].tolist() == [1, 3_332, 6_667]
    # Exact floors and caps stay as given (no rounding away by the 1e-9 guard).
    exact = decompose(100.0, CHILDREN, method="equal", floors_kgce={"310000": 40.0}, caps_kgce={"110000": 20.0})
    assert exact["saving_units"].tolist() == [20, 40, 40]


def test_expected_fraction_shapes_and_clipping():
    kw = {"baseline_year": 2005, "target_year": 2010}
    assert expected_fraction(2003, **kw) == 0.0
    assert expected_fraction(2005, **kw) == 0.0
    assert expected_fraction(2007, **kw) == pytest.approx(0.4)
    assert expected_fraction(2010, **kw) == 1.0
    assert expected_fraction(2007, shape="front", **kw) == pytest.approx(0.4**0.5)
    assert expected_fraction(2007, shape="back", **kw) == pytest.approx(0.16)
    assert isinstance(expected_fraction(2007, **kw), float)
    years = expected_fraction(np.array([2004, 2006, 2011]), **kw)
    assert years.tolist() == pytest.approx([0.0, 0.2, 1.0])
    with pytest.raises(ValueError, match=r"^target_year must come after baseline_year$"):
        expected_fraction(2007, baseline_year=2010, target_year=2010)
    with pytest.raises(ValueError, match=r"^unknown milestone shape: zigzag$"):
        expected_fraction(2007, shape="zigzag", **kw)


def test_milestones_front_loaded_path():
    path = milestones(baseline_year=2006, target_year=2010, baseline_kgce=1_000.0, saving_kgce=300.0, shape="front")
    fractions = [0.0, 0.5, 0.5**0.5, 0.75**0.5, 1.0]
    assert path["year"].tolist() == [2006, 2007, 2008, 2009, 2010]
    assert path["expected_fraction"].tolist() == pytest.approx(fractions)
    assert path["expected_saving_kgce"].tolist() == pytest.approx([300.0 * f for f in fractions])
    assert path["expected_kgce"].tolist() == pytest.approx([1_000.0 - 300.0 * f for f in fractions])


def test_progress_thresholds_from_mapping():
    assert ProgressThresholds.from_mapping(None) == ProgressThresholds(on_track=1.0, at_risk=0.8)
    assert ProgressThresholds.from_mapping({}) == ProgressThresholds(on_track=1.0, at_risk=0.8)
    assert ProgressThresholds.from_mapping({"on_track": "0.95", "at_risk": 0.7}) == ProgressThresholds(0.95, 0.7)
    assert ProgressThresholds.from_mapping({"at_risk": 0.5}) == ProgressThresholds(1.0, 0.5)
    assert ProgressThresholds() == ProgressThresholds(1.0, 0.8)


def test_progress_status_with_non_neutral_thresholds_on_both_paths():
    t = ProgressThresholds(on_track=0.9, at_risk=0.6)
    # expected 200: on track from 180, at risk from 120
    assert progress_status(180.0, 200.0, t) == "on_track"
    assert progress_status(179.9, 200.0, t) == "at_risk"
    assert progress_status(120.0, 200.0, t) == "at_risk"
    assert progress_status(119.9, 200.0, t) == "off_track"
    assert progress_status(float("nan"), 200.0, t) is None
    assert progress_status(None, 200.0, t) is None
    achieved = pd.Series([180.0, 179.9, 120.0, 119.9, None, 0.0], index=list("uvwxyz"))
    out = progress_status(achieved, pd.Series([200.0] * 5 + [0.0], index=list("uvwxyz")), t)
    assert list(out.index) == list("uvwxyz")
    assert out.tolist() == ["on_track", "at_risk", "at_risk", "off_track", None, "on_track"]
    # The default thresholds are 1.0 and 0.8.
    assert progress_status(pd.Series([100.0, 99.9, 80.0, 79.9]), 100.0).tolist() == [
        "on_track", "at_risk", "at_risk", "off_track"]


def test_progress_outputs_fallbacks_and_missing_values():
    # 2008 on a 2005 -> 2010 linear path: 60% of each target is expected.
    frame = pd.DataFrame(
        {
            "baseline_year": [2005] * 5,
            "target_year": [2010] * 5,
            "baseline_kgce": [1_000.0, 1_000.0, 1_000.0, 1_000.0, 1_000.0],
            "saving_target_kgce": [200.0, 200.0, 200.0, 0.0, 200.0],
            "baseline_area_m2": [100.0, None, 100.0, 100.0, 100.0],
            "actual_kgce": [900.0, 880.0, None, 950.0, 900.0],
            "actual_area_m2": [90.0, 110.0, 100.0, 100.0, 0.0],
        },
        index=[21, 22, 23, 24, 25],
    )
    t = ProgressThresholds(on_track=0.9, at_risk=0.5)
    out = progress(frame, year=2008, thresholds=t)
    nan = float("nan")
    assert list(out.index) == [21, 22, 23, 24, 25]
    assert out["basis"].tolist() == ["intensity"] * 5
    assert out["absolute_saving_kgce"].tolist() == pytest.approx([100.0, 120.0, nan, 50.0, 100.0], nan_ok=True)
    assert out["baseline_kgce_m2"].tolist() == pytest.approx([10.0, nan, 10.0, 10.0, 10.0], nan_ok=True)
    assert out["actual_kgce_m2"].tolist() == pytest.approx([10.0, 8.0, nan, 9.5, nan], nan_ok=True)
    # Row 22 has no baseline area: its intensity saving falls back to the absolute one. Row 25's actual
    # area is zero, which is not missing: no intensity saving.
    assert out["intensity_saving_kgce"].tolist() == pytest.approx([0.0, 120.0, nan, 50.0, nan], nan_ok=True)
    assert out["saving_kgce"].tolist() == pytest.approx([0.0, 120.0, nan, 50.0, nan], nan_ok=True)
    assert out["percent_of_target"].tolist() == pytest.approx([0.0, 60.0, nan, nan, nan], nan_ok=True)
    assert out["expected_fraction"].tolist() == pytest.approx([0.6] * 5)
    assert out["expected_saving_kgce"].tolist() == pytest.approx([120.0, 120.0, 120.0, 0.0, 120.0])
    assert out["percent_of_expected"].tolist() == pytest.approx([0.0, 100.0, nan, nan, nan], nan_ok=True)
    assert out["status"].tolist() == ["off_track", "on_track", None, "on_track", None]

    absolute = progress(frame, year=2008, thresholds=t, basis="absolute")
    assert absolute["basis"].tolist() == ["absolute"] * 5
    assert absolute["saving_kgce"].tolist() == pytest.approx([100.0, 120.0, nan, 50.0, 100.0], nan_ok=True)
    # 100 of 120 expected is 83.3%: at least 50% (at risk), short of 90% (on track)
    assert absolute["percent_of_expected"].iloc[0] == pytest.approx(100 / 120 * 100)
    assert absolute["status"].tolist() == ["at_risk", "on_track", None, "on_track", "at_risk"]

    back = progress(frame, year=2008, thresholds=t, shape="back")
    assert back["expected_fraction"].tolist() == pytest.approx([0.36] * 5)
    with pytest.raises(ValueError, match=r"^basis must be 'intensity' or 'absolute'$"):
        progress(frame, year=2008, basis="relative")


def test_mix_skips_a_zero_part_wherever_it_stands_and_takes_small_totals():
    mixed = method_weights(CHILDREN, "mix", mix={"equal": 0, "baseline": 1.0})
    assert mixed.tolist() == pytest.approx([0.6, 0.3, 0.1])
    small = method_weights(CHILDREN, "mix", mix={"weights": 1.0}, weights={"110000": 0.2, "120000": 0.3})
    assert small.tolist() == pytest.approx([0.4, 0.6, 0.0])


def test_cut_percent_of_small_and_zero_baselines():
    children = CHILDREN[["baseline_kgce"]].assign(baseline_kgce=[1.5, 0.0, 99.5])
    out = decompose(3.0, children, method="baseline", decimals=1)
    assert out["saving_units"].tolist() == [0, 0, 30]
    assert out["cut_percent"].tolist()[0] == 0.0 and pd.isna(out["cut_percent"].iloc[1])
    assert out["cut_percent"].iloc[2] == pytest.approx(3.0 / 99.5 * 100)
    # An equal split would ask 1 kgce of a child that used nothing: refused.
    with pytest.raises(DecompositionError, match=r"save more than their baseline use \(120000\)"):
        decompose(3.0, children.assign(baseline_kgce=[0.5, 0.0, 99.5]), method="equal")


def test_progress_with_denominators_below_one_and_its_own_thresholds():
    frame = pd.DataFrame(
        {
            "baseline_year": [2005, 2005, 2005],
            "target_year": [2010, 2010, 2010],
            "baseline_kgce": [10.0, 10.0, 1_000.0],
            "saving_target_kgce": [0.5, 0.5, 200.0],
            "baseline_area_m2": [0.5, 0.0, None],
            "actual_kgce": [9.0, 9.0, 940.0],
            "actual_area_m2": [0.5, 0.5, None],
        }
    )
    t = ProgressThresholds(on_track=0.9, at_risk=0.5)
    out = progress(frame, year=2008, thresholds=t)
    added = ["absolute_saving_kgce", "baseline_kgce_m2", "actual_kgce_m2", "intensity_saving_kgce", "basis",
             "saving_kgce", "percent_of_target", "expected_fraction", "expected_saving_kgce", "percent_of_expected",
             "status"]
    assert list(out.columns) == list(frame.columns) + added
    # 20 -> 18 kgce/m2 over 0.5 m2 is 1 kgce: 200% of a 0.5 kgce target, 1 / 0.3 of the expected
    assert out["baseline_kgce_m2"].iloc[0] == 20.0 and out["actual_kgce_m2"].iloc[0] == 18.0
    assert out["intensity_saving_kgce"].iloc[0] == pytest.approx(1.0)
    assert out["percent_of_target"].iloc[0] == pytest.approx(200.0)
    assert out["percent_of_expected"].iloc[0] == pytest.approx(1.0 / 0.3 * 100)
    # a baseline area of zero is no area: no intensity, no saving on that basis
    assert pd.isna(out["baseline_kgce_m2"].iloc[1]) and pd.isna(out["intensity_saving_kgce"].iloc[1])
    # 60 of 120 expected is 50%: at risk by these thresholds (off track by the defaults)
    assert out["saving_kgce"].iloc[2] == 60.0
    assert out["status"].tolist() == ["on_track", None, "at_risk"]
    assert progress(frame, year=2008)["status"].iloc[2] == "off_track"
