"""Targets: the current decomposition (nation -> regions) with method and progress, and a what-if preview."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, State, dcc, html

from dashboards import components as ui
from dashboards import data
from dashboards.i18n import fmt_num, t
from dashboards.pages.common import as_int, guarded, lang, logger, viewer

PATH = "/targets"
METHODS = ("baseline", "potential", "equal")
NATION = "000000"


def layout(**query) -> html.Div:
    lg, user = lang(), viewer()
    options = data.filter_options()
    years = sorted(options["years"])
    baseline = years[0] if years else 2005
    admin_note = "" if user.is_admin else ui.message(t("targets.admin_only", lg), "info")
    return html.Div([
        html.H1(t("nav.targets", lg), className="page-title"),
        ui.filter_bar(lang=lg, options=options, query=query, fields=("year",), viewer=user),
        ui.card(dcc.Loading(html.Div(id="targets-current"), type="dot", color="#1f4e79"), title=t("section.decomposition", lg)),
        ui.card(title=t("section.whatif", lg), children=[
            html.Div(className="whatif-form", children=[
                ui.labelled(t("targets.method", lg), "whatif-method-label",
                            dcc.Dropdown(id="whatif-method", value="baseline", clearable=False, className="dd dd-class",
                                         options=[{"label": t(f"targets.method.{m}", lg), "value": m} for m in METHODS])),
                ui.labelled_input(t("targets.saving_tce", lg), dcc.Input(id="whatif-saving", type="number", min=0, debounce=True)),
                ui.labelled_input(t("targets.cut_percent", lg), dcc.Input(id="whatif-cut", type="number", min=0, max=100, value=20, debounce=True)),
                ui.labelled_input(t("targets.baseline_year", lg), dcc.Input(id="whatif-baseline", type="number", value=baseline, debounce=True)),
                ui.labelled_input(t("targets.target_year", lg), dcc.Input(id="whatif-target", type="number", value=2010, debounce=True)),
                html.Button(t("targets.preview", lg), id="whatif-preview", className="btn-primary", n_clicks=0),
                html.Button(t("targets.apply", lg), id="whatif-apply", className="btn-secondary", n_clicks=0,
                            disabled=not user.is_admin),
            ]),
            admin_note,
            dcc.Loading(html.Div(id="whatif-result"), type="dot", color="#1f4e79"),
        ]),
    ])


def _fallback(lg):
    return ui.message(t("error.generic", lg), "error")


@guarded(_fallback)
def current(year, lg=None, _applied=None):
    """The stored decomposition with each region's progress in the chosen year."""
    lg = lg or lang()
    user = viewer()
    year = as_int(year)
    view = data.targets_view(year=year, region_code=user.region_code) if year else {"targets": pd.DataFrame(), "progress": pd.DataFrame()}
    targets, progress = view["targets"], view["progress"]
    if targets.empty:
        return ui.message(t("targets.none", lg), "info", element_id="targets-none")
    names = {r["region_code"]: r["name_en" if lg == "en" else "name_zh"] for r in data.filter_options()["regions"]}
    names[NATION] = t("nation", lg)
    frame = targets[targets["region_code"].map(lambda c: c == NATION and user.region_code is None or user.may_see(c) and c != NATION)]
    if not progress.empty:
        basis_col = "basis_label_en" if lg == "en" else "basis_label_zh"
        frame = frame.merge(progress[["region_code", "percent_of_target", "status", "saving_kgce", basis_col]]
                            .rename(columns={basis_col: "basis"}), on="region_code", how="left")
    else:
        frame = frame.assign(percent_of_target=None, status=None, saving_kgce=None, basis=None)
    root = targets.iloc[0]
    table = pd.DataFrame({
        "level": [t("nation", lg) if lvl == "nation" else t("nav.region", lg) for lvl in frame["scope_level"]],
        "region": [names.get(c, c) for c in frame["region_code"]],
        "baseline_tce": frame["baseline_kgce"] / 1000.0,
        "target_tce": frame["saving_target_kgce"] / 1000.0,
        "cut_percent": frame["saving_target_kgce"] / frame["baseline_kgce"].where(frame["baseline_kgce"] > 0) * 100.0,
        "saving_tce": pd.to_numeric(frame["saving_kgce"], errors="coerce") / 1000.0,
        "progress_pct": pd.to_numeric(frame["percent_of_target"], errors="coerce"),
        "status": [t(f"status.{s}", lg) if isinstance(s, str) else "–" for s in frame["status"]],
        "basis": frame["basis"].to_numpy(),
    })
    method_key = f"targets.method.{root['method']}"
    method_text = t(method_key, lg) if root["method"] in METHODS + ("weights", "mix") else str(root["method"])
    summary = ui.message(
        f"{t('col.method', lg)}: {method_text} · {t('col.years', lg)}: {root['baseline_year']}–{root['target_year']} · "
        f"{t('filter.method', lg)}: {t('method.' + str(root['method_basis']), lg)}", "info", element_id="targets-summary")
    columns = [
        ui.text_col("level", t("col.level", lg), maxWidth=110), ui.text_col("region", t("col.region", lg)),
        ui.number_col("baseline_tce", t("col.baseline_tce", lg)), ui.number_col("target_tce", t("col.target_tce", lg)),
        ui.number_col("cut_percent", t("col.cut_percent", lg), 1), ui.number_col("saving_tce", t("col.saving_tce", lg)),
        ui.number_col("progress_pct", t("col.progress_pct", lg), 1), ui.text_col("status", t("col.status", lg)),
        ui.text_col("basis", t("col.basis", lg)),
    ]
    records = table.astype(object).where(table.notna(), None).to_dict("records")
    return html.Div([summary, ui.grid("targets-grid", columns, records, page_size=25)])


