"""Plotly Dash dashboards for officials and auditors, served by the API at /dashboards/."""

from __future__ import annotations

from pathlib import Path

import dash
import flask
from dash import Input, Output, State, dcc, html
from sqlalchemy.engine import Engine

from dashboards import auth, components, geo
from dashboards.auth import Authenticator
from dashboards.context import ENGINE_KEY, WARM_UP_KEY
from dashboards.i18n import LANG_COOKIE, normalise_lang, t

ASSETS = Path(__file__).parent / "assets"

# Writes the filter values into the query string without reloading, so a link reproduces the view.
SYNC_URL_JS = """
function (values, ids) {
    const params = new URLSearchParams(window.location.search);
    ids.forEach(function (id, i) {
        const v = values[i];
        const empty = v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
        if (empty) { params.delete(id.name); }
        else { params.set(id.name, Array.isArray(v) ? v.join(',') : String(v)); }
    });
    const qs = params.toString();
    const target = window.location.pathname + (qs ? '?' + qs : '');
    if (target !== window.location.pathname + window.location.search) {
        window.history.replaceState(window.history.state, '', target);
    }
    return window.dash_clientside.no_update;
}
"""


# Marks the navigation link of the current page.
ACTIVE_NAV_JS = """
function (pathname) {
    window.requestAnimationFrame(function () {
        document.querySelectorAll('.nav-link').forEach(function (link) {
            const href = new URL(link.href, window.location.href).pathname;
            const root = href.replace(/\\/$/, '');
            const here = (pathname || '').replace(/\\/$/, '');
            const active = here === root || (root.split('/').length > 2 && here.startsWith(root + '/'));
            link.classList.toggle('active', active);
        });
    });
    return window.dash_clientside.no_update;
}
"""


def current_lang() -> str:
    """The language chosen by the user's cookie (Chinese by default)."""
    if flask.has_request_context():
        return normalise_lang(flask.request.cookies.get(LANG_COOKIE))
    return "zh"


# BCP 47 tags for <html lang>: screen readers pick their voice and browsers their fonts from it.
HTML_LANG = {"zh": "zh-CN", "en": "en"}


class JienengDash(dash.Dash):
    """Dash whose index page names its language: ``<html lang>`` follows the user's chosen language."""

    def interpolate_index(self, **kwargs) -> str:
        page = super().interpolate_index(**kwargs)
        return page.replace("<html>", f'<html lang="{HTML_LANG[current_lang()]}">', 1)


def create_dash(*, requests_pathname_prefix: str = "/dashboards/", engine: Engine | None = None,
                authenticate: Authenticator | None = None, warm_cache: bool = True) -> dash.Dash:
    """Build the Dash app; its Flask ``server`` checks the API's login cookie on every request.

    ``engine`` defaults to the configured database; ``authenticate`` defaults to decoding the
    ``jieneng_token`` cookie with ``app.security.decode_token``. With ``warm_cache`` the serving app
    recomputes the national views of every year in the background whenever the data change.
    """
    from dashboards.pages import PAGES

    app = JienengDash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS),
        requests_pathname_prefix=requests_pathname_prefix,
        routes_pathname_prefix="/",
        serve_locally=True,
        suppress_callback_exceptions=True,
        title=t("app.title", "zh"),
        update_title=None,
        compress=False,
        include_pages_meta=False,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    server = app.server
    server.config[ENGINE_KEY] = engine
    components.PREFIX = requests_pathname_prefix
    auth.install(server, authenticate or auth.viewer_from_token_cookie)

    for page in PAGES:
        page.register(app)

    @server.get("/_lang/<lang>")
    def _switch_language(lang: str):
        back = flask.request.referrer or requests_pathname_prefix
        response = flask.redirect(back, code=303)
        response.set_cookie(LANG_COOKIE, normalise_lang(lang), max_age=365 * 24 * 3600, samesite="Lax",
                            path="/")
        return response

    @server.get("/_geo/<name>.json")
    def _boundaries(name: str):
        """Simplified boundaries for the map; the browser caches them."""
        if name == "provinces":
            body = geo.provinces()
        elif name == "regions":
            from dashboards import data

            body = geo.region_features([r["region_code"] for r in data.filter_options()["regions"]])
        else:
            flask.abort(404)
        response = flask.jsonify(body)
        response.headers["Cache-Control"] = "private, max-age=86400"
        return response

    def shell():
        lang = current_lang()
        viewer = flask.g.get("viewer") if flask.has_request_context() else None
        region_name = None
        if viewer is not None and viewer.region_code:
            from dashboards import data

            region_name = data.region_name(viewer.region_code, lang)
        return html.Div(className=f"app lang-{lang}", children=[
            html.A(t("a11y.skip", lang), href="#main-content", className="skip-link", id="skip-link"),
            dcc.Store(id="lang", data=lang),
            dcc.Store(id="url-sync"),
            dcc.Store(id="nav-sync"),
            components.header(viewer, lang, requests_pathname_prefix, region_name),
            html.Main(dash.page_container, className="page", id="main-content", tabIndex="-1"),
            html.Footer(t("app.subtitle", lang) + " · GB/T 51161-2016 · GB/T 2589", className="footer"),
        ])

    app.layout = shell
    if warm_cache:
        _install_warm_up(server)
    app.clientside_callback(ACTIVE_NAV_JS, Output("nav-sync", "data"), Input("_pages_location", "pathname"))
    app.clientside_callback(
        SYNC_URL_JS,
        Output("url-sync", "data"),
        Input({"type": "filter", "name": dash.ALL}, "value"),
        State({"type": "filter", "name": dash.ALL}, "id"),
    )
    return app


def _install_warm_up(server: flask.Flask) -> None:
    """Leave the warm-up where the serving app finds it: it runs after every refresh of the national frames."""

    def warm() -> None:
        from dashboards import data

        geo.warm_up([])
        with server.app_context():
            data.warm_up()

    server.config[WARM_UP_KEY] = warm


__all__ = ["create_dash"]
