"""Upload (auditors and admins): drag and drop a survey file, pick its kind and mapping, see the report."""

from __future__ import annotations

import base64
import binascii
import re

import dash
import pandas as pd
import yaml
from dash import Input, Output, State, dcc, html
from sqlalchemy.orm import Session

from app.config import get_settings
from app.export import csv_bytes
from app.services import progress
from app.services import uploads as uploads_service
from dashboards import components as ui
from dashboards import data, finding_text, mapping_step
from dashboards.context import current_engine
from dashboards.i18n import fmt_bytes, fmt_num, t, unit_label
from dashboards.pages.common import guarded, lang, logger, viewer
from etl.pipeline import run as run_pipeline
from etl.profiles import read_profile

PATH = "/upload"
KINDS = ("buildings", "consumption", "audits")
# Shown while the import runs; the language not chosen is hidden by CSS.
PROCESSING = html.Span([html.Span(className="spinner"), html.Span(t("upload.processing", "zh"), className="only-zh"),
                        html.Span(t("upload.processing", "en"), className="only-en")])


def layout(**query) -> html.Div:
    lg, user = lang(), viewer()
    if not user.may_upload:
        return html.Div([html.H1(t("nav.upload", lg), className="page-title"),
                         ui.message(t("upload.forbidden", lg), "warning", element_id="upload-forbidden")])
    max_bytes = get_settings().max_upload_mb * 1024 * 1024
    return html.Div([
        html.H1(t("nav.upload", lg), className="page-title"),
        ui.card(class_name="upload-card", children=[
            # the hidden file input inside a dropzone is named by its visible text (dashboards/assets/a11y.js)
            dcc.Upload(id="upload-file", max_size=max_bytes, multiple=False, className="dropzone",
                       children=html.Div(id="upload-file-text", className="dropzone-text", children=[
                           html.Div("⇪", className="dropzone-icon", **{"aria-hidden": "true"}),
                           html.Div(t("upload.drop", lg)),
                           html.Div("CSV · XLSX · UTF-8 / GB18030", className="dropzone-hint")])),
            html.Div(id="upload-chosen", className="chosen"),
            html.Div(className="upload-options", children=[
                ui.labelled(t("upload.kind", lg), "upload-kind-label", dcc.RadioItems(
                    id="upload-kind", value=query.get("kind") if query.get("kind") in KINDS else "consumption",
                    options=[{"label": t(f"upload.kind.{k}", lg), "value": k} for k in KINDS],
                    inline=True, className="radio")),
                html.Div(className="filter", children=[
                    html.Label(t("upload.profile", lg), className="filter-label", id="upload-profile-label"),
                    dcc.Upload(id="upload-profile", max_size=256 * 1024, className="dropzone dropzone-small",
                               children=html.Div(t("upload.profile_drop", lg), id="upload-profile-text",
                                                 className="dropzone-text")),
                    html.Div(id="upload-profile-chosen", className="chosen"),
                ]),
                dcc.Checklist(id="upload-flags", className="check", value=[],
                              options=[{"label": t("upload.all_or_nothing", lg), "value": "all_or_nothing"},
                                       {"label": t("upload.dry_run", lg), "value": "dry_run"}]),
            ]),
            mapping_step.container(lg),
            html.Button(t("upload.start", lg), id="upload-start", className="btn-primary", n_clicks=0),
            html.Div(id="upload-progress", className="progress-line"),
            html.Div(id="upload-progress-bar"),
        ]),
        dcc.Store(id="upload-token"),
        dcc.Interval(id="upload-poll", interval=400, disabled=True),
        dcc.Loading(html.Div(id="upload-result"), type="dot", color="#1f4e79"),
        dcc.Store(id="upload-report"),
        dcc.Download(id="upload-download"),
    ])


def chosen(filename, contents, lg=None):
    """Name and size of the chosen file."""
    lg = lg or lang()
    if not filename or not contents:
        return ""
    size = len(contents.partition(",")[2]) * 3 // 4
    return t("upload.chosen", lg, name=filename, size=fmt_bytes(size))


def _decode(contents: str) -> bytes:
    return base64.b64decode(contents.partition(",")[2], validate=False)


def parse_profile(filename: str | None, contents: str | None) -> dict | None:
    """A mapping profile given as YAML or JSON; None when none was given."""
    if not contents:
        return None
    return read_profile(_decode(contents))


