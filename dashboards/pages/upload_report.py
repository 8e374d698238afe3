"""The import report of one earlier upload, linked from the data-quality page."""

from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html

from dashboards import components as ui
from dashboards.context import read_session
from dashboards.i18n import t
from dashboards.pages.common import as_int, lang, viewer
from dashboards.pages.upload import findings_csv, report_view

PATH_TEMPLATE = "/uploads/<upload_id>"


def load_report(upload_id: int) -> dict | None:
    """The stored report of an upload as a dict (with who uploaded it), via the uploads service."""
    from app.services.quality import upload_owner
    from app.services.uploads import get_report

    with read_session() as session:
        report = get_report(session=session, upload_id=upload_id)
        owner = upload_owner(session=session, upload_id=upload_id)
    return None if report is None else {**report.to_dict(), "uploaded_by": owner}


def layout(upload_id: str | None = None, **query) -> html.Div:
    lg, user = lang(), viewer()
    number = as_int(upload_id)
    title = html.H1(f"{t('section.upload_report', lg)} #{upload_id}", className="page-title")
    back = dcc.Link("← " + t("nav.quality", lg), href=ui.PREFIX + "quality", className="back-link")
    report = load_report(number) if number is not None else None
    if report is None:
        return html.Div([back, title, ui.message(t("empty", lg), "warning")])
    if user.role == "auditor" and report["uploaded_by"] != user.username:
        return html.Div([back, title, ui.message(t("error.out_of_scope", lg), "warning")])
    return html.Div([back, title, report_view(report, lg, download_id="stored-report-download-btn", link_saved=False),
                     dcc.Store(id="stored-report", data=report), dcc.Download(id="stored-report-download")])


def download(n_clicks, report):
    if not n_clicks or not report:
        raise dash.exceptions.PreventUpdate
    return dcc.send_bytes(findings_csv(report), f"upload-{report.get('upload_id')}-findings.csv")


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path_template=PATH_TEMPLATE, name="upload-report", title="导入报告 · Import report",
                       layout=layout, order=8)
    app.callback(Output("stored-report-download", "data"), Input("stored-report-download-btn", "n_clicks"),
                 State("stored-report", "data"), prevent_initial_call=True)(download)
