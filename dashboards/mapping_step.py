"""The mapping step of the upload page: after a file is chosen, the first rows, the proposed field of each
column (with its confidence and unit) and the value mappings; the auditor corrects any of them, runs a
dry run, and saves the result as a named profile of their region."""

from __future__ import annotations

import base64

import dash
from dash import ALL, Input, Output, State, dcc, html
from sqlalchemy.orm import Session

from app.services import profiles
from dashboards import components as ui
from dashboards.context import current_engine
from dashboards.pages.common import guarded, lang, logger, viewer
from etl.preview import IGNORE, build_profile, propose, reference

TEXT = {
    "title": ("字段映射", "Column mapping"),
    "hint": ("检查每一列对应的字段、单位和取值；修改后可先勾选“仅校验”试导入，再保存为映射配置。",
             "Check the field, unit and values of each column; after a change, try a dry run, then save it as a profile."),
    "column": ("列", "Column"), "field": ("字段", "Field"), "confidence": ("置信度", "Confidence"), "unit": ("单位", "Unit"),
    "sample": ("首行", "First row"), "ignore": ("（忽略此列）", "(ignore this column)"), "none": ("（未识别）", "(not recognised)"),
    "values": ("取值映射", "Value mappings"), "preview": ("前几行", "First rows"),
    "saved": ("已保存的映射配置", "Saved profile"), "name": ("配置名称", "Profile name"), "save": ("保存映射配置", "Save profile"),
    "saved_ok": ("已保存映射配置“{name}”。", "Profile '{name}' saved."), "need_name": ("请填写配置名称。", "Give the profile a name."),
    "candidates": ("可能：", "Likely: "),
}


def _t(key: str, lg: str, **kw) -> str:
    zh, en = TEXT[key]
    return (en if lg == "en" else zh).format(**kw)


def container(lg: str | None = None) -> html.Div:
    """Where the step appears (empty until a file is chosen), with its stores and the saved-profile choice."""
    lg = lg or lang()
    return html.Div(id="mapping-step-box", children=[
        html.Div(className="filter mapping-profiles", children=[
            html.Label(_t("saved", lg), className="filter-label"),
            dcc.Dropdown(id="mapping-saved", options=[], value=None, className="mapping-saved"),
        ]),
        html.Div(id="mapping-step", className="mapping-step"),
        dcc.Store(id="mapping-proposal"),
        dcc.Store(id="mapping-spec"),
    ])


def _options(proposal: dict, lg: str) -> list[dict]:
    options = [{"label": _t("none", lg), "value": ""}, {"label": _t("ignore", lg), "value": IGNORE}]
    options += [{"label": name, "value": name} for name in proposal.get("fields", [])]
    options += [{"label": f"{c} (wide)", "value": f"carrier:{c}"} for c in proposal.get("carriers", [])]
    known = {o["value"] for o in options}
    options += [{"label": c["field"], "value": c["field"]} for c in proposal.get("columns", []) if c["field"] not in known]
    return options


def step_view(proposal: dict, lg: str) -> html.Div:
    """The step for one proposal."""
    if proposal.get("error"):
        return ui.message(proposal["error"]["message_en" if lg == "en" else "message_zh"], "error", element_id="mapping-error")
    options = _options(proposal, lg)
    first = (proposal.get("rows") or [{}])[0]
    rows = [html.Tr([html.Th(_t(k, lg)) for k in ("column", "sample", "field", "confidence", "unit")])]
    for i, item in enumerate(proposal["columns"]):
        hint = ", ".join(f"{n} {s:.2f}" for n, s in item.get("candidates", []))
        rows.append(html.Tr([
            html.Td(item["column"], className="mapping-column"),
            html.Td(str(first.get(item["column"], ""))[:40]),
            html.Td([dcc.Dropdown(id={"type": "map-field", "index": i}, options=options, value=item["field"],
                                  clearable=False, className="mapping-field"),
                     html.Small(_t("candidates", lg) + hint, className="mapping-candidates") if hint else None]),
            html.Td(f"{item['confidence']:.2f}" if item["field"] else "", className="mapping-confidence"),
            html.Td(dcc.Input(id={"type": "map-unit", "index": i}, value=item["unit"], debounce=True, style={"width": "7em"},
                              className="mapping-unit")),
        ], id=f"mapping-row-{i}"))
    values = [html.Tr([html.Th(_t("field", lg)), html.Th(_t("sample", lg)), html.Th("→")])]
    for item in proposal.get("values", []):
        values.append(html.Tr([html.Td(item["field"]), html.Td(item["value"]),
                               html.Td(dcc.Input(id={"type": "map-value", "index": f"{item['field']}|{item['value']}"},
                                                 value=item["mapped"], debounce=True, style={"width": "10em"}))]))
    preview_rows = proposal.get("rows") or []
    preview = html.Table(className="mapping-preview", id="mapping-preview", children=[
        html.Tr([html.Th(c["column"]) for c in proposal["columns"]]),
        *[html.Tr([html.Td(str(r.get(c["column"], ""))[:24]) for c in proposal["columns"]]) for r in preview_rows[:5]],
    ])
    return ui.card(title=_t("title", lg), class_name="mapping-card", children=[
        html.P(_t("hint", lg), className="hint"),
        html.Table(rows, className="mapping-table", id="mapping-table"),
        html.H4(_t("values", lg), className="sub-title") if len(values) > 1 else None,
        html.Table(values, className="mapping-values") if len(values) > 1 else None,
        html.H4(_t("preview", lg), className="sub-title"),
        html.Div(preview, className="mapping-preview-box"),
        html.Div(className="mapping-save", children=[
            dcc.Input(id="mapping-name", placeholder=_t("name", lg), debounce=False, className="mapping-name"),
            html.Button(_t("save", lg), id="mapping-save-btn", className="btn-secondary", n_clicks=0),
            html.Span(id="mapping-save-msg", className="mapping-save-msg"),
        ]),
    ])