def _fallback(lg):
    return ui.message(t("error.generic", lg), "error"), None


@guarded(_fallback)
def run_import(token, contents, filename, kind, profile_contents, profile_name, flags, lg=None, *, mapping_spec=None):
    """Run the import pipeline on the dropped file and show its report.

    The mapping is the dropped profile file if any, else the one built in the mapping step.

    ``token`` is chosen by the browser on each click; the rows read so far are published under it
    (app.services.progress) for ``show_progress``.
    """
    lg = lg or lang()
    user = viewer()
    if not token:
        raise dash.exceptions.PreventUpdate
    if not user.may_upload:
        return ui.message(t("upload.forbidden", lg), "warning"), None
    if not contents or not filename:
        return ui.message(t("upload.no_file", lg), "warning"), None
    try:
        mapping = parse_profile(profile_name, profile_contents) or mapping_spec
    except (TypeError, ValueError, UnicodeDecodeError, yaml.YAMLError, binascii.Error) as exc:
        return ui.message(t("upload.bad_profile", lg, error=str(exc)), "error"), None
    payload = _decode(contents)
    if len(payload) > get_settings().max_upload_mb * 1024 * 1024:
        return ui.message(t("upload.too_large", lg, mb=get_settings().max_upload_mb), "error"), None
    flags = set(flags or [])
    session = Session(bind=current_engine(), expire_on_commit=False)
    publish = (lambda done, total: progress.report(token, done, total)) if progress.is_token(token) else None
    try:
        report = run_pipeline(session=session, data=payload, filename=filename, kind=kind if kind in KINDS else "consumption",
                     mapping=mapping, all_or_nothing="all_or_nothing" in flags, dry_run="dry_run" in flags,
                     uploaded_by=user.username, region_scope=user.region_code, progress=publish)
        session.commit()
    except Exception as exc:  # noqa: BLE001 - whatever stopped the import is shown to the auditor, not a traceback
        session.rollback()
        logger.exception("import of %s failed", filename)
        return ui.message(t("upload.failed", lg, error=type(exc).__name__), "error"), None
    finally:
        session.close()
        if publish is not None:
            progress.finish(token)
    result = report.to_dict()
    return report_view(result, lg, filename=filename), result


def _run_with_mapping(token, contents, filename, kind, profile_contents, profile_name, flags, lg, spec):
    return run_import(token, contents, filename, kind, profile_contents, profile_name, flags, lg, mapping_spec=spec)


def show_progress(_n_intervals, token, lg=None):
    """A bar with the rows read so far by the import under way (nothing before its first chunk)."""
    lg = lg or lang()
    state = progress.read(token) if progress.is_token(token) else None
    if not state or not state.get("total"):
        return ""
    done, total = int(state["done"]), int(state["total"])
    share = min(100.0, 100.0 * done / total)
    text = (t("upload.writing", lg, total=fmt_num(total)) if done >= total
            else t("upload.progress", lg, done=fmt_num(done), total=fmt_num(total), share=f"{share:.0f}"))
    return html.Div(className="progress", id="upload-progress-value", children=[
        html.Div(className="progress-track", children=html.Div(className="progress-fill", style={"width": f"{share:.0f}%"})),
        html.Span(text, className="progress-text"),
    ])


DUPLICATE_OF = re.compile(r"upload (\d+)")  # etl.findings FILE_DUPLICATE: "... already loaded as upload {upload_id} ..."


def duplicate_of(report: dict) -> int | None:
    """The upload a duplicate repeats, read from its FILE_DUPLICATE finding."""
    for finding in report.get("findings") or []:
        if finding.get("code") == "FILE_DUPLICATE":
            match = DUPLICATE_OF.search(finding.get("message_en") or "")
            if match:
                return int(match.group(1))
    return None


def findings_frame(report: dict, lg: str) -> pd.DataFrame:
    """The findings, by row, with their name, severity and what the field accepts in the language."""
    findings = pd.DataFrame(report.get("findings") or [])
    if findings.empty:
        return findings
    accepted = data.accepted_values(lang=lg)
    findings = findings.assign(
        message=findings["message_en" if lg == "en" else "message_zh"],
        finding=[f"{finding_text.label(c, lg)} ({c})" if finding_text.label(c, lg) != c else c for c in findings["code"]],
        severity_text=[finding_text.severity(v, lg) for v in findings["severity"]],
        accepted=[finding_text.accepted(c, lg, carriers=accepted["carriers"], units=accepted["units"],
                                        classes=accepted["classes"]) if v == "error" else ""
                  for c, v in zip(findings["code"], findings["severity"], strict=True)],
    )
    return findings.sort_values(["row", "column"], na_position="first", kind="stable")