def _number(value) -> float | None:
    try:
        return None if value in (None, "") else float(value)
    except (TypeError, ValueError):
        return None


@guarded(_fallback)
def what_if(preview_clicks, apply_clicks, method, saving, cut, baseline_year, target_year, lg=None):
    """Preview a decomposition by another method next to the current one; an admin may apply it."""
    lg = lg or lang()
    user = viewer()
    triggered = dash.ctx.triggered_id
    if not (preview_clicks or apply_clicks):
        raise dash.exceptions.PreventUpdate
    apply = triggered == "whatif-apply"
    if apply and not user.is_admin:
        return ui.message(t("targets.admin_only", lg), "warning")
    saving_tce, cut_percent = _number(saving), _number(cut)
    if saving_tce is not None:
        cut_percent = None
    baseline_year, target_year = as_int(baseline_year), as_int(target_year)
    if (saving_tce is None and cut_percent is None) or baseline_year is None or target_year is None or target_year <= baseline_year:
        return ui.message(t("empty", lg), "warning")
    result = data.preview_decomposition(scope_code=NATION, saving_tce=saving_tce, cut_percent=cut_percent,
                                        baseline_year=baseline_year, target_year=target_year,
                                        method=method if method in METHODS else "baseline", created_by=user.username,
                                        apply=apply)
    if apply:
        data.clear_cache()
        logger.info("decomposition %s applied by %s", result.root_id, user.username)
    rows = result.rows[result.rows["scope_level"] != "building"]
    names = {r["region_code"]: r["name_en" if lg == "en" else "name_zh"] for r in data.filter_options()["regions"]}
    names[NATION] = t("nation", lg)
    current = data.targets_view(year=target_year, region_code=None)["targets"]
    now = current.set_index("region_code")["saving_target_kgce"] if not current.empty else pd.Series(dtype=float)
    table = pd.DataFrame({
        "region": [names.get(c, c) for c in rows["scope_code"]],
        "baseline_tce": rows["baseline_kgce"] / 1000.0,
        "target_tce": rows["saving_kgce"] / 1000.0,
        "cut_percent": rows["cut_percent"],
        "diff_tce": [(s - now[c]) / 1000.0 if c in now.index else None for c, s in zip(rows["scope_code"], rows["saving_kgce"], strict=True)],
    })
    columns = [ui.text_col("region", t("col.region", lg)), ui.number_col("baseline_tce", t("col.baseline_tce", lg)),
               ui.number_col("target_tce", t("col.target_tce", lg)), ui.number_col("cut_percent", t("col.cut_percent", lg), 1),
               ui.number_col("diff_tce", t("targets.diff", lg))]
    records = table.astype(object).where(table.notna(), None).to_dict("records")
    head = (ui.message(t("targets.applied", lg, id=result.root_id), "success", element_id="whatif-applied") if apply else
            ui.message(f"{t('targets.method.' + result.method, lg)} · {fmt_num(result.saving_kgce / 1000.0)} tce · "
                       f"{result.baseline_year}–{result.target_year}", "info", element_id="whatif-summary"))
    return html.Div([head, ui.grid("whatif-grid", columns, records, page_size=25)])


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path=PATH, name="targets", title="节能目标 · Targets", layout=layout, order=3)
    app.callback(Output("targets-current", "children"), Input(ui.fid("year"), "value"), Input("lang", "data"),
                 Input("whatif-result", "children"))(current)
    app.callback(Output("whatif-result", "children"), Input("whatif-preview", "n_clicks"), Input("whatif-apply", "n_clicks"),
                 State("whatif-method", "value"), State("whatif-saving", "value"), State("whatif-cut", "value"),
                 State("whatif-baseline", "value"), State("whatif-target", "value"), State("lang", "data"),
                 prevent_initial_call=True)(what_if)
