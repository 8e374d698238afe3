"""National overview: KPI cards, regions ranked by progress, the map, the monthly trend."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import pandas as pd
from dash import Input, Output, dcc, html

from dashboards import components as ui
from dashboards import data, figures
from dashboards.i18n import fmt_num, fmt_pct, t
from dashboards.pages.common import as_bool, as_int, guarded, lang, viewer

PATH = "/"
NATION = "000000"


def layout(**query) -> html.Div:
    lg, user = lang(), viewer()
    options = data.filter_options()
    colour = query.get("colour") if query.get("colour") in ("progress", "intensity") else "progress"
    title = t("nav.overview", lg) if user.region_code is None else data.region_name(user.region_code, lg)
    return html.Div([
        html.H1(title, className="page-title"),
        ui.filter_bar(lang=lg, options=options, query=query, fields=("year", "class", "method", "government"), viewer=user),
        dcc.Loading(html.Div(id="overview-kpis", className="kpis"), type="dot", color="#1f4e79"),
        html.Div(className="grid-wide-left", children=[
            ui.card([
                dcc.RadioItems(id=ui.fid("colour"), value=colour, inline=True, className="radio map-switch",
                               options=[{"label": t("colour.progress", lg), "value": "progress"},
                                        {"label": t("colour.intensity", lg), "value": "intensity"}]),
                ui.graph("overview-map"),
            ]),
            ui.card(ui.graph("overview-ranking")),
        ]),
        ui.card(ui.graph("overview-trend")),
        ui.card(html.Div(id="overview-table"), title=t("chart.progress_rank", lg)),
    ])


def _fallback(lg):
    empty = figures.empty("", lg)
    return ui.message(t("error.generic", lg), "error"), empty, empty, empty, ""


@guarded(_fallback)
def update(year, building_class, method, government, colour, lg=None):
    """Overview for the filters: KPI cards, map, ranking, trend and the table of regions."""
    lg = lg or lang()
    user = viewer()
    year = as_int(year)
    if year is None:
        empty = figures.empty(t("chart.national_trend", lg), lg)
        return ui.message(t("empty", lg), "info"), empty, empty, empty, ""
    method = method if method in ("calorific", "generation") else "calorific"
    scope = user.region_code
    view = data.overview_view(year=year, method=method, building_class=building_class or None,
                              government_only=as_bool(government), region_code=scope)
    rollup, progress = view["rollup"], view["progress"]
    name_col = "name_en" if lg == "en" else "name_zh"

    row = rollup[rollup["region_code"] == (scope or NATION)]
    prow = progress[progress["region_code"] == (scope or NATION)] if not progress.empty else progress
    kpis = kpi_cards(row.iloc[0] if not row.empty else None, prow.iloc[0] if not prow.empty else None, lg, year, method)

    regions = rollup[(rollup["region_code"] != NATION) & rollup["region_code"].map(user.may_see)]
    ranking = pd.DataFrame(columns=["region_code", "region_name", "progress_pct", "milestone_pct", "status"])
    if not progress.empty:
        p = progress[(progress["region_code"] != NATION) & progress["region_code"].map(user.may_see)]
        ranking = pd.DataFrame({
            "region_code": p["region_code"], "region_name": p[name_col], "progress_pct": p["percent_of_target"],
            "milestone_pct": p["expected_fraction"] * 100.0, "status": p["status"],
            "saving_tce": p["saving_kgce"] / 1000.0, "milestone_tce": p["expected_saving_kgce"] / 1000.0,
            "target_tce": p["saving_target_kgce"] / 1000.0,
            "basis": p["basis_label_en" if lg == "en" else "basis_label_zh"],
        })
    colour = colour if colour in ("progress", "intensity") else "progress"
    if colour == "progress" and not ranking.empty:
        map_frame = ranking.rename(columns={"progress_pct": "value"})[["region_code", "region_name", "value"]]
    else:
        colour = "intensity"
        map_frame = pd.DataFrame({"region_code": regions["region_code"], "region_name": regions[name_col],
                                  "value": regions["energy_kgce_m2"]})
    trend = view["trend"].assign(tce=view["trend"]["kgce"] / 1000.0) if not view["trend"].empty else view["trend"]
    return (
        kpis,
        figures.region_map(map_frame, lg, colour_by=colour, provinces_geojson=ui.PREFIX + "_geo/provinces.json",
                           regions_geojson=ui.PREFIX + "_geo/regions.json", focus=scope),
        figures.progress_ranking(ranking, lg),
        figures.monthly_against_baseline(trend, lg, year=year, baseline_year=view["baseline_year"]),
        ranking_table(ranking, lg, year=year, method=method),
    )


def kpi_cards(row, prow, lg: str, year: int, method: str) -> list:
    """Buildings reporting, total energy, average intensity, saving against the target."""
    method_text = t(f"method.{method}", lg)
    if row is None:
        return [ui.message(t("empty", lg))]
    cards = [
        ui.kpi(t("kpi.buildings", lg), fmt_num(row["buildings_reporting"]), t("unit.buildings", lg),
               t("kpi.buildings_of", lg, total=fmt_num(row["buildings_registered"])), kpi_id="kpi-buildings"),
        ui.kpi(t("kpi.energy", lg), fmt_num(row["energy_kgce"] / 1000.0), "tce",
               f"{year} · {method_text} · {t('kpi.complete', lg)} {fmt_num(row['buildings_complete'])} · "
               + t("kpi.all_reported", lg, label=t("label.all_reported", lg),
                   value=fmt_num(row["all_reported_kgce"] / 1000.0)), kpi_id="kpi-energy"),
        ui.kpi(t("kpi.intensity", lg), fmt_num(row["energy_kgce_m2"], 2), "kgce/(m²·a)",
               f"{fmt_num(row['energy_kwh_m2'], 1)} kWh/(m²·a)", kpi_id="kpi-intensity"),
    ]
    if prow is None:
        cards.append(ui.kpi(t("kpi.saving", lg), "–", "tce", t("kpi.no_target", lg), kpi_id="kpi-saving"))
    elif pd.isna(prow.get("saving_kgce")):
        cards.append(ui.kpi(t("kpi.saving", lg), "–", "tce", prow["basis_label_en" if lg == "en" else "basis_label_zh"],
                            kpi_id="kpi-saving"))
    else:
        cards.append(ui.kpi(t("kpi.saving", lg), fmt_num(prow["saving_kgce"] / 1000.0), "tce",
                            t("kpi.saving_of", lg, target=fmt_num(prow["basis_target_kgce"] / 1000.0),
                              pct=fmt_pct(prow["percent_of_target"]))
                            + " · " + prow["basis_label_en" if lg == "en" else "basis_label_zh"], kpi_id="kpi-saving"))
    return cards


def ranking_table(ranking: pd.DataFrame, lg: str, *, year: int, method: str):
    """Regions by progress with their milestone for the year, each linking to its region page."""
    if ranking.empty:
        return ui.message(t("kpi.no_target", lg))
    rows = ranking.sort_values("progress_pct", ascending=False, na_position="last").reset_index(drop=True)
    rows["rank"] = range(1, len(rows) + 1)
    rows["region"] = [f"[{n}]({ui.PREFIX}region?{urlencode({'region': c, 'year': year, 'method': method})})"
                      for n, c in zip(rows["region_name"], rows["region_code"], strict=True)]
    rows["status_text"] = [t(f"status.{s}", lg) if isinstance(s, str) else "–" for s in rows["status"]]
    columns = [
        ui.number_col("rank", t("col.rank", lg), maxWidth=90),
        ui.link_col("region", t("col.region", lg)),
        ui.number_col("progress_pct", t("col.progress_pct", lg), 1),
        ui.number_col("saving_tce", t("col.saving_tce", lg)),
        ui.number_col("milestone_tce", t("col.milestone_tce", lg)),
        ui.number_col("target_tce", t("col.target_tce", lg)),
        ui.text_col("status_text", t("col.status", lg)),
        ui.text_col("basis", t("col.basis", lg)),
    ]
    records = rows.drop(columns=["status"]).astype(object).where(rows.drop(columns=["status"]).notna(), None)
    return ui.grid("overview-grid", columns, records.to_dict("records"), page_size=25)


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path=PATH, name="overview", title="全国概览 · National overview", layout=layout, order=0)
    app.callback(
        Output("overview-kpis", "children"),
        Output("overview-map", "figure"),
        Output("overview-ranking", "figure"),
        Output("overview-trend", "figure"),
        Output("overview-table", "children"),
        Input(ui.fid("year"), "value"),
        Input(ui.fid("class"), "value"),
        Input(ui.fid("method"), "value"),
        Input(ui.fid("government"), "value"),
        Input(ui.fid("colour"), "value"),
        Input("lang", "data"),
    )(update)
