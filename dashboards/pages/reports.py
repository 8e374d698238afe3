"""Reports: pick a year, a scope and a format, download the annual report."""

from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html

from app.reports import build_annual_report
from dashboards import components as ui
from dashboards import data
from dashboards.context import read_session
from dashboards.i18n import t
from dashboards.pages.common import as_int, guarded, lang, logger, viewer

PATH = "/reports"
FORMATS = (("xlsx", "Excel (XLSX)"), ("pdf", "PDF"), ("html", "HTML"), ("csv", "CSV"))


def layout(**query) -> html.Div:
    lg, user = lang(), viewer()
    options = data.filter_options()
    scopes = ([] if user.region_code else [{"label": t("scope.national", lg), "value": "000000"}]) + [
        {"label": r["name_en" if lg == "en" else "name_zh"], "value": r["region_code"]}
        for r in options["regions"] if user.may_see(r["region_code"])]
    scope = query.get("scope") if query.get("scope") in {s["value"] for s in scopes} else (scopes[0]["value"] if scopes else None)
    year = as_int(query.get("year"), options["years"][0] if options["years"] else None)
    return html.Div([
        html.H1(t("nav.reports", lg), className="page-title"),
        ui.card(title=t("section.report_download", lg), children=[
            html.Div(className="filter-bar", children=[
                html.Div(className="filter", children=[html.Label(t("filter.year", lg), className="filter-label"),
                    dcc.Dropdown(id=ui.fid("year"), options=[{"label": str(y), "value": y} for y in options["years"]],
                                 value=year, clearable=False, className="dd dd-year")]),
                html.Div(className="filter", children=[html.Label(t("reports.scope", lg), className="filter-label"),
                    dcc.Dropdown(id=ui.fid("scope"), options=scopes, value=scope, clearable=False, className="dd dd-region")]),
                html.Div(className="filter", children=[html.Label(t("reports.format", lg), className="filter-label"),
                    dcc.RadioItems(id=ui.fid("format"), options=[{"label": label, "value": v} for v, label in FORMATS],
                                   value=query.get("format") if query.get("format") in dict(FORMATS) else "xlsx",
                                   inline=True, className="radio")]),
            ]),
            html.Button(t("reports.download", lg), id="report-download-btn", className="btn-primary", n_clicks=0),
            html.Div(id="report-message"),
            dcc.Loading(dcc.Download(id="report-download"), type="dot", color="#1f4e79"),
        ]),
    ])


def _fallback(lg):
    return dash.no_update, ui.message(t("error.generic", lg), "error")


@guarded(_fallback)
def download(n_clicks, year, scope, fmt, lg=None):
    """Build the annual report for the chosen year, scope and format and send it."""
    lg = lg or lang()
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    user = viewer()
    region = None if scope in (None, "", "000000") else scope
    if not user.may_see(region):
        return dash.no_update, ui.message(t("error.out_of_scope", lg), "warning")
    fmt = fmt if fmt in dict(FORMATS) else "xlsx"
    with read_session() as session:
        content, _media_type, filename = build_annual_report(session=session, year=int(year), region_code=region, fmt=fmt)
    logger.info("annual report %s %s %s sent to %s", year, region, fmt, user.username)
    return dcc.send_bytes(content, filename), ""


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path=PATH, name="reports", title="年度报告 · Reports", layout=layout, order=6)
    app.callback(Output("report-download", "data"), Output("report-message", "children"),
                 Input("report-download-btn", "n_clicks"), State(ui.fid("year"), "value"),
                 State(ui.fid("scope"), "value"), State(ui.fid("format"), "value"), State("lang", "data"),
                 prevent_initial_call=True)(download)
