"""Comparisons between two years on the comparable basis (可比口径), for a region or the nation.

Every change the platform shows — year on year, against a target's baseline year, a building's own
change, a target's progress — is computed here from app.domain.comparison, so the CLI, the API, the
dashboards and the reports show the same figure over the same buildings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import comparison as dc
from app.domain.regions import NATION_CODE, region_column
from app.models import Building, BuildingHistory, BuildingYearTotal
from app.services import frames

LISTING_COLUMNS = ["code", "name", "province_code", "city_code"]


@dataclass(frozen=True)
class Comparison:
    """A comparison of a scope between two years: the summed basis and one row per building of the scope."""

    region_code: str
    method: str
    basis: dc.Basis
    rows: pd.DataFrame

    def excluded(self) -> pd.DataFrame:
        """The buildings left out, with their reason in Chinese and English, ordered by code."""
        out = self.rows[~self.rows["is_comparable"]].sort_values("code")
        return out.assign(reason_zh=out["reason"].map(lambda r: dc.REASONS[r][0]),
                          reason_en=out["reason"].map(lambda r: dc.REASONS[r][1]))

    def to_dict(self, *, with_buildings: bool = True) -> dict[str, Any]:
        out = {"region_code": self.region_code, "method": self.method, **self.basis.to_dict()}
        if with_buildings:
            columns = ["code", "name", "reason", "reason_zh", "reason_en", "kgce_earlier", "kgce_later"]
            excluded = self.excluded()[columns]
            out["excluded_buildings"] = excluded.astype(object).where(excluded.notna(), None).to_dict("records")
        return out


def first_years(*, session: Session, building_ids=None) -> pd.Series:
    """building_id -> the first year it reported any whole-meter figure (of some buildings, or all)."""
    t = BuildingYearTotal
    stmt = select(t.building_id, func.min(t.year)).where(t.months_reported > 0).group_by(t.building_id)
    ids = None if building_ids is None else sorted({int(b) for b in building_ids})
    if ids is not None and not ids:
        return pd.Series(dtype="float64")
    if ids is not None and len(ids) <= 5000:
        stmt = stmt.where(t.building_id.in_(ids))
    rows = session.execute(stmt).all()
    return pd.Series({int(b): int(y) for b, y in rows}, dtype="float64")


def _silent_before(earlier: pd.DataFrame, later: pd.DataFrame) -> list[int]:
    """Buildings of ``later`` without data in ``earlier``: only they need their first year looked up."""
    reporting = set(earlier.loc[earlier["is_reporting"].astype(bool), "building_id"])
    return [b for b in later["building_id"] if b not in reporting]


def district_moves(*, session: Session) -> pd.DataFrame:
    """building_id, old district_code, current district_code of every recorded district change."""
    old = BuildingHistory.old_values["district_code"].as_string()
    rows = session.execute(select(BuildingHistory.building_id, old, Building.district_code)
                           .join(Building, Building.id == BuildingHistory.building_id)
                           .where(old.is_not(None), old != Building.district_code)).all()
    return pd.DataFrame(rows, columns=["building_id", "old_district", "district"])


def moved_into(*, session: Session, region_code: str | None, moves: pd.DataFrame | None = None) -> set[int]:
    """Buildings of a region whose recorded district change crossed the region's boundary.

    Their earlier figures were reported under another region, so the region cannot compare them.
    The nation has no boundary to cross.
    """
    column = region_column(region_code or NATION_CODE)
    if column is None:
        return set()
    moves = district_moves(session=session) if moves is None else moves
    width = 2 if column == "province_code" else 4
    prefix = str(region_code)[:width]
    inside_now = moves["district"].astype(str).str[:width] == prefix
    inside_before = moves["old_district"].astype(str).str[:width] == prefix
    return {int(b) for b in moves.loc[inside_now != inside_before, "building_id"]}


def _frame(session: Session, year: int, region_code: str | None, method: str) -> pd.DataFrame:
    """A year's frame of the scope, cut from the national frame held for the current data."""
    scope = None if region_code in (None, NATION_CODE) else region_code
    return frames.select_buildings(frames.national_frame(session=session, year=year, method=method), region_code=scope)


