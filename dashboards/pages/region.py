"""Region: trend by carrier, breakdowns, intensity distribution with benchmarks, consumers, target path, assessment."""

from __future__ import annotations

import dash
import numpy as np
import pandas as pd
from dash import Input, Output, dcc, html

from dashboards import components as ui
from dashboards import data, figures
from dashboards.i18n import fmt_num, fmt_pct, t
from dashboards.pages.common import as_bool, as_int, guarded, lang, viewer

PATH = "/region"
TOP_N = 50


def layout(**query) -> html.Div:
    lg, user = lang(), viewer()
    options = data.filter_options()
    return html.Div([
        html.H1(t("nav.region", lg), className="page-title", id="region-title"),
        ui.filter_bar(lang=lg, options=options, query=query,
                      fields=("region", "year", "class", "method", "government"), viewer=user),
        dcc.Loading(html.Div(id="region-kpis", className="kpis"), type="dot", color="#1f4e79"),
        ui.card(ui.graph("region-trend")),
        html.Div(className="grid-2", children=[ui.card(ui.graph("region-by-class")), ui.card(ui.graph("region-by-owner"))]),
        ui.card(ui.graph("region-distribution")),
        ui.card(html.Div(id="region-largest"), title=t("section.largest", lg)),
        ui.card(html.Div(id="region-worst"), title=t("section.worst", lg)),
        html.Div(className="grid-2", children=[ui.card(ui.graph("region-path")), ui.card(ui.graph("region-assessment"))]),
        ui.card(html.Div(id="region-assessment-table"), title=t("section.assessment", lg)),
    ])


def _fallback(lg):
    empty = figures.empty("", lg)
    return ("", ui.message(t("error.generic", lg), "error"), empty, empty, empty, empty, "", "", empty, empty, "")


@guarded(_fallback)
def update(region_code, year, building_class, method, government, lg=None):
    """Every chart and table of the region page for the filters."""
    lg = lg or lang()
    user = viewer()
    region_code = user.region_for(region_code)
    year = as_int(year)
    if region_code is None or year is None:
        empty = figures.empty(t("chart.region_trend", lg), lg)
        return ("", ui.message(t("empty", lg)), empty, empty, empty, empty, "", "", empty, empty, "")
    method = method if method in ("calorific", "generation") else "calorific"
    view = data.region_view(region_code=region_code, year=year, method=method, building_class=building_class or None,
                            government_only=as_bool(government))
    frame: pd.DataFrame = view["frame"]
    en = lg == "en"
    labels = data.class_labels(lg)
    title = f"{data.region_name(region_code, lg)} · {year}"

    reporting = frame[frame["is_reporting"]]
    complete = frame[frame["is_complete"]]
    energy_kgce = complete["energy_kgce"].sum()
    area = complete["floor_area_m2"].sum()
    progress = view["progress"]
    assessment = view["assessment"]
    kpis = [
        ui.kpi(t("kpi.buildings", lg), fmt_num(len(reporting)), t("unit.buildings", lg),
               t("kpi.buildings_of", lg, total=fmt_num(len(frame))), kpi_id="kpi-buildings"),
        ui.kpi(t("kpi.energy", lg), fmt_num(energy_kgce / 1000.0), "tce",
               f"{t('method.' + method, lg)} · {t('kpi.complete', lg)} {fmt_num(len(complete))}", kpi_id="kpi-energy"),
        ui.kpi(t("kpi.intensity", lg), fmt_num(energy_kgce / area if area else None, 2), "kgce/(m²·a)", "",
               kpi_id="kpi-intensity"),
    ]
    if not progress.empty:
        p = progress.iloc[0]
        basis = p["basis_label_en" if en else "basis_label_zh"]
        kpis.append(ui.kpi(t("kpi.saving", lg), fmt_num(p["saving_kgce"] / 1000.0), "tce",
                           t("kpi.saving_of", lg, target=fmt_num(p["basis_target_kgce"] / 1000.0),
                             pct=fmt_pct(p["percent_of_target"])) + " · " + basis
                           if pd.notna(p["saving_kgce"]) else basis, kpi_id="kpi-saving"))
    if assessment is not None:
        kpis.append(ui.kpi(t("kpi.score", lg), fmt_num(assessment.score, 1), "/ 100",
                           assessment.grade_en if en else assessment.grade_zh, kpi_id="kpi-score"))

    names = data.carrier_names()
    trend = view["trend"]
    if not trend.empty:
        trend = trend.assign(tce=trend["kgce"] / 1000.0,
                             carrier_name=[names.get(c, (c, c))[1 if en else 0] for c in trend["carrier_code"]])

    return (
        title,
        kpis,
        figures.carrier_trend(trend, lg, year=year, baseline_year=view["baseline_year"]),
        figures.breakdown(group_breakdown(frame, "building_class", labels), lg, title_key="chart.by_class"),
        figures.breakdown(owner_breakdown(frame, lg), lg, title_key="chart.by_owner"),
        figures.intensity_distribution(*distribution(frame, labels), lg),
        buildings_table(largest(frame), lg, "region-largest-grid", labels),
        buildings_table(worst(frame), lg, "region-worst-grid", labels),
        figures.target_path(view["path"], lg),
        assessment_figure(assessment, lg),
        assessment_table(assessment, lg),
    )


