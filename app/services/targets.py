"""Saving targets: decomposition stored as a tree, listing and progress for a year.

The tree follows region membership without double counting: the nation splits among the top-level
demonstration regions (provinces, municipalities, and demonstration cities whose province is not
one, such as 深圳 and 唐山); a region splits among its demonstration cities (沈阳 in 辽宁) and its
other buildings; a city splits among its buildings. The stated method rules the first split; below it
'potential' keeps its rule and every other method uses the share of baseline use (an equal cut
rate), since weights and equal splits are given for the first level's children. Children add up
exactly to their parent at every level (whole kgce). Without ``to_buildings`` only the region rows
are stored: a province's stored children are then its demonstration cities, a part of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.domain import targets as dt
from app.domain.regions import NATION_CODE
from app.models import Region, SavingTarget
from app.services.frames import national_frame
from app.services.indicators import building_year_indicators, region_rollup

KGCE_PER_TCE = 1000.0


@dataclass
class DecompositionResult:
    """A decomposition: the parent figures, every stored (or previewed) row and the milestone path."""

    root_id: int | None
    scope_code: str
    scope_name_zh: str
    baseline_year: int
    target_year: int
    method: str
    method_basis: str
    baseline_kgce: float
    saving_kgce: float
    cut_percent: float | None
    rows: pd.DataFrame
    milestones: pd.DataFrame
    is_preview: bool = False
    inputs: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "root_id": self.root_id,
            "scope_code": self.scope_code,
            "scope_name_zh": self.scope_name_zh,
            "baseline_year": self.baseline_year,
            "target_year": self.target_year,
            "method": self.method,
            "method_basis": self.method_basis,
            "baseline_kgce": self.baseline_kgce,
            "saving_kgce": self.saving_kgce,
            "cut_percent": self.cut_percent,
            "is_preview": self.is_preview,
            "inputs": self.inputs,
            "rows": _records(self.rows),
            "milestones": _records(self.milestones),
        }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _regions(session: Session) -> pd.DataFrame:
    stmt = select(Region.code, Region.name_zh, Region.name_en, Region.level, Region.parent_code, Region.is_demonstration)
    return pd.read_sql(stmt, session.connection())


def _member_mask(frame: pd.DataFrame, code: str) -> pd.Series:
    if code == NATION_CODE:
        return pd.Series(True, index=frame.index)
    column = "province_code" if code.endswith("0000") else "city_code"
    return frame[column].eq(code)


def _lower_method(method: str, mix: Mapping[str, float] | None) -> tuple[str, dict[str, float] | None]:
    """The rule below the first split: potential stays, a mix keeps its potential part, the rest is baseline share."""
    if method == "potential":
        return "potential", None
    if method == "mix" and mix and mix.get("potential", 0) > 0:
        potential = float(mix["potential"])
        rest = float(sum(v for k, v in mix.items() if k != "potential"))
        return "mix", {"potential": potential, "baseline": rest} if rest > 0 else {"potential": potential}
    return "baseline", None


def _split(total_kgce: float, children: pd.DataFrame, method: str, **kwargs) -> pd.DataFrame:
    if children.empty:
        if total_kgce:
            raise dt.DecompositionError("nothing to split the target among")
        return children.assign(saving_kgce=[], share=[], weight=[])
    result = dt.decompose(total_kgce, children[["baseline_kgce", "potential_kgce"]], method=method, **kwargs)
    return children.assign(saving_kgce=result["saving_kgce"], share=result["share"], weight=result["weight"])


def decompose(
    *,
    session: Session,
    scope_code: str = NATION_CODE,
    saving_tce: float | None = None,
    cut_percent: float | None = None,
    baseline_year: int,
    target_year: int,
    method: str = "baseline",
    method_basis: str = "calorific",
    weights: Mapping[str, float] | None = None,
    mix: Mapping[str, float] | None = None,
    floors: Mapping[str, float] | None = None,
    caps: Mapping[str, float] | None = None,
    to_buildings: bool = False,
    created_by: str | None = None,
    preview: bool = False,
    milestone_shape: str = "linear",
) -> DecompositionResult:
    """Split a saving (tce, or % cut of the baseline year) from a scope down the region tree; store it unless preview.

    ``weights``, ``floors`` and ``caps`` (tce) are keyed by the codes of the first split's children;
    ``mix`` maps method names to their weight in a 'mix'.
    """
    if method not in dt.METHODS:
        raise dt.DecompositionError(f"unknown method: {method}")
    if target_year <= baseline_year:
        raise dt.DecompositionError("the target year must come after the baseline year")
    regions = _regions(session)
    by_code = regions.set_index("code")
    if scope_code not in by_code.index:
        raise LookupError(f"unknown region {scope_code}")

    frame = building_year_indicators(session=session, year=baseline_year, region_code=scope_code, method=method_basis)
    base = frame[frame["is_complete"]].copy()
    if base.empty:
        raise dt.DecompositionError(f"no complete building-year in {baseline_year} to form a baseline")
    base["baseline_kgce"] = base["energy_kgce"]
    base["potential_kgce"] = base["saving_potential_kgce"].fillna(0.0)
    base["baseline_area_m2"] = base["floor_area_m2"]

    demo = regions[regions["is_demonstration"].astype(bool)]
    demo_codes = set(demo["code"])

    def sub_regions(code: str) -> list[str]:
        if code == NATION_CODE:
            top = demo[~demo["parent_code"].isin(demo_codes)]
            return sorted(top["code"])
        return sorted(demo.loc[demo["parent_code"] == code, "code"])

    def aggregate(code: str, subset: pd.DataFrame) -> dict[str, Any]:
        return {
            "scope_code": code,
            "name": by_code.at[code, "name_zh"],
            "baseline_kgce": float(subset["baseline_kgce"].sum()),
            "potential_kgce": float(subset["potential_kgce"].sum()),
            "baseline_area_m2": float(subset["baseline_area_m2"].sum()),
            "baseline_buildings": len(subset),
        }

    def region_children(code: str, members: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(sub-region rows, buildings outside those sub-regions) of a region."""
        rows, inside = [], pd.Series(False, index=members.index)
        for child in sub_regions(code):
            mask = _member_mask(members, child)
            inside |= mask
            rows.append(aggregate(child, members[mask]))
        return pd.DataFrame(rows), members[~inside]

    scope_members = base if scope_code == NATION_CODE else base[_member_mask(base, scope_code)]
    if scope_code == NATION_CODE:
        level_one = pd.DataFrame([aggregate(c, base[_member_mask(base, c)]) for c in sub_regions(NATION_CODE)])
        level_one = level_one[level_one["baseline_buildings"] > 0]
    else:
        level_one, _ = region_children(scope_code, scope_members)
    parent_baseline = float(level_one["baseline_kgce"].sum() if scope_code == NATION_CODE else scope_members["baseline_kgce"].sum())
    parent_area = float(level_one["baseline_area_m2"].sum() if scope_code == NATION_CODE else scope_members["baseline_area_m2"].sum())
    saving_kgce = dt.parent_saving_kgce(
        baseline_kgce=parent_baseline,
        saving_kgce=None if saving_tce is None else saving_tce * KGCE_PER_TCE,
        cut_percent=cut_percent,
    )
    saving_kgce = float(round(saving_kgce))
    to_kgce = (lambda m: None if m is None else {k: float(v) * KGCE_PER_TCE for k, v in m.items()})
    first_kwargs = {"weights": weights, "floors_kgce": to_kgce(floors), "caps_kgce": to_kgce(caps)}
    lower_method, lower_mix = _lower_method(method, mix)

    building_rows = []
    out_rows = []
    parent_label = scope_code

    def as_building_children(members: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({
            "scope_code": members["code"].to_numpy(),
            "name": members["name"].to_numpy(),
            "baseline_kgce": members["baseline_kgce"].to_numpy(),
            "potential_kgce": members["potential_kgce"].to_numpy(),
            "baseline_area_m2": members["baseline_area_m2"].to_numpy(),
            "baseline_buildings": 1,
        })

    def split_region(code: str, total: float, members: pd.DataFrame, level_kwargs: dict, level_method: str, level_mix):
        """Split a region among its sub-regions and other buildings; recurse into sub-regions."""
        subs, others = region_children(code, members)
        subs = subs.assign(scope_level="region", kind="region") if not subs.empty else subs
        kids = pd.concat([subs, as_building_children(others).assign(scope_level="building", kind="building")],
                         ignore_index=True)
        if kids.empty:
            return
        kids = kids.set_index("scope_code", drop=False)
        split = _split(total, kids, level_method, mix=level_mix, **level_kwargs)
        split["parent_code"] = code
        for row in split[split["kind"] == "region"].itertuples(index=False):
            out_rows.append(row._asdict())
            split_region(row.scope_code, row.saving_kgce, members[_member_mask(members, row.scope_code)], {},
                         lower_method, lower_mix)
        building_rows.append(split[split["kind"] == "building"])

    if scope_code == NATION_CODE:
        level_one = level_one.set_index("scope_code", drop=False).assign(scope_level="region", kind="region")
        split = _split(saving_kgce, level_one, method, mix=mix, **first_kwargs)
        split["parent_code"] = parent_label
        for row in split.itertuples(index=False):
            out_rows.append(row._asdict())
            split_region(row.scope_code, row.saving_kgce, base[_member_mask(base, row.scope_code)], {},
                         lower_method, lower_mix)
    else:
        split_region(scope_code, saving_kgce, scope_members, first_kwargs, method, mix)

    region_frame = pd.DataFrame(out_rows)
    buildings_frame = pd.concat(building_rows, ignore_index=True) if building_rows else pd.DataFrame()
    root = {
        "scope_level": "nation" if scope_code == NATION_CODE else "region",
        "scope_code": scope_code,
        "name": by_code.at[scope_code, "name_zh"],
        "parent_code": None,
        "baseline_kgce": parent_baseline,
        "potential_kgce": float(scope_members["potential_kgce"].sum()),
        "baseline_area_m2": parent_area,
        "baseline_buildings": len(scope_members),
        "saving_kgce": saving_kgce,
        "share": 1.0,
        "weight": None,
    }
    parts = [pd.DataFrame([root]), region_frame]
    if to_buildings and not buildings_frame.empty:
        parts.append(buildings_frame)
    rows = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    rows = rows.drop(columns=[c for c in ("kind",) if c in rows])
    rows["target_kgce"] = rows["baseline_kgce"] - rows["saving_kgce"]
    rows["cut_percent"] = rows["saving_kgce"] / rows["baseline_kgce"].where(rows["baseline_kgce"] > 0) * 100.0

    inputs = {
        "saving_tce": saving_tce, "cut_percent": cut_percent, "method": method, "method_basis": method_basis,
        "weights": dict(weights) if weights else None, "mix": dict(mix) if mix else None,
        "floors_tce": dict(floors) if floors else None, "caps_tce": dict(caps) if caps else None,
        "lower_level_method": lower_method if lower_mix is None else {"mix": lower_mix},
        "precision": "1 kgce", "milestone_shape": milestone_shape, "to_buildings": to_buildings,
    }
    path = dt.milestones(baseline_year=baseline_year, target_year=target_year, baseline_kgce=parent_baseline,
                         saving_kgce=saving_kgce, shape=milestone_shape)
    result = DecompositionResult(
        root_id=None, scope_code=scope_code, scope_name_zh=root["name"], baseline_year=baseline_year,
        target_year=target_year, method=method, method_basis=method_basis, baseline_kgce=parent_baseline,
        saving_kgce=saving_kgce, cut_percent=cut_percent, rows=rows, milestones=path, is_preview=preview,
        inputs=inputs,
    )
    if not preview:
        result.root_id = _store(session, rows, result, created_by)
    return result


def _store(session: Session, rows: pd.DataFrame, result: DecompositionResult, created_by: str | None) -> int:
    """Insert the tree: regions one by one (to learn their ids), buildings in one executemany."""
    title = f"{result.baseline_year}-{result.target_year}"
    ids: dict[str, int] = {}
    common = {"baseline_year": result.baseline_year, "target_year": result.target_year,
              "method_basis": result.method_basis, "created_by": created_by}
    for row in rows[rows["scope_level"] != "building"].itertuples(index=False):
        is_root = row.parent_code is None
        target = SavingTarget(
            name=f"{row.name} {title} 节能目标",
            scope_level=row.scope_level,
            scope_code=row.scope_code,
            parent_id=None if is_root else ids[row.parent_code],
            baseline_kgce=float(row.baseline_kgce),
            target_kgce=float(row.target_kgce),
            saving_kgce=float(row.saving_kgce),
            cut_percent=None if pd.isna(row.cut_percent) else float(row.cut_percent),
            method=result.method,
            method_inputs=(
                {**result.inputs, "baseline_area_m2": float(row.baseline_area_m2),
                 "baseline_buildings": int(row.baseline_buildings)}
                if is_root else
                {"weight": None if pd.isna(row.weight) else float(row.weight), "share": float(row.share),
                 "potential_kgce": float(row.potential_kgce), "baseline_area_m2": float(row.baseline_area_m2),
                 "baseline_buildings": int(row.baseline_buildings)}
            ),
            **common,
        )
        session.add(target)
        session.flush()
        ids[row.scope_code] = target.id
    buildings = rows[rows["scope_level"] == "building"]
    if not buildings.empty:
        payload = [
            {"name": f"{code} {title} 节能目标", "scope_level": "building", "scope_code": code,
             "parent_id": ids[parent], "baseline_kgce": float(b), "target_kgce": float(t), "saving_kgce": float(s),
             "cut_percent": None if np.isnan(c) else float(c), "method": result.method,
             "method_inputs": {"share": float(sh), "baseline_area_m2": float(a)}, **common}
            for code, parent, b, t, s, c, sh, a in zip(
                buildings["scope_code"], buildings["parent_code"], buildings["baseline_kgce"], buildings["target_kgce"],
                buildings["saving_kgce"], buildings["cut_percent"].astype("float64"), buildings["share"],
                buildings["baseline_area_m2"], strict=True)
        ]
        session.execute(insert(SavingTarget), payload)
    return ids[result.scope_code]


def list_targets(*, session: Session, include_buildings: bool = False) -> pd.DataFrame:
    """Stored targets (nation and regions, optionally buildings), newest decomposition first."""
    stmt = select(
        SavingTarget.id, SavingTarget.name, SavingTarget.scope_level, SavingTarget.scope_code, SavingTarget.parent_id,
        SavingTarget.baseline_year, SavingTarget.target_year, SavingTarget.method_basis, SavingTarget.baseline_kgce,
        SavingTarget.target_kgce, SavingTarget.saving_kgce, SavingTarget.cut_percent, SavingTarget.method,
        SavingTarget.created_by, SavingTarget.created_at,
    ).order_by(SavingTarget.id.desc())
    if not include_buildings:
        stmt = stmt.where(SavingTarget.scope_level != "building")
    return pd.read_sql(stmt, session.connection())


def current_targets(*, session: Session) -> pd.DataFrame:
    """Nation and region rows of the newest decomposition (the newest national one if there is any)."""
    roots = session.execute(
        select(SavingTarget.id, SavingTarget.scope_code).where(SavingTarget.parent_id.is_(None)).order_by(SavingTarget.id.desc())
    ).all()
    if not roots:
        return pd.DataFrame()
    national = [r.id for r in roots if r.scope_code == NATION_CODE]
    root_id = national[0] if national else roots[0].id
    tree = select(SavingTarget.id).where(SavingTarget.id == root_id).cte("tree", recursive=True)
    tree = tree.union_all(
        select(SavingTarget.id).join(tree, SavingTarget.parent_id == tree.c.id).where(SavingTarget.scope_level != "building")
    )
    stmt = select(SavingTarget).where(SavingTarget.id.in_(select(tree.c.id))).order_by(SavingTarget.id)
    targets = list(session.scalars(stmt))
    return pd.DataFrame([
        {"target_id": t.id, "root_id": root_id, "scope_level": t.scope_level, "region_code": t.scope_code,
         "parent_id": t.parent_id, "baseline_year": t.baseline_year, "target_year": t.target_year,
         "method_basis": t.method_basis, "method": t.method, "baseline_kgce": t.baseline_kgce,
         "saving_target_kgce": t.saving_kgce, "target_kgce": t.target_kgce,
         "baseline_area_m2": (t.method_inputs or {}).get("baseline_area_m2"),
         "milestone_shape": (t.method_inputs or {}).get("milestone_shape")}
        for t in targets
    ])


def progress_frame(
    *,
    year: int,
    targets: pd.DataFrame,
    basis: pd.DataFrame,
    thresholds: dt.ProgressThresholds,
    min_basis_coverage: float = 0.0,
) -> pd.DataFrame:
    """Progress of target rows in a year, judged on their comparable basis (app.services.comparison).

    ``basis`` is ``compare_regions`` between the targets' baseline year and ``year``, indexed by
    region code. Each target's cut rate (saving / stored baseline) is applied to the baseline of its
    comparable buildings, so the saving achieved and the saving expected cover the same buildings:
    buildings registered after the baseline year, part years and drop-outs move neither. A target
    whose region has no comparable building has no progress (NaN) and no status; one whose basis holds
    less than ``min_basis_coverage`` of the decomposed baseline energy has the status
    'insufficient_basis' (its figures are shown, but it cannot be judged on track).
    Columns kept from the target: baseline_kgce and saving_target_kgce (as decomposed). Added:
    basis_baseline_kgce, basis_target_kgce, basis_coverage_pct (basis baseline / stored baseline),
    actual_kgce, comparable_buildings, comparable_area_m2, basis_label_zh/en, and dt.progress's
    saving, percent and status columns.
    """
    if targets.empty:
        return pd.DataFrame()
    figures = basis[["comparable_buildings", "comparable_area_m2", "kgce_earlier", "kgce_later",
                     "basis_label_zh", "basis_label_en"]]
    frame = targets.merge(figures, left_on="region_code", right_index=True, how="left")
    stored_baseline = frame["baseline_kgce"].astype("float64")
    stored_saving = frame["saving_target_kgce"].astype("float64")
    cut_rate = stored_saving / stored_baseline.where(stored_baseline > 0)
    has_basis = frame["comparable_buildings"].fillna(0).gt(0)
    basis_baseline = frame["kgce_earlier"].where(has_basis)
    calc = frame.assign(
        baseline_kgce=basis_baseline,
        saving_target_kgce=cut_rate * basis_baseline,
        actual_kgce=frame["kgce_later"].where(has_basis),
        baseline_area_m2=frame["comparable_area_m2"].where(has_basis),
        actual_area_m2=frame["comparable_area_m2"].where(has_basis),
    )
    shape = frame["milestone_shape"].dropna()
    out = dt.progress(calc, year=year, thresholds=thresholds, shape=shape.iloc[0] if not shape.empty else "linear")
    out = out.assign(basis_baseline_kgce=out["baseline_kgce"], basis_target_kgce=out["saving_target_kgce"],
                     baseline_kgce=stored_baseline, saving_target_kgce=stored_saving,
                     comparable_buildings=frame["comparable_buildings"].fillna(0).astype("int64"))
    # The share of the decomposed baseline that the basis still covers: drop-outs lower it.
    out["basis_coverage_pct"] = out["basis_baseline_kgce"] / stored_baseline.where(stored_baseline > 0) * 100.0
    too_small = out["basis_coverage_pct"].lt(min_basis_coverage * 100.0) & out["status"].notna()
    out.loc[too_small, "status"] = dt.STATUS_INSUFFICIENT_BASIS
    out = out.drop(columns=["kgce_earlier", "kgce_later"])
    out.insert(0, "year", year)
    return out


def progress_basis(*, session: Session, year: int, targets: pd.DataFrame, method: str,
                   frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """The comparable basis of each target's region between its baseline year and ``year``."""
    from app.services.comparison import compare_regions

    if targets.empty:
        return pd.DataFrame()
    baseline_year = int(targets["baseline_year"].iloc[0])
    return compare_regions(session=session, year_from=baseline_year, year_to=year, regions=targets["region_code"],
                           method=method, later=frame)


def path_actuals(*, session: Session, region_code: str, baseline_year: int, baseline_kgce: float, years,
                 method: str = "calorific") -> dict[int, float | None]:
    """Each year's use on a target's path, like for like: the decomposed baseline scaled by the change of
    the buildings comparable between the baseline year and that year (None without a comparable basis).

    This is the path of the same saving that ``target_progress`` reports, so the chart and the
    percentage agree.
    """
    from app.services.comparison import compare

    out: dict[int, float | None] = {}
    for year in years:
        if year < baseline_year:
            continue
        if year == baseline_year:
            out[year] = float(baseline_kgce)
            continue
        basis = compare(session=session, year_from=baseline_year, year_to=year, region_code=region_code,
                        method=method).basis
        out[year] = float(baseline_kgce) * basis.kgce_later / basis.kgce_earlier if basis.has_basis else None
    return out


def target_progress(
    *,
    session: Session,
    year: int,
    region_code: str | None = None,
    thresholds: dt.ProgressThresholds | None = None,
    frame: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Progress of the current targets (nation and regions) in a year: savings, % of target, path, status.

    Saving and status are judged on each region's comparable basis (see ``progress_frame``).
    """
    from app.services.assessment import assessment_config, min_basis_coverage

    targets = current_targets(session=session)
    if targets.empty:
        return pd.DataFrame()
    if region_code:
        targets = targets[targets["region_code"] == region_code]
        if targets.empty:
            return pd.DataFrame()
    method = str(targets["method_basis"].iloc[0]) if not targets.empty else "calorific"
    if frame is None:
        frame = national_frame(session=session, year=year, method=method)
    basis = progress_basis(session=session, year=year, targets=targets, method=method, frame=frame)
    out = progress_frame(year=year, targets=targets, basis=basis, thresholds=thresholds or assessment_config().progress,
                         min_basis_coverage=min_basis_coverage())
    names = _regions(session).set_index("code")[["name_zh", "name_en"]]
    return out.join(names, on="region_code")