def changed_values(upload_id: int | None, lg: str, *, shown: int = 200):
    """The stored values an upload replaced, old against new."""
    frame = data.replaced_values(upload_id=upload_id) if upload_id is not None else pd.DataFrame()
    if frame.empty:
        return [ui.message(t("upload.changed_none", lg), element_id="report-changed-none")]
    names = data.carrier_names()
    rows = pd.DataFrame({
        "building_code": frame["building_code"],
        "carrier": [names.get(c, (c, c))[1 if lg == "en" else 0] if isinstance(c, str) else "" for c in frame["carrier_code"]],
        "period": [("" if pd.isna(y) else f"{int(y)}-{int(m):02d}" if m else str(int(y)))
                   for y, m in zip(frame["year"], frame["month"].fillna(0), strict=True)],
        "sub_item": frame["sub_item"].fillna(""),
        "old": [_quantity(q, u) if kind == "consumption" else _attributes(v)
                for kind, q, u, v in zip(frame["kind"], frame["old_quantity_reported"], frame["old_unit_reported"],
                                         frame["old_values"], strict=True)],
        "new": [_quantity(q, u) for q, u in zip(frame["new_quantity_reported"], frame["new_unit_reported"], strict=True)],
    })
    columns = [ui.text_col("building_code", t("col.building", lg)), ui.text_col("carrier", t("col.carrier", lg)),
               ui.text_col("period", t("col.month", lg)), ui.text_col("sub_item", t("col.sub_item", lg), maxWidth=110),
               ui.text_col("old", t("col.old_value", lg), flex=2, wrapText=True, autoHeight=True),
               ui.text_col("new", t("col.new_value", lg))]
    parts = [html.H4(t("upload.changed_values", lg, count=fmt_num(len(frame))), className="sub-title"),
             ui.grid("report-changed", columns, rows.head(shown).to_dict("records"), page_size=10)]
    if len(frame) > shown:
        parts.append(ui.message(t("upload.changed_more", lg, shown=shown)))
    return parts


def _quantity(quantity, unit) -> str:
    if quantity is None or pd.isna(quantity):
        return ""
    return f"{fmt_num(quantity, 2)} {unit_label(str(unit))}"


def _attributes(values) -> str:
    if not isinstance(values, dict):
        return ""
    return "; ".join(f"{k}={v}" for k, v in values.items())


