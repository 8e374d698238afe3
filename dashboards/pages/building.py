"""One building: consumption by carrier year over year, sub-items, benchmark, audits, sources, history."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, dcc, html

from app.presentation import frame_to_display, to_display
from dashboards import components as ui
from dashboards import data, figures
from dashboards.auth import region_contains
from dashboards.i18n import fmt_num, t, unit_label
from dashboards.pages.common import guarded, lang, viewer

PATH_TEMPLATE = "/buildings/<code>"


def layout(code: str | None = None, **query) -> html.Div:
    return html.Div([
        dcc.Store(id="building-code", data=code),
        dcc.Loading(html.Div(id="building-body", className="building-body"), type="dot", color="#1f4e79"),
    ])


def _fallback(lg):
    return ui.message(t("error.generic", lg), "error")


def _in_scope(building: dict) -> bool:
    user = viewer()
    return user.region_code is None or region_contains(user.region_code, building["district_code"])


@guarded(_fallback)
def render(code, lg=None):
    """The whole building page for a building code."""
    lg = lg or lang()
    view = data.building_view(code=code or "")
    if view is None or not _in_scope(view["building"]):
        message = t("error.not_found", lg, code=code) if view is None else t("error.out_of_scope", lg)
        return html.Div([html.H1(code or "", className="page-title"), ui.message(message, "warning", element_id="building-missing")])
    b = view["building"]
    monthly: pd.DataFrame = view["monthly"]
    en = lg == "en"
    latest = view["years"][-1] if view["years"] else None
    energy_tce = intensity = None
    if latest is not None:
        kgce = monthly.loc[monthly["year"] == latest, "kgce_calorific"].sum()
        energy_tce = kgce / 1000.0
        intensity = kgce / b["floor_area_m2"]
    bench = data.building_benchmark(code=b["code"], year=latest) if latest is not None else {}
    status = bench.get("benchmark_status")
    region_text = " · ".join(x for x in (b.get("province_name_en" if en else "province_name_zh"),
                                         b.get("city_name_en" if en else "city_name_zh")) if x)
    flags = [t("legend.government", lg)] if b["is_government_office"] else []
    flags += [t("legend.large_public", lg)] if b["is_large_public"] else []
    header = html.Div(className="building-head", children=[
        dcc.Link("← " + t("nav.region", lg), href=f"{ui.PREFIX}region?region={b['province_code']}", className="back-link"),
        html.H1([b["name"], html.Span(b["code"], className="code-tag")], className="page-title", id="building-title"),
        html.Div(" · ".join([region_text, f"{b['building_class']} {b['class_name_en' if en else 'class_name_zh']}", *flags]),
                 className="page-sub"),
    ])
    kpis = html.Div(className="kpis", children=[
        ui.kpi(t("kpi.area", lg), fmt_num(b["floor_area_m2"]), "m²", kpi_id="kpi-area"),
        ui.kpi(t("kpi.energy", lg), fmt_num(energy_tce, 1), "tce", f"{latest} · {t('method.calorific', lg)}" if latest else "",
               kpi_id="kpi-energy"),
        ui.kpi(t("kpi.intensity", lg), fmt_num(intensity, 2), "kgce/(m²·a)", str(latest or ""), kpi_id="kpi-intensity"),
        ui.kpi(t("chart.benchmark", lg), t(f"status.{status}", lg) if status else t("status.no_benchmark", lg),
               "", benchmark_note(bench, lg), kpi_id="kpi-benchmark"),
    ])
    chart_frame = frame_to_display(monthly.assign(carrier_name=monthly["carrier_name_en" if en else "carrier_name_zh"])) \
        if not monthly.empty else pd.DataFrame(columns=["carrier_code", "carrier_name", "unit", "year", "month", "quantity"])
    subs = view["sub_items"]
    sub_frame = subs.assign(label=subs["name_en" if en else "name_zh"]) if not subs.empty else pd.DataFrame(columns=["label", "kwh"])
    return html.Div([
        header,
        kpis,
        ui.card(dcc.Graph(id="building-monthly", figure=figures.building_monthly(chart_frame, lg), config=ui.GRAPH_CONFIG)),
        html.Div(className="grid-2", children=[
            ui.card(dcc.Graph(id="building-subitems", figure=figures.sub_items(sub_frame, lg), config=ui.GRAPH_CONFIG)),
            ui.card(dcc.Graph(id="building-benchmark", config=ui.GRAPH_CONFIG, figure=figures.benchmark_position(
                value=bench.get("comparable_kwh_m2"), guide=bench.get("guide_kwh_m2"),
                constraint=bench.get("constraint_kwh_m2"), lang=lg, year=latest))),
        ]),
        ui.card(_audits(view["audits"], lg), title=t("section.audits", lg)),
        html.Div(className="grid-2", children=[
            ui.card(_uploads(view["uploads"], lg), title=t("section.uploads_supplied", lg)),
            ui.card(_history(view["history"], lg), title=t("section.history", lg)),
        ]),
    ])


def benchmark_note(bench: dict, lg: str) -> str:
    """The comparable intensity, or why there is none."""
    if bench.get("comparable_kwh_m2") is not None:
        return f"{fmt_num(bench['comparable_kwh_m2'], 1)} kWh/(m²·a)"
    if bench.get("is_complete") is False:
        return t("kpi.incomplete", lg)
    return ""


def _audits(audits: pd.DataFrame, lg: str):
    if audits.empty:
        return ui.message(t("empty", lg))
    columns = [
        ui.number_col("audit_year", t("col.audit_year", lg), valueFormatter=None, maxWidth=120),
        ui.text_col("auditor", t("col.auditor", lg)),
        ui.text_col("measure", t("col.measure", lg), flex=2),
        ui.number_col("investment_10k_cny", t("col.investment", lg), 1),
        ui.number_col("expected_saving_tce", t("col.saving_tce_a", lg), 1),
        ui.number_col("payback_years", t("col.payback", lg), 1),
    ]
    return ui.grid("building-audits", columns, _records(audits), page_size=10)


def _uploads(uploads: pd.DataFrame, lg: str):
    if uploads.empty:
        return ui.message(t("empty", lg))
    rows = uploads.assign(report=[f"[#{i}]({ui.PREFIX}uploads/{i})" for i in uploads["upload_id"]],
                          uploaded_at=pd.to_datetime(uploads["uploaded_at"]).dt.strftime("%Y-%m-%d %H:%M"))
    columns = [ui.link_col("report", t("col.report", lg), maxWidth=90), ui.text_col("filename", t("col.file", lg)),
               ui.text_col("uploaded_by", t("col.uploaded_by", lg)), ui.text_col("uploaded_at", t("col.uploaded_at", lg))]
    return ui.grid("building-uploads", columns, _records(rows), page_size=10)


def _history(history: pd.DataFrame, lg: str):
    if history.empty:
        return ui.message(t("empty", lg))
    names = data.carrier_names()
    rows = history.assign(
        carrier=[names.get(c, (c, c))[1 if lg == "en" else 0] for c in history["carrier_code"]],
        period=[f"{y}-{m:02d}" if m else str(y) for y, m in zip(history["year"], history["month"], strict=True)],
        old=[_shown(q, u) for q, u in zip(history["old_quantity_reported"], history["old_unit_reported"], strict=True)],
        new=[_shown(q, u) for q, u in zip(history["new_quantity_reported"], history["new_unit_reported"], strict=True)],
        superseded_at=pd.to_datetime(history["superseded_at"]).dt.strftime("%Y-%m-%d %H:%M"),
    )
    columns = [ui.text_col("carrier", t("col.carrier", lg)), ui.text_col("period", t("col.month", lg)),
               ui.text_col("old", t("col.old_value", lg)), ui.text_col("new", t("col.new_value", lg)),
               ui.text_col("superseded_at", t("col.changed_at", lg))]
    return ui.grid("building-history", columns, _records(rows), page_size=10)


def _shown(quantity, unit) -> str:
    """A reported quantity in the unit it is shown in (MJ as GJ)."""
    value, shown = to_display(float(quantity), str(unit))
    return f"{fmt_num(value, 2)} {unit_label(shown)}"


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path_template=PATH_TEMPLATE, name="building", title="建筑 · Building", layout=layout, order=2)
    app.callback(Output("building-body", "children"), Input("building-code", "data"), Input("lang", "data"))(render)
