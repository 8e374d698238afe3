"""The comparison basis (可比口径): which buildings two periods can be compared over, and why not the others.

A change between two periods (a year against the last, a year against a target's baseline year) is
computed on the buildings that have a complete year in both periods, over the same carriers, and
that belong to the region in both. Everything else is left out with a reason, so a change measures
savings, not registrations, drop-outs or part years. The basis says how many buildings and how much
floor area it holds; a pair of periods without a comparable building has no change at all.

The two named totals of a year live here too: the complete-year total (what every change and
intensity is built from) and all reported energy including part years.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

# Reasons a building is left out of a comparison, in the order they are checked (the first applies).
REASONS: dict[str, tuple[str, str]] = {
    "moved_region": ("两期之间变更了所属地区", "moved into the region between the periods"),
    "registered_later": ("前期之后才开始上报（无前期数据）", "registered after the earlier period (no earlier data)"),
    "no_earlier_data": ("前期未上报", "no data in the earlier period"),
    "no_later_data": ("本期未上报", "no data in the later period"),
    "incomplete_earlier": ("前期数据不完整", "incomplete year in the earlier period"),
    "incomplete_later": ("本期数据不完整", "incomplete year in the later period"),
    "carrier_mismatch": ("两期上报的能源品种不同", "a carrier reported in one period only"),
}

# One label per figure, shared by the CLI, the API, the dashboards and every report format.
LABELS: dict[str, tuple[str, str]] = {
    "complete_year_total": ("完整年度能耗合计", "Complete-year total"),
    "all_reported_total": ("全部上报能耗（含不完整年度）", "All reported (incl. part years)"),
    "change": ("可比口径变化", "Change (like-for-like)"),
    "basis": ("可比建筑", "Comparable basis"),
    "no_basis": ("无可比基础", "no comparable basis"),
}

BASIS_COLUMNS = ["building_id", "is_comparable", "reason", "kgce_earlier", "kgce_later", "floor_area_m2",
                 "change_pct"]


@dataclass(frozen=True)
class Basis:
    """A comparison summed over its comparable buildings, with the buildings left out counted by reason."""

    year_from: int
    year_to: int
    buildings: int
    floor_area_m2: float
    kgce_earlier: float | None
    kgce_later: float | None
    change_pct: float | None
    kgce_m2_earlier: float | None
    kgce_m2_later: float | None
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def has_basis(self) -> bool:
        return self.buildings > 0 and bool(self.kgce_earlier)

    def label(self, lang: str = "zh") -> str:
        return basis_label(self.buildings, self.floor_area_m2, lang)

    def to_dict(self) -> dict:
        return {**asdict(self), "has_basis": self.has_basis, "label_zh": self.label("zh"),
                "label_en": self.label("en")}


def basis_label(buildings: int | None, floor_area_m2: float | None, lang: str = "zh") -> str:
    """'可比建筑 N 栋 · 面积 M m²' / 'comparable: N buildings, M m²', or 'no comparable basis'."""
    if not buildings or pd.isna(buildings):
        return LABELS["no_basis"][0 if lang == "zh" else 1]
    area = f"{float(floor_area_m2 or 0):,.0f}"
    if lang == "zh":
        return f"可比建筑 {int(buildings)} 栋 · 面积 {area} m²"
    return f"comparable: {int(buildings)} buildings, {area} m²"


def pct_change(earlier, later):
    """(later - earlier) / earlier in %, NaN where the earlier value is missing or not positive."""
    earlier = pd.to_numeric(pd.Series(earlier), errors="coerce").astype("float64") if np.ndim(earlier) else earlier
    if isinstance(earlier, pd.Series):
        return (later - earlier) / earlier.where(earlier > 0) * 100.0
    if earlier is None or later is None or pd.isna(earlier) or pd.isna(later) or earlier <= 0:
        return float("nan")
    return (float(later) - float(earlier)) / float(earlier) * 100.0


def basis_rows(
    earlier: pd.DataFrame,
    later: pd.DataFrame,
    *,
    earlier_year: int,
    first_year: pd.Series | None = None,
    moved: set[int] | frozenset[int] = frozenset(),
) -> pd.DataFrame:
    """One row per building of ``later`` (the scope as it stands): comparable or not, and why.

    ``earlier`` and ``later`` are building-year frames of the same scope with building_id,
    is_reporting, is_complete, carrier_mask (a bit per carrier reported), energy_kgce and
    floor_area_m2. ``first_year`` maps building_id to the first year it reported anything;
    ``moved`` holds the buildings that moved into the scope between the periods.
    """
    keep = ["building_id", "is_reporting", "is_complete", "carrier_mask", "energy_kgce"]
    before = earlier[keep].set_index("building_id")
    now = later[[*keep, "floor_area_m2"]].set_index("building_id")
    before = before.reindex(now.index)
    reporting_before = before["is_reporting"].astype("boolean").fillna(False).astype(bool)
    complete_before = before["is_complete"].astype("boolean").fillna(False).astype(bool)
    first = (first_year.reindex(now.index) if first_year is not None
             else pd.Series(np.nan, index=now.index)).astype("float64")
    conditions = [
        now.index.isin(list(moved)),
        ~reporting_before & ~(first < earlier_year),
        ~reporting_before,
        ~now["is_reporting"].astype(bool),
        ~complete_before,
        ~now["is_complete"].astype(bool),
        before["carrier_mask"].fillna(-1).astype("int64") != now["carrier_mask"].fillna(-2).astype("int64"),
    ]
    reason = np.select(conditions, list(REASONS), default="")
    out = pd.DataFrame({
        "building_id": now.index.to_numpy(),
        "reason": pd.Series(np.where(reason == "", None, reason), dtype=object),
        "kgce_earlier": before["energy_kgce"].astype("float64").to_numpy(),
        "kgce_later": now["energy_kgce"].astype("float64").to_numpy(),
        "floor_area_m2": now["floor_area_m2"].astype("float64").to_numpy(),
    })
    out["is_comparable"] = out["reason"].isna()
    comparable = out["is_comparable"]
    out["change_pct"] = pct_change(out["kgce_earlier"].where(comparable), out["kgce_later"].where(comparable))
    return out[BASIS_COLUMNS]


def summarize(rows: pd.DataFrame, *, year_from: int, year_to: int) -> Basis:
    """Sum ``basis_rows`` over the comparable buildings."""
    comparable = rows[rows["is_comparable"]]
    excluded = rows.loc[~rows["is_comparable"], "reason"].value_counts()
    if comparable.empty:
        return Basis(year_from, year_to, 0, 0.0, None, None, None, None, None,
                     {str(k): int(v) for k, v in excluded.items()})
    area = float(comparable["floor_area_m2"].sum())
    earlier = float(comparable["kgce_earlier"].sum())
    later = float(comparable["kgce_later"].sum())
    change = pct_change(earlier, later)
    return Basis(
        year_from=year_from, year_to=year_to, buildings=len(comparable), floor_area_m2=area,
        kgce_earlier=earlier, kgce_later=later, change_pct=None if pd.isna(change) else float(change),
        kgce_m2_earlier=earlier / area if area > 0 else None, kgce_m2_later=later / area if area > 0 else None,
        excluded={str(k): int(v) for k, v in excluded.items()},
    )


def summarize_by(rows: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """``summarize`` per group (``groups`` aligned with ``rows``; a building may appear in several groups
    by passing repeated rows). Columns: comparable_buildings, comparable_area_m2, kgce_earlier,
    kgce_later, change_pct; a group without comparable buildings has NaN figures."""
    data = rows.assign(_group=groups.to_numpy())
    comparable = data[data["is_comparable"]]
    out = comparable.groupby("_group").agg(
        comparable_buildings=("building_id", "size"),
        comparable_area_m2=("floor_area_m2", "sum"),
        kgce_earlier=("kgce_earlier", "sum"),
        kgce_later=("kgce_later", "sum"),
    ).reindex(pd.Index(data["_group"].unique()).dropna())
    out["comparable_buildings"] = out["comparable_buildings"].fillna(0).astype("int64")
    out["change_pct"] = pct_change(out["kgce_earlier"], out["kgce_later"])
    out.index.name = None
    return out