def _decode(contents: str) -> bytes:
    return base64.b64decode(contents.partition(",")[2], validate=False)


def _fallback(lg):
    return ui.message("—", "error"), None, dash.no_update


@guarded(_fallback)
def show(contents, filename, kind, saved, lg=None):
    """Propose a mapping for the chosen file (with the saved profile chosen, if any)."""
    lg = lg or lang()
    user = viewer()
    if not user.may_upload:
        return "", None, []
    session = Session(bind=current_engine())
    try:
        names = sorted({p.name for p in profiles.list_profiles(session=session, region_code=user.region_code, kind=kind)})
        options = [{"label": n, "value": n} for n in names]
        if not contents or not filename:
            return "", None, options
        spec = None
        if saved:
            found = profiles.find_profile(session=session, name=saved, region_code=user.region_code, kind=kind)
            spec = found.spec if found else None
        read = reference(session=session, kind=kind)
    finally:
        session.close()  # no read transaction held while the file is parsed (an import may be writing)
    proposal = propose(session=None, data=_decode(contents), filename=filename, kind=kind, mapping=spec, read=read)
    proposal["base"] = spec
    return step_view(proposal, lg), proposal, options


def current_spec(fields, units, values, value_ids, proposal):
    """The profile of the choices in the step (None while they match the proposal)."""
    if not proposal or proposal.get("error"):
        return None
    by_key = {i["index"]: v for i, v in zip(value_ids or [], values or [], strict=False)}
    return build_profile(proposal, list(fields or []), list(units or []), by_key, proposal.get("base"))


@guarded(lambda lg: "—")
def save(n_clicks, name, spec, proposal, kind, lg=None):
    """Save the step's profile under a name for the auditor's region."""
    lg = lg or lang()
    if not n_clicks:
        raise dash.exceptions.PreventUpdate
    if not (name or "").strip():
        return _t("need_name", lg)
    user = viewer()
    chosen = spec or (proposal or {}).get("base") or {}
    session = Session(bind=current_engine())
    try:
        profiles.save_profile(session=session, name=name.strip(), kind=kind, spec=chosen, region_code=user.region_code,
                              created_by=user.username)
        session.commit()
    except Exception:
        session.rollback()
        logger.exception("saving mapping profile %s failed", name)
        raise
    finally:
        session.close()
    return _t("saved_ok", lg, name=name.strip())


def register(app: dash.Dash) -> None:
    app.callback(Output("mapping-step", "children"), Output("mapping-proposal", "data"), Output("mapping-saved", "options"),
                 Input("upload-file", "contents"), Input("upload-file", "filename"), Input("upload-kind", "value"),
                 Input("mapping-saved", "value"), State("lang", "data"))(show)
    app.callback(Output("mapping-spec", "data"),
                 Input({"type": "map-field", "index": ALL}, "value"), Input({"type": "map-unit", "index": ALL}, "value"),
                 Input({"type": "map-value", "index": ALL}, "value"), State({"type": "map-value", "index": ALL}, "id"),
                 State("mapping-proposal", "data"))(current_spec)
    app.callback(Output("mapping-save-msg", "children"), Input("mapping-save-btn", "n_clicks"),
                 State("mapping-name", "value"), State("mapping-spec", "data"), State("mapping-proposal", "data"),
                 State("upload-kind", "value"), State("lang", "data"), prevent_initial_call=True)(save)
