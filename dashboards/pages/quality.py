"""Data quality: uploads over time, completeness by region and month, frequent findings, upload list."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, html

from dashboards import components as ui
from dashboards import data, figures, finding_text
from dashboards.i18n import fmt_num, fmt_pct, t
from dashboards.pages.common import as_int, guarded, lang, viewer

PATH = "/quality"


def layout(**query) -> html.Div:
    lg, user = lang(), viewer()
    options = data.filter_options()
    return html.Div([
        html.H1(t("nav.quality", lg), className="page-title"),
        ui.filter_bar(lang=lg, options=options, query=query, fields=("year",), viewer=user),
        html.Div(id="quality-kpis", className="kpis"),
        html.Div(className="grid-2", children=[
            ui.card(ui.graph("quality-uploads")),
            ui.card(ui.graph("quality-findings")),
        ]),
        ui.card(ui.graph("quality-completeness")),
        ui.card(html.Div(id="quality-table"), title=t("section.upload_list", lg)),
    ])


def _fallback(lg):
    notice = ui.message(t("error.generic", lg), "error")
    empty = figures.empty("", lg)
    return notice, empty, empty, empty, notice


@guarded(_fallback)
def update(year, lg=None):
    """Quality page for a year: KPI cards, three charts and the table of uploads."""
    lg = lg or lang()
    user = viewer()
    year = as_int(year)
    regions = tuple(r["region_code"] for r in data.filter_options()["regions"] if user.may_see(r["region_code"]))
    uploaded_by = user.username if user.role == "auditor" else None
    view = data.quality_view(year=year, region_codes=regions, uploaded_by=uploaded_by)
    by_day, recent, findings = view["by_day"], view["recent"], view["findings"]
    read = int(by_day["rows_read"].sum()) if not by_day.empty else 0
    accepted = int(by_day["rows_accepted"].sum()) if not by_day.empty else 0
    rejected = int(by_day["rows_rejected"].sum()) if not by_day.empty else 0
    kpis = [
        ui.kpi(t("section.upload_list", lg), fmt_num(by_day["uploads"].sum() if not by_day.empty else 0), "",
               kpi_id="kpi-uploads"),
        ui.kpi(t("col.rows_accepted", lg), fmt_num(accepted), t("unit.rows", lg), kpi_id="kpi-accepted"),
        ui.kpi(t("col.rows_rejected", lg), fmt_num(rejected), t("unit.rows", lg),
               fmt_pct(100.0 * rejected / read if read else None), kpi_id="kpi-rejected"),
    ]
    completeness = view["completeness"]
    if not completeness.empty:
        names = {r["region_code"]: r["name_en" if lg == "en" else "name_zh"] for r in data.filter_options()["regions"]}
        completeness = completeness.assign(region_name=completeness["region_code"].map(names))
        heat = figures.completeness_heatmap(completeness, lg, year=year)
        mean = completeness["complete_pct"].mean()
        kpis.append(ui.kpi(t("kpi.complete", lg), fmt_pct(mean), "", str(year), kpi_id="kpi-complete"))
    else:
        heat = figures.empty(t("chart.completeness", lg), lg)
    finding_frame = findings.assign(message=findings["message_en" if lg == "en" else "message_zh"],
                                    label=[finding_text.label(c, lg) for c in findings["code"]]) \
        if not findings.empty else pd.DataFrame(columns=["code", "label", "count", "message"])
    return (kpis, figures.uploads_over_time(by_day, lg), figures.finding_codes(finding_frame, lg), heat,
            uploads_table(recent, lg, "quality-uploads-grid"))


def uploads_table(recent: pd.DataFrame, lg: str, grid_id: str):
    """The AG Grid of uploads, each linking to its import report."""
    if recent.empty:
        return ui.message(t("quality.no_uploads", lg))
    rows = recent.assign(
        report=[f"[{t('col.report', lg)} #{i}]({ui.PREFIX}uploads/{i})" for i in recent["upload_id"]],
        uploaded_at=pd.to_datetime(recent["uploaded_at"]).dt.strftime("%Y-%m-%d %H:%M"),
        status=[t(f"upload.status.{s}", lg) if f"upload.status.{s}" in _STATUS else s for s in recent["status"]],
        kind=[t(f"upload.kind.{k}", lg) if f"upload.kind.{k}" in _KINDS else k for k in recent["kind"]],
    )
    columns = [
        ui.link_col("report", t("col.report", lg), maxWidth=140),
        ui.text_col("filename", t("col.file", lg)),
        ui.text_col("kind", t("col.kind", lg)),
        ui.text_col("uploaded_by", t("col.uploaded_by", lg)),
        ui.text_col("uploaded_at", t("col.uploaded_at", lg)),
        ui.text_col("status", t("col.status", lg)),
        ui.number_col("rows_read", t("col.rows_read", lg)),
        ui.number_col("rows_accepted", t("col.rows_accepted", lg)),
        ui.number_col("rows_rejected", t("col.rows_rejected", lg)),
        ui.number_col("warnings", t("col.warnings", lg)),
    ]
    return ui.grid(grid_id, columns, rows.to_dict("records"))


_STATUS = {f"upload.status.{s}" for s in ("loaded", "partial", "rejected", "duplicate", "dry_run")}
_KINDS = {f"upload.kind.{k}" for k in ("buildings", "consumption", "audits")}


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path=PATH, name="quality", title="数据质量 · Data quality", layout=layout, order=4)
    app.callback(
        Output("quality-kpis", "children"),
        Output("quality-uploads", "figure"),
        Output("quality-findings", "figure"),
        Output("quality-completeness", "figure"),
        Output("quality-table", "children"),
        Input(ui.fid("year"), "value"),
        Input("lang", "data"),
    )(update)
