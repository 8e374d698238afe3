"""The page for an unknown address."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboards import components as ui
from dashboards.i18n import t
from dashboards.pages.common import lang


def layout(**_query) -> html.Div:
    lg = lang()
    return html.Div(className="card", children=[
        html.H1(t("not_found.title", lg), className="page-title"),
        dcc.Link(t("not_found.back", lg), href=ui.PREFIX),
    ])


def register(app: dash.Dash) -> None:
    dash.register_page("not_found_404", path="/404", name="not-found", title="页面不存在 · Not found", layout=layout)
