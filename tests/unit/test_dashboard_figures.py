"""Pure figure builders, text and number formatting, and the region scope rules of the dashboards."""

from __future__ import annotations

import pandas as pd
import pytest

from app.presentation import CARRIER_COLOURS, carrier_colour, frame_to_display, to_display
from dashboards import finding_text
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
    carriers = months.assign(carrier_code="electricity", carrier_name="电力")
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


def test_plotted_values_are_the_input_frame():
    months = pd.DataFrame({"year": [2005] * 12 + [2008] * 12, "month": list(range(12, 0, -1)) * 2,
                           "tce": [1000.0 + 7 * m for m in range(24)]})
    fig = figures.monthly_against_baseline(months, "en", year=2008, baseline_year=2005)
    for trace, year in zip(fig.data, (2005, 2008), strict=True):
        part = months[months["year"] == year].sort_values("month")
        assert list(trace.x) == [figures.MONTHS["en"][m - 1] for m in part["month"]]
        assert list(trace.y) == part["tce"].tolist()
    assert list(fig.data[1].y)[:2] == [1000.0 + 7 * 23, 1000.0 + 7 * 22]  # January is the last input row

    carriers = pd.DataFrame({"year": [2008, 2008, 2008, 2008, 2005, 2005], "month": [2, 1, 1, 2, 1, 1],
                             "carrier_name": ["电力", "电力", "天然气", "天然气", "电力", "天然气"],
                             "carrier_code": ["electricity", "electricity", "natural_gas", "natural_gas",
                                              "electricity", "natural_gas"],
                             "tce": [11.0, 10.0, 3.5, 4.5, 20.0, 6.0]})
    fig = figures.carrier_trend(carriers, "zh", year=2008, baseline_year=2005)
    bars = {tr.name: tr for tr in fig.data if tr.type == "bar"}
    assert list(bars["电力"].y) == [10.0, 11.0] and list(bars["天然气"].y) == [3.5, 4.5]
    baseline = next(tr for tr in fig.data if tr.type == "scatter")
    assert list(baseline.y) == [26.0]  # the baseline year's carriers added up per month

    classes = pd.DataFrame({"label": ["A", "B", "C"], "tce": [12.5, 40.0, 7.25], "buildings": [3, 5, 1],
                            "intensity_kgce_m2": [20.0, 31.5, 9.0]})
    bar = figures.breakdown(classes, "en", title_key="chart.by_class").data[0]
    assert list(bar.x) == ["B", "A", "C"] and list(bar.y) == [40.0, 12.5, 7.25]
    assert [list(row) for row in bar.customdata] == [[5, 31.5], [3, 20.0], [1, 9.0]]

    intensities = pd.DataFrame({"class_label": ["A", "A", "B", "B"], "intensity_kwh_m2": [50.0, 70.0, None, 90.0]})
    bench = pd.DataFrame({"class_label": ["A", "B"], "constraint_kwh_m2": [65.0, 110.0], "guide_kwh_m2": [55.0, 80.0]})
    box, constraint, guide = figures.intensity_distribution(intensities, bench, "en").data
    assert list(box.x) == ["A", "A", "B"] and list(box.y) == [50.0, 70.0, 90.0]
    assert list(constraint.y) == [65.0, 110.0] and list(guide.y) == [55.0, 80.0]

    path = pd.DataFrame({"year": [2006, 2005, 2007], "path_tce": [96.0, 100.0, 92.0],
                         "actual_tce": [97.5, 100.0, float("nan")]})
    planned, actual = figures.target_path(path, "en").data
    assert list(planned.x) == [2005, 2006, 2007] and list(planned.y) == [100.0, 96.0, 92.0]
    assert list(actual.x) == [2005, 2006] and list(actual.y) == [100.0, 97.5]

    uploads = pd.DataFrame({"day": pd.to_datetime(["2026-01-01", "2026-01-02"]), "rows_accepted": [10, 30],
                            "rows_rejected": [2, 0], "uploads": [1, 3]})
    accepted, rejected = figures.uploads_over_time(uploads, "en").data
    assert list(accepted.y) == [10, 30] and list(rejected.y) == [2, 0] and list(accepted.customdata) == [1, 3]

    findings = pd.DataFrame({"code": ["NEGATIVE", "UNIT_UNKNOWN"], "count": [3, 1], "message": ["negative", "unit"]})
    bar = figures.finding_codes(findings, "en").data[0]
    assert list(bar.y) == ["UNIT_UNKNOWN", "NEGATIVE"] and list(bar.x) == [1, 3]
    assert [list(row) for row in bar.customdata] == [["UNIT_UNKNOWN", "unit"], ["NEGATIVE", "negative"]]

    ranking = figures.progress_ranking(_ranking(), "zh").data[0]
    assert list(ranking.x) == [40.0, 70.25, 95.5]


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
    frame = pd.DataFrame({"carrier_code": ["electricity"] * 3 + ["natural_gas"] * 2,
                          "carrier_name": ["电力"] * 3 + ["天然气"] * 2, "unit": ["kWh"] * 3 + ["m3"] * 2,
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


def _trend(lang_names: dict[str, str]) -> pd.DataFrame:
    rows = [{"year": 2008, "month": m, "carrier_code": c, "carrier_name": lang_names[c], "tce": 10.0 + m}
            for c in ("district_heat", "electricity", "natural_gas") for m in (1, 2)]
    return pd.DataFrame(rows)


def test_carrier_colours_do_not_change_with_the_language():
    zh = figures.carrier_trend(_trend({"district_heat": "集中供热", "electricity": "电力", "natural_gas": "天然气"}),
                               "zh", year=2008, baseline_year=None)
    en = figures.carrier_trend(_trend({"district_heat": "District heat", "electricity": "Electricity",
                                       "natural_gas": "Natural gas"}), "en", year=2008, baseline_year=None)
    colour = {tr.name: tr.marker.color for tr in zh.data} | {tr.name: tr.marker.color for tr in en.data}
    assert colour["集中供热"] == colour["District heat"] == CARRIER_COLOURS["district_heat"]
    assert colour["天然气"] == colour["Natural gas"] == CARRIER_COLOURS["natural_gas"]
    assert colour["电力"] == colour["Electricity"] == CARRIER_COLOURS["electricity"]
    assert len(set(CARRIER_COLOURS.values())) == len(CARRIER_COLOURS)  # no two carriers share a colour
    # the same order in both languages
    assert [tr.marker.color for tr in zh.data] == [tr.marker.color for tr in en.data]


def test_building_monthly_panels_use_the_carrier_colour():
    frame = pd.DataFrame({"carrier_code": ["district_heat"] * 2 + ["electricity"] * 2,
                          "carrier_name": ["集中供热"] * 2 + ["电力"] * 2, "unit": ["GJ"] * 2 + ["kWh"] * 2,
                          "year": [2007, 2008, 2007, 2008], "month": [1, 1, 1, 1], "quantity": [1.0, 2.0, 3.0, 4.0]})
    fig = figures.building_monthly(frame, "zh")
    heat = [tr for tr in fig.data if "集中供热" in tr.hovertemplate]
    assert {tr.line.color for tr in heat} == {carrier_colour("district_heat")}
    assert [tr.line.dash for tr in heat] == ["dash", "solid"]  # the latest year solid
    assert "GJ" in heat[0].hovertemplate


def test_district_heat_is_shown_in_gj():
    frame = pd.DataFrame({"unit": ["MJ", "kWh"], "quantity": [1_200_000.0, 5.0]})
    shown = frame_to_display(frame)
    assert list(shown["unit"]) == ["GJ", "kWh"] and list(shown["quantity"]) == [1200.0, 5.0]
    assert to_display(2500.0, "MJ") == (2.5, "GJ")


def test_finding_chart_names_the_findings_in_the_language():
    frame = pd.DataFrame({"code": ["UNIT_UNKNOWN", "NEGATIVE"], "count": [5, 3], "message": ["m1", "m2"]})
    zh = figures.finding_codes(frame.assign(label=[finding_text.label(c, "zh") for c in frame["code"]]), "zh")
    assert list(zh.data[0].y) == ["负数", "未知计量单位"]
    assert "(%{customdata[0]})" in zh.data[0].hovertemplate  # the code stays in the hover
    en = figures.finding_codes(frame.assign(label=[finding_text.label(c, "en") for c in frame["code"]]), "en")
    assert list(en.data[0].y) == ["Negative value", "Unknown unit"]


def test_every_finding_code_has_names_and_every_rejection_says_what_is_accepted():
    from etl.findings import ERROR, MESSAGES

    assert set(MESSAGES) <= set(finding_text.LABELS)
    rejecting = {code for code, (severity, _zh, _en) in MESSAGES.items() if severity == ERROR}
    assert rejecting <= set(finding_text.ACCEPTED) | set(finding_text.DYNAMIC)
    for code in rejecting:
        assert finding_text.accepted(code, "zh", carriers=["电力"], units="电力：kWh", classes=["A 办公"])
    assert finding_text.severity("error", "zh") == "错误（已拒绝）" and finding_text.severity("notice", "en") == "Notice"


def test_accepted_units_per_carrier_from_the_reference_tables():
    units = pd.DataFrame({"code": ["kWh", "10k_kWh", "m3", "L", "kg", "t", "MJ", "GJ"],
                          "dimension": ["electric_energy", "electric_energy", "volume", "liquid_volume", "mass", "mass",
                                        "heat", "heat"]})
    carriers = pd.DataFrame({"code": ["electricity", "natural_gas", "diesel", "district_heat"],
                             "canonical_unit": ["kWh", "m3", "kg", "MJ"], "density_kg_per_l": [None, None, 0.84, None]})
    names = {"electricity": ("电力", "Electricity"), "natural_gas": ("天然气", "Natural gas"),
             "diesel": ("柴油", "Diesel"), "district_heat": ("集中供热", "District heat")}
    assert finding_text.accepted_units(units, carriers, names, "zh") == \
        "电力：kWh、万kWh；天然气：m³；柴油：kg、t、L；集中供热：MJ、GJ"
    assert finding_text.accepted_units(units, carriers, names, "en").startswith("Electricity: kWh, 10k kWh; ")


def test_national_map_shows_the_south_china_sea_islands_in_an_inset():
    frame = pd.DataFrame({"region_code": ["210000"], "region_name": ["辽宁"], "value": [40.0]})
    fig = figures.region_map(frame, "zh")
    inset = fig.layout.map2
    assert inset.domain.x[0] > 0.7 and inset.domain.y[1] < 0.5  # lower right
    assert inset.center.lat < 15 and inset.zoom < fig.layout.map.zoom
    on_inset = [tr for tr in fig.data if tr.subplot == "map2"]
    assert len(on_inset) == 2 and "460000" in list(on_inset[0].locations)  # Hainan and the islands, and the lines
    assert min(v for v in on_inset[1].lat if v is not None) < 5  # the line reaches the southernmost islands
    assert any(a.text == "南海诸岛" for a in fig.layout.annotations)


def test_scoped_map_zooms_to_the_viewers_region():
    frame = pd.DataFrame({"region_code": ["210000", "210100"], "region_name": ["辽宁", "沈阳"], "value": [40.0, 50.0]})
    national = figures.region_map(frame, "zh")
    liaoning = figures.region_map(frame, "zh", focus="210000")
    shenyang = figures.region_map(frame, "zh", focus="210100")
    assert "map2" not in liaoning.layout.to_plotly_json() and not [tr for tr in liaoning.data if tr.subplot == "map2"]
    assert 38 < liaoning.layout.map.center.lat < 44 and 118 < liaoning.layout.map.center.lon < 126
    assert national.layout.map.zoom < liaoning.layout.map.zoom < shenyang.layout.map.zoom
    assert figures.region_map(frame, "zh", focus="999999").layout.map.zoom == national.layout.map.zoom


def test_count_axes_have_whole_distinct_ticks():
    frame = pd.DataFrame({"code": ["NEGATIVE", "UNIT_UNKNOWN"], "count": [1, 1], "message": ["a", "b"]})
    axis = figures.finding_codes(frame, "zh").layout.xaxis
    assert axis.dtick == 1 and axis.tickformat == ",d"
    many = figures.finding_codes(frame.assign(count=[1, 1234]), "zh").layout.xaxis
    assert many.dtick == 500