def group_breakdown(frame: pd.DataFrame, key: str, labels: dict[str, str]) -> pd.DataFrame:
    """Energy (tce), buildings and intensity per value of ``key`` over complete building-years."""
    complete = frame[frame["is_complete"]]
    if complete.empty:
        return pd.DataFrame(columns=["label", "tce", "buildings", "intensity_kgce_m2"])
    grouped = complete.groupby(key).agg(kgce=("energy_kgce", "sum"), area=("floor_area_m2", "sum"),
                                        buildings=("building_id", "size")).reset_index()
    return pd.DataFrame({"label": grouped[key].map(lambda v: labels.get(v, str(v))), "tce": grouped["kgce"] / 1000.0,
                         "buildings": grouped["buildings"].astype("int64"),
                         "intensity_kgce_m2": grouped["kgce"] / grouped["area"].where(grouped["area"] > 0)})


def owner_breakdown(frame: pd.DataFrame, lg: str) -> pd.DataFrame:
    """Government offices, other large public buildings and the rest."""
    owner = np.where(frame["is_government_office"], "government",
                     np.where(frame["is_large_public"], "large_public", "other"))
    labels = {"government": t("legend.government", lg), "large_public": t("legend.large_public", lg),
              "other": t("legend.other", lg)}
    return group_breakdown(frame.assign(owner=owner), "owner", labels)


