"""Pure figure builders, text and number formatting, and the region scope rules of the dashboards."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboards import figures, geo
from dashboards.auth import Viewer, region_contains
from dashboards.i18n import TEXT, fmt_bytes, fmt_num, fmt_pct, normalise_lang, t


def test_every_text_has_both_languages_and_placeholders_match():
    import re

    for key, (zh, en) in TEXT.items():
        assert zh and en, key
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key


def test_numbers_carry_thousands_separators():
    assert fmt_num(1234567.891) == "1,234,568"
    assert fmt_num(1234.5, 2) == "1,234.50"
    assert fmt_num(None) == fmt_num(float("nan")) == fmt_num("x") == "–"
    assert fmt_pct(37.56) == "37.6%"
    assert fmt_pct(None) == "–"
    assert fmt_bytes(2048) == "2.0 KB" and fmt_bytes(3 * 1024 * 1024) == "3.0 MB"


def test_language_defaults_to_chinese():
    assert normalise_lang(None) == "zh" and normalise_lang("fr") == "zh" and normalise_lang("en-GB") == "en"
    assert t("kpi.saving_of", "en", target="1,000", pct="50.0%") == "50.0% of the 1,000 tce target on the basis"
    assert t("kpi.saving_of", "zh", target="1,000", pct="50.0%") == "可比口径目标 1,000 tce 的 50.0%"


@pytest.mark.parametrize(("outer", "inner", "inside"), [
    ("210000", "210100", True), ("210000", "210102", True), ("210100", "210102", True),
    ("210100", "210000", False), ("210100", "210200", False), ("110000", "210100", False), ("000000", "440300", True),
])
def test_region_membership_follows_the_code(outer, inner, inside):
    assert region_contains(outer, inner) is inside


def test_viewer_scope():
    national = Viewer("a", "admin", None)
    liaoning = Viewer("b", "official", "210000")
    shenyang = Viewer("c", "official", "210100")
    assert national.region_for(None) is None and national.region_for("110000") == "110000"
    assert liaoning.region_for("210100") == "210100" and liaoning.region_for("110000") == "210000"
    assert liaoning.region_for(None) == "210000" and not liaoning.may_see(None)
    assert shenyang.region_for("210000") == "210100"
    assert Viewer("d", "auditor").may_upload and not liaoning.may_upload


def _ranking():
    return pd.DataFrame({"region_name": ["北京", "上海", "辽宁"], "progress_pct": [40.0, 95.5, 70.25],
                         "milestone_pct": [60.0, 60.0, 60.0], "status": ["off_track", "on_track", "at_risk"]})


def test_progress_ranking_sorts_colours_and_hovers_exact_values():
    fig = figures.progress_ranking(_ranking(), "zh")
    bars = fig.data[0]
    assert list(bars.y) == ["北京", "辽宁", "上海"]  # ascending, so the best is on top
    assert list(bars.marker.color) == [figures.STATUS_COLOURS[s] for s in ("off_track", "at_risk", "on_track")]
    assert "%{x:,.1f}%" in bars.hovertemplate
    assert fig.layout.title.text == "示范地区节能目标完成进度"
    assert fig.layout.xaxis.title.text == "目标完成率（%）"
    milestone = fig.data[-1]
    assert list(milestone.x) == [60.0, 60.0, 60.0]


def test_every_figure_has_a_title_axis_units_and_exact_hover():
    months = pd.DataFrame({"year": [2005] * 12 + [2008] * 12, "month": list(range(1, 13)) * 2,
                           "tce": [1000.0 + m for m in range(24)]})
    carriers = months.assign(carrier_name="电力")
    built = [
        figures.monthly_against_baseline(months, "en", year=2008, baseline_year=2005),
        figures.carrier_trend(carriers, "en", year=2008, baseline_year=2005),
        figures.breakdown(pd.DataFrame({"label": ["A"], "tce": [12.5], "buildings": [3], "intensity_kgce_m2": [20.0]}),
                          "en", title_key="chart.by_class"),
        figures.intensity_distribution(pd.DataFrame({"class_label": ["A", "A"], "intensity_kwh_m2": [50.0, 70.0]}),
                                       pd.DataFrame({"class_label": ["A"], "constraint_kwh_m2": [65.0], "guide_kwh_m2": [55.0]}),
                                       "en"),
        figures.target_path(pd.DataFrame({"year": [2005, 2006], "path_tce": [100.0, 96.0], "actual_tce": [100.0, float("nan")]}), "en"),
        figures.uploads_over_time(pd.DataFrame({"day": pd.to_datetime(["2026-01-01"]), "rows_accepted": [10],
                                                "rows_rejected": [2], "uploads": [1]}), "en"),
        figures.finding_codes(pd.DataFrame({"code": ["NEGATIVE"], "count": [3], "message": ["negative"]}), "en"),
    ]
    for fig in built:
        assert fig.layout.title.text
        y_title = fig.layout.yaxis.title.text or ""
        x_title = fig.layout.xaxis.title.text or ""
        assert y_title or x_title, fig.layout.title.text
        for trace in fig.data:
            if trace.hoverinfo != "skip":
                assert trace.hovertemplate, trace.name
                assert ":," in trace.hovertemplate, trace.hovertemplate
    assert built[0].layout.yaxis.title.text == "Energy (tce)"
    assert built[3].layout.yaxis.title.text == "Energy intensity kWh/(m²·a)"
    assert [tr.name for tr in built[0].data] == ["Baseline 2005", "2008"]
    assert built[1].layout.barmode == "stack"


def test_empty_data_gives_a_titled_placeholder():
    fig = figures.breakdown(pd.DataFrame(columns=["label", "tce", "buildings", "intensity_kgce_m2"]), "zh",
                            title_key="chart.by_class")
    assert fig.layout.title.text == "按建筑类型"
    assert fig.layout.annotations[0].text == "暂无数据"


def test_map_uses_local_boundaries_without_tiles():
    frame = pd.DataFrame({"region_code": ["210100", "210000", "440300"], "region_name": ["沈阳", "辽宁", "深圳"],
                          "value": [55.0, 40.0, 90.0]})
    fig = figures.region_map(frame, "zh", colour_by="progress")
    assert fig.layout.map.style == "white-bg"
    coloured = fig.data[-1]
    # provinces are drawn first so the cities inside them stay visible
    assert list(coloured.locations) == ["210000", "210100", "440300"]
    ids = {f["id"] for f in coloured.geojson["features"]}
    assert ids == {"210000", "210100", "440300"}
    assert coloured.zmin == 0 and coloured.zmax == 100


def test_boundaries_are_simplified_and_keyed_by_code():
    provinces = geo.provinces()
    codes = {f["id"] for f in provinces["features"]}
    assert {"110000", "210000", "460000", "500000"} <= codes
    assert geo.city("440300")["properties"]["name"] == "深圳市"
    assert geo.city("999900") is None
    lons, lats = geo.boundary_lines()
    assert len(lons) == len(lats) > 10 and None in lons


def test_building_monthly_one_panel_per_carrier():
    frame = pd.DataFrame({"carrier_name": ["电力"] * 3 + ["天然气"] * 2, "unit": ["kWh"] * 3 + ["m3"] * 2,
                          "year": [2007, 2008, 2008, 2008, 2008], "month": [1, 1, 2, 1, 0],
                          "quantity": [10.0, 12.0, 13.0, 5.0, 60.0]})
    fig = figures.building_monthly(frame, "zh")
    assert {a.text for a in fig.layout.annotations} == {"电力", "天然气"}
    gas = [tr for tr in fig.data if "天然气" in tr.hovertemplate]
    # the annual figure (month 0) is not drawn as a month; missing months are gaps
    assert len(gas) == 1 and gas[0].y[0] == 5.0 and all(pd.isna(v) for v in gas[0].y[1:])
    assert gas[0].connectgaps is False
    assert "m³" in gas[0].hovertemplate


def test_benchmark_position_marks_guide_constraint_and_value():
    fig = figures.benchmark_position(value=72.0, guide=55.0, constraint=70.0, lang="en", year=2008)
    names = [tr.name for tr in fig.data]
    assert names == ["Guide 55", "Constraint 70", "This building"]
    assert fig.layout.xaxis.title.text == "Energy intensity kWh/(m²·a)"
    assert len(fig.layout.shapes) == 3