def report_view(report: dict, lg: str, *, filename: str | None = None, download_id: str = "upload-download-btn",
                link_saved: bool = True):
    """The import report: status, counts, links, the rejected rows with what is accepted, replaced values, CSV."""
    status = report.get("status", "")
    kind = {"loaded": "success", "partial": "warning", "rejected": "error", "duplicate": "info", "dry_run": "info"}.get(status, "info")
    status_text = t(f"upload.status.{status}", lg) if status in ("loaded", "partial", "rejected", "duplicate", "dry_run") else status
    findings = findings_frame(report, lg)
    upload_id = report.get("upload_id")
    kpis = html.Div(className="kpis", children=[
        ui.kpi(t("col.rows_read", lg), fmt_num(report.get("rows_read")), t("unit.rows", lg), kpi_id="report-read"),
        ui.kpi(t("col.rows_accepted", lg), fmt_num(report.get("rows_accepted")), t("unit.rows", lg), kpi_id="report-accepted"),
        ui.kpi(t("col.rows_rejected", lg), fmt_num(report.get("rows_rejected")), t("unit.rows", lg), kpi_id="report-rejected"),
        ui.kpi(t("col.rows_changed", lg), fmt_num(report.get("rows_changed")), "", kpi_id="report-changed"),
        ui.kpi(t("col.warnings", lg), fmt_num(report.get("warnings")), "", kpi_id="report-warnings"),
    ])
    links = []
    if link_saved and upload_id is not None:
        links.append(dcc.Link(t("upload.saved_report", lg, id=upload_id), href=f"{ui.PREFIX}uploads/{upload_id}",
                              id="report-saved-link", className="report-link"))
    prior = duplicate_of(report)
    if prior is not None:
        links.append(dcc.Link(t("upload.duplicate_of", lg, id=prior), href=f"{ui.PREFIX}uploads/{prior}",
                              id="report-duplicate-link", className="report-link"))
    columns = [
        ui.number_col("row", t("col.row", lg), maxWidth=90, valueFormatter=None),
        ui.text_col("column", t("col.column", lg)),
        ui.text_col("value", t("col.value", lg)),
        ui.text_col("finding", t("col.finding", lg), wrapText=True, autoHeight=True),
        ui.text_col("severity_text", t("col.severity", lg), maxWidth=140),
        ui.text_col("message", t("col.message", lg), flex=3, wrapText=True, autoHeight=True),
        ui.text_col("accepted", t("col.accepted", lg), flex=3, wrapText=True, autoHeight=True),
    ]
    title = t("section.upload_report", lg) + (f" · {filename}" if filename else "")
    changed = changed_values(upload_id, lg) if status in ("loaded", "partial") else []
    return ui.card(title=title, children=[
        ui.message(f"{t('upload.status', lg)}: {status_text}", kind, element_id="report-status"),
        html.Div(links, className="report-links") if links else None,
        kpis,
        html.H4(t("section.rejected_rows", lg), className="sub-title"),
        ui.grid("report-findings", columns, findings.astype(object).where(findings.notna(), None).to_dict("records"))
        if not findings.empty else ui.message(t("upload.no_findings", lg), element_id="report-no-findings"),
        html.Button(t("upload.download", lg), id=download_id, className="btn-secondary", n_clicks=0,
                    disabled=findings.empty),
        *changed,
    ])


def findings_csv(report: dict | None) -> bytes:
    """The report's findings as CSV, UTF-8 with BOM so Excel reads the Chinese."""
    keys = ["row", "column", "value", "code", "severity", "message_zh", "message_en"]
    return csv_bytes(keys, uploads_service.finding_rows((report or {}).get("findings") or []))


def download(n_clicks, report):
    """Send the rejected rows and their reasons as a CSV file."""
    if not n_clicks or not report:
        raise dash.exceptions.PreventUpdate
    name = f"upload-{report.get('upload_id') or 'check'}-findings.csv"
    return dcc.send_bytes(findings_csv(report), name)


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path=PATH, name="upload", title="数据上传 · Upload", layout=layout, order=5)
    app.callback(Output("upload-chosen", "children"), Input("upload-file", "filename"),
                 Input("upload-file", "contents"), Input("lang", "data"))(chosen)
    app.callback(Output("upload-profile-chosen", "children"), Input("upload-profile", "filename"),
                 Input("upload-profile", "contents"), Input("lang", "data"))(chosen)
    # a fresh token per click: the import publishes its progress under it, the poll reads it back
    app.clientside_callback(
        "function(n) { return n ? crypto.getRandomValues(new Uint8Array(16)).reduce("
        "(s, b) => s + b.toString(16).padStart(2, '0'), '') : window.dash_clientside.no_update; }",
        Output("upload-token", "data"), Input("upload-start", "n_clicks"), prevent_initial_call=True)
    app.callback(Output("upload-progress-bar", "children"), Input("upload-poll", "n_intervals"),
                 State("upload-token", "data"), State("lang", "data"), prevent_initial_call=True)(show_progress)
    app.callback(
        Output("upload-result", "children"), Output("upload-report", "data"),
        Input("upload-token", "data"),
        State("upload-file", "contents"), State("upload-file", "filename"), State("upload-kind", "value"),
        State("upload-profile", "contents"), State("upload-profile", "filename"), State("upload-flags", "value"),
        State("lang", "data"), State("mapping-spec", "data"),
        running=[(Output("upload-start", "disabled"), True, False),
                 (Output("upload-progress", "children"), PROCESSING, ""),
                 (Output("upload-poll", "disabled"), False, True)],
        prevent_initial_call=True,
    )(_run_with_mapping)
    mapping_step.register(app)
    app.callback(Output("upload-download", "data"), Input("upload-download-btn", "n_clicks"),
                 State("upload-report", "data"), prevent_initial_call=True)(download)