def distribution(frame: pd.DataFrame, labels: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Comparable intensities per class and the class's (most common) constraint and guide values."""
    judged = frame.dropna(subset=["comparable_kwh_m2"])
    values = pd.DataFrame({"class_label": judged["building_class"].map(lambda c: labels.get(c, c)),
                           "intensity_kwh_m2": judged["comparable_kwh_m2"].astype(float)})
    marks = judged.dropna(subset=["constraint_kwh_m2", "guide_kwh_m2"])
    if marks.empty:
        return values, pd.DataFrame(columns=["class_label", "constraint_kwh_m2", "guide_kwh_m2"])
    common = (marks.groupby(["building_class", "constraint_kwh_m2", "guide_kwh_m2"]).size().reset_index(name="n")
              .sort_values("n", ascending=False).drop_duplicates("building_class"))
    bench = pd.DataFrame({"class_label": common["building_class"].map(lambda c: labels.get(c, c)),
                          "constraint_kwh_m2": common["constraint_kwh_m2"], "guide_kwh_m2": common["guide_kwh_m2"]})
    return values, bench


def largest(frame: pd.DataFrame) -> pd.DataFrame:
    """The largest consumers of the year (any reported energy)."""
    return frame[frame["is_reporting"]].nlargest(TOP_N, "energy_kgce")


def worst(frame: pd.DataFrame) -> pd.DataFrame:
    """The worst performers: comparable intensity furthest above the constraint value."""
    judged = frame.dropna(subset=["comparable_kwh_m2", "constraint_kwh_m2"])
    ratio = judged["comparable_kwh_m2"].astype(float) / judged["constraint_kwh_m2"].astype(float)
    return judged.assign(_ratio=ratio).nlargest(TOP_N, "_ratio").drop(columns="_ratio")


def buildings_table(rows: pd.DataFrame, lg: str, grid_id: str, labels: dict[str, str]):
    """An AG Grid of buildings, sortable and filterable, each linking to its page."""
    if rows.empty:
        return ui.message(t("empty", lg))
    table = pd.DataFrame({
        "code": [f"[{c}]({ui.PREFIX}buildings/{c})" for c in rows["code"]],
        "name": rows["name"],
        "class": rows["building_class"].map(lambda c: labels.get(c, c)),
        "government": [t("yes", lg) if g else t("no", lg) for g in rows["is_government_office"]],
        "floor_area_m2": rows["floor_area_m2"],
        "energy_tce": rows["energy_kgce"] / 1000.0,
        "intensity_kgce_m2": rows["energy_kgce_m2"],
        "comparable_kwh_m2": rows["comparable_kwh_m2"],
        "constraint_kwh_m2": rows["constraint_kwh_m2"],
        "status": [t(f"status.{s}", lg) if isinstance(s, str) else "–" for s in rows["benchmark_status"]],
    })
    columns = [
        ui.link_col("code", t("col.code", lg), minWidth=130),
        ui.text_col("name", t("col.name", lg), minWidth=160),
        ui.text_col("class", t("col.class", lg)),
        ui.text_col("government", t("col.government", lg), maxWidth=110),
        ui.number_col("floor_area_m2", t("col.floor_area_m2", lg)),
        ui.number_col("energy_tce", t("col.energy_tce", lg), 1),
        ui.number_col("intensity_kgce_m2", t("col.intensity_kgce_m2", lg), 2),
        ui.number_col("comparable_kwh_m2", t("col.intensity_kwh_m2", lg), 1),
        ui.number_col("constraint_kwh_m2", t("col.constraint_kwh_m2", lg)),
        ui.text_col("status", t("col.benchmark_status", lg)),
    ]
    records = table.astype(object).where(table.notna(), None).to_dict("records")
    return ui.grid(grid_id, columns, records, page_size=15)


def assessment_figure(assessment, lg: str):
    if assessment is None:
        return figures.empty(t("chart.assessment", lg), lg)
    en = lg == "en"
    scores = pd.DataFrame([{"label": s.name_en if en else s.name_zh, "score": s.points, "max_score": s.max_points}
                           for s in assessment.sub_scores])
    return figures.assessment_scores(scores, lg, total=assessment.score,
                                     grade=assessment.grade_en if en else assessment.grade_zh)


def assessment_table(assessment, lg: str):
    """Each sub-score with its points and the explanation."""
    if assessment is None:
        return ui.message(t("empty", lg))
    en = lg == "en"
    rows = [{"name": s.name_en if en else s.name_zh, "points": s.points, "max_points": s.max_points,
             "explanation": s.explanation_en if en else s.explanation_zh} for s in assessment.sub_scores]
    reason = assessment.reason_en if en else assessment.reason_zh
    columns = [ui.text_col("name", t("col.name", lg)), ui.number_col("points", t("col.score", lg), 1, maxWidth=120),
               ui.number_col("max_points", t("col.max_score", lg), 0, maxWidth=120),
               ui.text_col("explanation", t("col.explanation", lg), flex=3, wrapText=True, autoHeight=True)]
    kind = "success" if assessment.is_target_met else "warning"
    return html.Div([ui.message(f"{assessment.grade_en if en else assessment.grade_zh} · {fmt_num(assessment.score, 1)} / 100 · {reason}",
                                kind, element_id="assessment-grade"),
                     ui.grid("region-assessment-grid", columns, rows)])


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path=PATH, name="region", title="地区 · Region", layout=layout, order=1)
    app.callback(
        Output("region-title", "children"),
        Output("region-kpis", "children"),
        Output("region-trend", "figure"),
        Output("region-by-class", "figure"),
        Output("region-by-owner", "figure"),
        Output("region-distribution", "figure"),
        Output("region-largest", "children"),
        Output("region-worst", "children"),
        Output("region-path", "figure"),
        Output("region-assessment", "figure"),
        Output("region-assessment-table", "children"),
        Input(ui.fid("region"), "value"),
        Input(ui.fid("year"), "value"),
        Input(ui.fid("class"), "value"),
        Input(ui.fid("method"), "value"),
        Input(ui.fid("government"), "value"),
        Input("lang", "data"),
    )(update)
