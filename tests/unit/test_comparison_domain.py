"""The comparison basis: each reason a building is left out, and the sums over the comparable ones."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from app.domain import comparison as dc

ELEC, HEAT = 1, 2


def _year(rows):
    return pd.DataFrame(rows, columns=["building_id", "is_reporting", "is_complete", "carrier_mask", "energy_kgce",
                                       "floor_area_m2"])


EARLIER = _year([
    (1, True, True, ELEC, 100.0, 1000.0),         # comparable
    (2, True, True, ELEC | HEAT, 300.0, 3000.0),   # comparable
    (3, True, False, ELEC, 50.0, 500.0),           # part year before
    (4, True, True, ELEC, 80.0, 800.0),            # part year now
    (5, True, True, ELEC, 70.0, 700.0),            # adds heat now
    (6, True, True, ELEC, 60.0, 600.0),            # stops reporting
    (8, False, False, 0, math.nan, 900.0),         # reported before the earlier year, not in it
    (9, True, True, ELEC, 40.0, 400.0),            # moved in
])
LATER = _year([
    (1, True, True, ELEC, 90.0, 1000.0),
    (2, True, True, ELEC | HEAT, 270.0, 3000.0),
    (3, True, True, ELEC, 45.0, 500.0),
    (4, True, False, ELEC, 75.0, 800.0),
    (5, True, True, ELEC | HEAT, 90.0, 700.0),
    (6, False, False, 0, math.nan, 600.0),
    (7, True, True, ELEC, 500.0, 5000.0),          # registered later
    (8, True, True, ELEC, 20.0, 900.0),
    (9, True, True, ELEC, 35.0, 400.0),
])
FIRST_YEAR = pd.Series({1: 2005, 2: 2005, 3: 2005, 4: 2005, 5: 2005, 6: 2005, 7: 2008, 8: 2005, 9: 2005})


def test_every_reason_and_the_comparable_sum():
    rows = dc.basis_rows(EARLIER, LATER, earlier_year=2007, first_year=FIRST_YEAR, moved={9}).set_index("building_id")
    assert rows["reason"].to_dict() == {
        1: None, 2: None, 3: "incomplete_earlier", 4: "incomplete_later", 5: "carrier_mismatch",
        6: "no_later_data", 7: "registered_later", 8: "no_earlier_data", 9: "moved_region"}
    assert rows.loc[1, "change_pct"] == pytest.approx(-10.0)
    assert rows.loc[7, "change_pct"] != rows.loc[7, "change_pct"]  # NaN, never 0 % or +inf
    basis = dc.summarize(rows.reset_index(), year_from=2007, year_to=2008)
    assert (basis.buildings, basis.floor_area_m2) == (2, 4000.0)
    assert (basis.kgce_earlier, basis.kgce_later) == (400.0, 360.0)
    assert basis.change_pct == pytest.approx(-10.0)
    assert basis.kgce_m2_earlier == pytest.approx(0.1) and basis.kgce_m2_later == pytest.approx(0.09)
    assert sum(basis.excluded.values()) == 7 and basis.excluded["moved_region"] == 1
    assert basis.label("zh") == "可比建筑 2 栋 · 面积 4,000 m²"
    assert basis.label("en") == "comparable: 2 buildings, 4,000 m²"


def test_registering_buildings_without_earlier_data_changes_nothing():
    rows = dc.basis_rows(EARLIER, LATER, earlier_year=2007, first_year=FIRST_YEAR)
    more = pd.concat([LATER, _year([(20 + i, True, True, ELEC, 10.0 * i, 100.0) for i in range(5)])])
    first = pd.concat([FIRST_YEAR, pd.Series({20 + i: 2008 for i in range(5)})])
    grown = dc.basis_rows(EARLIER, more, earlier_year=2007, first_year=first)
    a, b = dc.summarize(rows, year_from=2007, year_to=2008), dc.summarize(grown, year_from=2007, year_to=2008)
    assert (a.buildings, a.kgce_earlier, a.kgce_later, a.change_pct) == (b.buildings, b.kgce_earlier, b.kgce_later,
                                                                        b.change_pct)
    assert (a.excluded["registered_later"], b.excluded["registered_later"]) == (1, 6)


def test_no_comparable_building_has_no_change():
    rows = dc.basis_rows(EARLIER[EARLIER.building_id == 3], LATER[LATER.building_id == 3], earlier_year=2007)
    basis = dc.summarize(rows, year_from=2007, year_to=2008)
    assert basis.buildings == 0 and basis.change_pct is None and not basis.has_basis
    assert basis.label("zh") == "无可比基础" and basis.label("en") == "no comparable basis"


def test_summarize_by_groups_with_overlap():
    rows = dc.basis_rows(EARLIER, LATER, earlier_year=2007, first_year=FIRST_YEAR, moved={9})
    twice = pd.concat([rows, rows[rows.building_id == 2]], ignore_index=True)
    groups = pd.Series(["A"] * len(rows) + ["B"])
    out = dc.summarize_by(twice, groups)
    assert out.loc["A", "comparable_buildings"] == 2 and out.loc["A", "kgce_earlier"] == 400.0
    assert out.loc["B", "comparable_buildings"] == 1 and out.loc["B", "change_pct"] == pytest.approx(-10.0)


def test_pct_change_refuses_a_missing_or_zero_base():
    assert math.isnan(dc.pct_change(0.0, 5.0)) and math.isnan(dc.pct_change(None, 5.0))
    assert dc.pct_change(200.0, 150.0) == pytest.approx(-25.0)