def compare(
    *,
    session: Session,
    year_from: int,
    year_to: int,
    region_code: str | None = None,
    method: str = "calorific",
    earlier: pd.DataFrame | None = None,
    later: pd.DataFrame | None = None,
) -> Comparison:
    """Compare a region (or the nation) between two years over the buildings comparable in both.

    ``earlier`` and ``later`` may pass the years' building frames of the scope already read.
    """
    code = region_code or NATION_CODE
    earlier = _frame(session, year_from, code, method) if earlier is None else earlier
    later = _frame(session, year_to, code, method) if later is None else later
    first = first_years(session=session, building_ids=_silent_before(earlier, later))
    rows = dc.basis_rows(earlier, later, earlier_year=year_from, first_year=first,
                         moved=moved_into(session=session, region_code=code))
    rows = rows.merge(later[["building_id", *LISTING_COLUMNS]], on="building_id", how="left")
    return Comparison(region_code=code, method=method, basis=dc.summarize(rows, year_from=year_from, year_to=year_to),
                      rows=rows)


def compare_regions(
    *,
    session: Session,
    year_from: int,
    year_to: int,
    regions: list[str] | pd.Series,
    method: str = "calorific",
    earlier: pd.DataFrame | None = None,
    later: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``compare`` of many regions (and the nation, '000000') from one pass over two national frames.

    One row per region code: comparable_buildings, comparable_area_m2, kgce_earlier, kgce_later,
    change_pct, basis_label_zh, basis_label_en. A region without comparable buildings has NaN figures.
    """
    earlier = _frame(session, year_from, None, method) if earlier is None else earlier
    later = _frame(session, year_to, None, method) if later is None else later
    first = first_years(session=session, building_ids=_silent_before(earlier, later))
    moves = district_moves(session=session)
    parts, groups = [], []
    for code in dict.fromkeys(regions):
        column = region_column(code)
        if column is None:
            scope_later, scope_earlier = later, earlier
        else:
            scope_later = later[later[column] == code]
            scope_earlier = earlier[earlier[column] == code]
        rows = dc.basis_rows(scope_earlier, scope_later, earlier_year=year_from, first_year=first,
                             moved=moved_into(session=session, region_code=code, moves=moves))
        parts.append(rows)
        groups.append(pd.Series(code, index=rows.index))
    codes = list(dict.fromkeys(regions))
    if not parts:
        return pd.DataFrame(index=pd.Index([], name="region_code"))
    out = dc.summarize_by(pd.concat(parts, ignore_index=True), pd.concat(groups, ignore_index=True))
    out = out.reindex(codes)
    out["comparable_buildings"] = out["comparable_buildings"].fillna(0).astype("int64")
    out["comparable_area_m2"] = out["comparable_area_m2"].fillna(0.0)
    out["basis_label_zh"] = [dc.basis_label(n, a, "zh") for n, a in zip(out["comparable_buildings"],
                                                                      out["comparable_area_m2"], strict=True)]
    out["basis_label_en"] = [dc.basis_label(n, a, "en") for n, a in zip(out["comparable_buildings"],
                                                                      out["comparable_area_m2"], strict=True)]
    out.index.name = "region_code"
    return out


def building_changes(*, session: Session, year: int, region_code: str | None = None,
                     method: str = "calorific") -> pd.DataFrame:
    """Each building's change against the previous year, on its own comparable basis.

    Columns: building_id, code, name, is_comparable, reason, kgce_previous, kgce_current, change_pct
    (NaN when the building is not comparable: no change is shown, never 0 % or −100 %).
    """
    result = compare(session=session, year_from=year - 1, year_to=year, region_code=region_code, method=method)
    rows = result.rows.rename(columns={"kgce_earlier": "kgce_previous", "kgce_later": "kgce_current"})
    return rows[["building_id", "code", "name", "is_comparable", "reason", "kgce_previous", "kgce_current",
                 "change_pct"]].sort_values("code", ignore_index=True)
