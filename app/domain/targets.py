"""Saving targets: decomposition from a parent to its children, milestones and progress.

Decomposition works in integer units of the stored precision (10**-decimals kgce), so the children
always add up exactly to the parent. Shares come from a stated method; floors and caps are honoured
by fixing the children that break them and sharing the rest again among the others; the fractional
units left by rounding go to the largest remainders (ties: larger weight, then input order), so the
same inputs always give the same output.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

METHODS = ("baseline", "potential", "equal", "weights", "mix")
METHOD_LABELS = {
    "baseline": ("按基期能耗比例", "share of baseline use (equal cut rate)"),
    "potential": ("按节能潜力比例", "share of saving potential above the benchmark"),
    "equal": ("平均分配", "equal split"),
    "weights": ("按自定义权重", "custom weights"),
    "mix": ("加权组合", "weighted mix of methods"),
}
STATUS_ON_TRACK = "on_track"
STATUS_AT_RISK = "at_risk"
STATUS_OFF_TRACK = "off_track"
STATUS_INSUFFICIENT_BASIS = "insufficient_basis"
STATUS_LABELS = {
    STATUS_ON_TRACK: ("进度正常", "on track"),
    STATUS_AT_RISK: ("存在风险", "at risk"),
    STATUS_OFF_TRACK: ("进度滞后", "off track"),
    STATUS_INSUFFICIENT_BASIS: ("可比口径不足", "comparable basis too small"),
}


class DecompositionError(ValueError):
    """The inputs cannot be decomposed (unknown method, no weight, infeasible floors or caps)."""


def parent_saving_kgce(*, baseline_kgce: float, saving_kgce: float | None = None, cut_percent: float | None = None) -> float:
    """The parent's saving: given directly, or as a percentage cut of the baseline use."""
    if (saving_kgce is None) == (cut_percent is None):
        raise DecompositionError("give exactly one of saving_kgce and cut_percent")
    if saving_kgce is not None:
        if saving_kgce < 0:
            raise DecompositionError("saving must not be negative")
        if saving_kgce > baseline_kgce:
            raise DecompositionError(
                f"节能量 {saving_kgce / 1000:,.1f} tce 超过基期能耗 {baseline_kgce / 1000:,.1f} tce，目标不成立 / "
                f"the saving of {saving_kgce / 1000:,.1f} tce exceeds the baseline use of {baseline_kgce / 1000:,.1f} tce: "
                "a target cannot save more than the scope used"
            )
        return float(saving_kgce)
    if not 0 <= cut_percent <= 100:
        raise DecompositionError("cut_percent must lie between 0 and 100")
    return baseline_kgce * cut_percent / 100.0


def method_weights(
    children: pd.DataFrame,
    method: str,
    *,
    weights: Mapping[str, float] | None = None,
    mix: Mapping[str, float] | None = None,
) -> pd.Series:
    """Non-negative weights per child (index = child code) for a method.

    ``children`` is indexed by code with ``baseline_kgce`` and ``potential_kgce``. 'weights' needs
    ``weights`` (code -> weight, missing codes weigh 0); 'mix' needs ``mix`` (method -> weight), and
    blends the normalised shares of those methods.
    """
    if method == "baseline":
        raw = children["baseline_kgce"].astype("float64")
    elif method == "potential":
        raw = children["potential_kgce"].astype("float64")
    elif method == "equal":
        raw = pd.Series(1.0, index=children.index)
    elif method == "weights":
        if not weights:
            raise DecompositionError("method 'weights' needs a weight per child")
        unknown = sorted(set(weights) - set(children.index))
        if unknown:
            raise DecompositionError(f"weights name unknown children: {', '.join(unknown)}")
        raw = pd.Series({code: float(weights.get(code, 0.0)) for code in children.index}, dtype="float64")
    elif method == "mix":
        if not mix:
            raise DecompositionError("method 'mix' needs a weight per method")
        raw = pd.Series(0.0, index=children.index)
        for part, part_weight in mix.items():
            if part not in METHODS or part == "mix":
                raise DecompositionError(f"unknown method in mix: {part}")
            if part_weight < 0:
                raise DecompositionError("mix weights must not be negative")
            if part_weight == 0:
                continue
            shares = method_weights(children, part, weights=weights)
            total = shares.sum()
            if total <= 0:
                raise DecompositionError(f"method {part} gives every child a zero weight")
            raw = raw + part_weight * shares / total
    else:
        raise DecompositionError(f"unknown method: {method}")
    raw = raw.fillna(0.0)
    if (raw < 0).any():
        raise DecompositionError("weights must not be negative")
    return raw


def _bounded_proportional(total: float, weights: np.ndarray, floors: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Continuous split of ``total`` proportional to weights within [floor, cap] per child."""
    n = len(weights)
    fixed = np.full(n, np.nan)
    while True:
        free = np.isnan(fixed)
        remaining = total - np.nansum(fixed)
        if not free.any():
            return fixed
        w = weights[free]
        share = w / w.sum() if w.sum() > 0 else np.full(len(w), 1.0 / len(w))
        x = np.zeros(n)
        x[free] = remaining * share
        over = free & (x > caps)
        under = free & (x < floors)
        if not over.any() and not under.any():
            return np.where(free, x, fixed)
        excess = (x - caps)[over].sum()
        deficit = (floors - x)[under].sum()
        if excess >= deficit:
            fixed[over] = caps[over]
        else:
            fixed[under] = floors[under]


def allocate_units(
    total_units: int,
    weights: np.ndarray,
    *,
    floor_units: np.ndarray | None = None,
    cap_units: np.ndarray | None = None,
) -> np.ndarray:
    """Split an integer total into integers proportional to weights, within floors and caps, exactly."""
    n = len(weights)
    if n == 0:
        if total_units:
            raise DecompositionError("nothing to split the target among")
        return np.zeros(0, dtype=np.int64)
    weights = np.asarray(weights, dtype="float64")
    floors = np.zeros(n) if floor_units is None else np.asarray(floor_units, dtype="float64")
    caps = np.full(n, np.inf) if cap_units is None else np.asarray(cap_units, dtype="float64")
    if (floors > caps).any():
        raise DecompositionError("a floor lies above its cap")
    if floors.sum() > total_units:
        raise DecompositionError("the floors add up to more than the target")
    if caps.sum() < total_units:
        raise DecompositionError("the caps add up to less than the target")
    if weights.sum() <= 0 and floors.sum() < total_units:
        raise DecompositionError("every child has a zero weight")
    x = _bounded_proportional(float(total_units), weights, floors, caps)
    base = np.floor(x + 1e-9)
    base = np.minimum(np.maximum(base, floors), caps)
    remainder = int(total_units - base.sum())
    fractions = x - base
    # Largest remainder first; ties go to the larger weight, then to the earlier child.
    order = np.lexsort((np.arange(n), -weights, -fractions))
    units = base.astype(np.int64)
    sequence = order if remainder > 0 else order[::-1]
    step = 1 if remainder > 0 else -1
    for _ in range(abs(remainder) + 1):
        if remainder == 0:
            break
        moved = False
        for k in sequence:
            if remainder == 0:
                break
            if floors[k] <= units[k] + step <= caps[k]:
                units[k] += step
                remainder -= step
                moved = True
        if not moved:
            raise DecompositionError("cannot round the split within the floors and caps")
    return units


def decompose(
    total_kgce: float,
    children: pd.DataFrame,
    *,
    method: str,
    weights: Mapping[str, float] | None = None,
    mix: Mapping[str, float] | None = None,
    floors_kgce: Mapping[str, float] | None = None,
    caps_kgce: Mapping[str, float] | None = None,
    decimals: int = 0,
) -> pd.DataFrame:
    """Split a parent saving among children; the children's savings add up exactly to the parent.

    ``children``: indexed by code, with ``baseline_kgce`` and (for 'potential') ``potential_kgce``.
    Returns, per child in input order: weight, share, saving_kgce, saving_units (integer units of
    10**-decimals kgce), baseline_kgce, target_kgce and cut_percent.
    """
    if total_kgce < 0:
        raise DecompositionError("saving must not be negative")
    children = children.copy()
    if "potential_kgce" not in children:
        children["potential_kgce"] = 0.0
    scale = 10**decimals
    total_units = round(total_kgce * scale)
    w = method_weights(children, method, weights=weights, mix=mix)
    floors = np.array([math.ceil((floors_kgce or {}).get(c, 0.0) * scale - 1e-9) for c in children.index], dtype="float64")
    caps = np.array(
        [math.floor(caps_kgce[c] * scale + 1e-9) if caps_kgce and c in caps_kgce else np.inf for c in children.index],
        dtype="float64",
    )
    units = allocate_units(total_units, w.to_numpy(), floor_units=floors, cap_units=caps)
    baselines = children["baseline_kgce"].astype("float64").to_numpy()
    over = units / scale > baselines + 0.5 / scale
    if over.any():
        names = ", ".join(str(c) for c in children.index[over][:5])
        raise DecompositionError(
            f"分解后 {int(over.sum())} 个下级的节能量超过其基期能耗（{names}），请设置上限或改用其他分解方法 / "
            f"{int(over.sum())} children would save more than their baseline use ({names}): set caps or choose "
            "another method"
        )
    out = pd.DataFrame(index=children.index)
    out["weight"] = w
    out["saving_units"] = units
    out["saving_kgce"] = units / scale
    out["share"] = units / total_units if total_units else 0.0
    out["baseline_kgce"] = children["baseline_kgce"].astype("float64")
    out["target_kgce"] = out["baseline_kgce"] - out["saving_kgce"]
    baseline = out["baseline_kgce"].where(out["baseline_kgce"] > 0)
    out["cut_percent"] = out["saving_kgce"] / baseline * 100.0
    return out


def expected_fraction(year, *, baseline_year: int, target_year: int, shape: str = "linear"):
    """Share of the saving the path expects by ``year``: 0 at the baseline, 1 at the target year.

    'linear' is a straight line; 'front' front-loads the path ((t)**0.5) and 'back' back-loads it (t**2).
    """
    if target_year <= baseline_year:
        raise ValueError("target_year must come after baseline_year")
    t = np.clip((np.asarray(year, dtype="float64") - baseline_year) / (target_year - baseline_year), 0.0, 1.0)
    if shape == "linear":
        result = t
    elif shape == "front":
        result = np.sqrt(t)
    elif shape == "back":
        result = t**2
    else:
        raise ValueError(f"unknown milestone shape: {shape}")
    return float(result) if np.ndim(result) == 0 else result


def milestones(
    *, baseline_year: int, target_year: int, baseline_kgce: float, saving_kgce: float, shape: str = "linear"
) -> pd.DataFrame:
    """The yearly path from baseline to target year: expected fraction, saving and use per year."""
    years = np.arange(baseline_year, target_year + 1)
    fraction = expected_fraction(years, baseline_year=baseline_year, target_year=target_year, shape=shape)
    return pd.DataFrame(
        {
            "year": years,
            "expected_fraction": fraction,
            "expected_saving_kgce": saving_kgce * fraction,
            "expected_kgce": baseline_kgce - saving_kgce * fraction,
        }
    )


@dataclass(frozen=True)
class ProgressThresholds:
    """Achieved / expected saving ratios: at least on_track is on track, at least at_risk is at risk."""

    on_track: float = 1.0
    at_risk: float = 0.8

    @classmethod
    def from_mapping(cls, data: Mapping[str, float] | None) -> ProgressThresholds:
        data = data or {}
        return cls(on_track=float(data.get("on_track", 1.0)), at_risk=float(data.get("at_risk", 0.8)))


def progress_status(achieved_kgce, expected_kgce, thresholds: ProgressThresholds = ProgressThresholds()):
    """on_track / at_risk / off_track by achieved versus expected saving (scalar or Series)."""
    achieved_s = pd.Series(achieved_kgce, dtype="float64") if np.ndim(achieved_kgce) else None
    if achieved_s is None:
        if pd.isna(achieved_kgce):
            return None
        if achieved_kgce >= expected_kgce * thresholds.on_track:
            return STATUS_ON_TRACK
        if achieved_kgce >= expected_kgce * thresholds.at_risk:
            return STATUS_AT_RISK
        return STATUS_OFF_TRACK
    expected = pd.Series(expected_kgce, index=achieved_s.index, dtype="float64")
    labels = np.select(
        [achieved_s >= expected * thresholds.on_track, achieved_s >= expected * thresholds.at_risk],
        [STATUS_ON_TRACK, STATUS_AT_RISK],
        STATUS_OFF_TRACK,
    )
    return pd.Series(labels, index=achieved_s.index, dtype="object").where(achieved_s.notna(), None)


def progress(
    frame: pd.DataFrame,
    *,
    year: int,
    thresholds: ProgressThresholds = ProgressThresholds(),
    basis: str = "intensity",
    shape: str = "linear",
) -> pd.DataFrame:
    """Progress of each target row in ``frame`` for ``year``.

    ``frame`` needs baseline_year, target_year, baseline_kgce, saving_target_kgce, baseline_area_m2,
    actual_kgce and actual_area_m2. Adds:
    - absolute_saving_kgce = baseline - actual;
    - intensity_saving_kgce = (baseline/baseline_area - actual/actual_area) * actual_area, so a
      scope whose floor area grew is judged on its intensity, not punished for growing;
    - saving_kgce (the chosen ``basis``), percent_of_target, expected_fraction,
      expected_saving_kgce, percent_of_expected and status.
    """
    if basis not in ("intensity", "absolute"):
        raise ValueError("basis must be 'intensity' or 'absolute'")
    out = frame.copy()
    baseline = out["baseline_kgce"].astype("float64")
    actual = out["actual_kgce"].astype("float64")
    baseline_area = out["baseline_area_m2"].astype("float64")
    actual_area = out["actual_area_m2"].astype("float64")
    out["absolute_saving_kgce"] = baseline - actual
    baseline_intensity = baseline / baseline_area.where(baseline_area > 0)
    actual_intensity = actual / actual_area.where(actual_area > 0)
    out["baseline_kgce_m2"] = baseline_intensity
    out["actual_kgce_m2"] = actual_intensity
    out["intensity_saving_kgce"] = ((baseline_intensity - actual_intensity) * actual_area).fillna(
        out["absolute_saving_kgce"].where(baseline_area.isna() | actual_area.isna())
    )
    out["basis"] = basis
    out["saving_kgce"] = out[f"{basis}_saving_kgce"]
    target = out["saving_target_kgce"].astype("float64")
    out["percent_of_target"] = out["saving_kgce"] / target.where(target > 0) * 100.0
    fractions = [
        expected_fraction(year, baseline_year=int(b), target_year=int(t), shape=shape)
        for b, t in zip(out["baseline_year"], out["target_year"], strict=True)
    ]
    out["expected_fraction"] = np.asarray(fractions, dtype="float64")
    out["expected_saving_kgce"] = target * out["expected_fraction"]
    expected = out["expected_saving_kgce"]
    out["percent_of_expected"] = out["saving_kgce"] / expected.where(expected > 0) * 100.0
    out["status"] = progress_status(out["saving_kgce"], expected, thresholds)
    out.loc[actual.isna(), "status"] = None
    return out
