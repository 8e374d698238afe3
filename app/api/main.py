"""The ASGI application: REST API under /api/v1, browser login, and the dashboards mounted at /dashboards."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from app.api.errors import install_error_handlers
from app.api.limits import UploadSizeLimit
from app.api.ratelimit import PublicRateLimit
from app.api.routers import analytics, auth, catalog, disclosures, health, portal, public, uploads, web
from app.config import GENERATE_SECRET, Settings, get_settings, secret_key_problem
from app.db import make_engine, session_factory
from app.services import frames

STATIC_DIR = Path(__file__).parent / "static"

API_PREFIX = "/api/v1"
DASHBOARDS_PATH = "/dashboards"
WARM_UP_KEY = "JIENENG_WARM_UP"  # the Flask config entry where the dashboards leave their warm-up (dashboards.context)

DESCRIPTION = """
建筑能效监测平台 REST API：地区、建筑、能耗、上传、节能目标与考核。

REST API of the building energy-efficiency monitoring platform (government office and large public
buildings). Authenticate with `POST /api/v1/auth/token` (OAuth2 password flow) and send
`Authorization: Bearer <token>`. Every error is an RFC 9457 `application/problem+json` document.
Roles: **admin** (users, reference data, targets), **official** (reads in their region scope),
**auditor** (uploads and reads in their region scope).
"""


class InsecureSecretError(RuntimeError):
    """Production mode with the development secret key."""


def create_app(*, settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the application; refuses production mode without a random secret key of 32 bytes or more."""
    settings = settings or get_settings()
    problem = secret_key_problem(settings.secret_key) if settings.is_production else None
    if problem:
        raise InsecureSecretError(
            f"生产模式下 JIENENG_SECRET_KEY 无效 / JIENENG_SECRET_KEY is unfit for production: {problem}; "
            f"generate one with: {GENERATE_SECRET}"
        )
    engine = engine or make_engine(settings.resolved_database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        refresher = None
        if settings.refresh_interval_s > 0:
            refresher = frames.Refresher(engine, interval_s=settings.refresh_interval_s,
                                         after=app.state.after_refresh).start()
        app.state.refresher = refresher
        yield
        if refresher is not None:
            refresher.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="jieneng 建筑能效监测平台 API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    install_local_docs(app)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    app.state.after_refresh = []  # run by the frames refresher once the national indicators are current
    install_error_handlers(app)

    app.include_router(health.router)
    for router in (health.router, auth.router, catalog.router, analytics.router, uploads.router):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(web.router)
    install_disclosure(app, settings)
    mount_dashboards(app)
    app.add_middleware(UploadSizeLimit, path=f"{API_PREFIX}/uploads", limit_mb=settings.max_upload_mb)
    return app


def install_disclosure(app: FastAPI, settings: Settings) -> None:
    """The disclosure workflow API, the open-data API, the public portal and its rate limit."""
    for router in (disclosures.router, public.router):
        app.include_router(router, prefix=API_PREFIX)
    app.mount(f"{portal.PREFIX}/static", portal.static_files(), name="disclosure-static")
    app.include_router(portal.manage)  # before the portal's /{region}/{year} paths
    app.include_router(portal.router)
    app.add_middleware(PublicRateLimit, prefixes=(f"{API_PREFIX}/public", portal.PREFIX), rate=settings.public_rate_limit)


DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"  # Swagger UI 5 and ReDoc 2: both read OpenAPI 3.1


def install_local_docs(app: FastAPI) -> None:
    """Swagger UI at /docs, ReDoc at /redoc, the schema at /openapi.json (and the same under /api/v1).

    The scripts come from the installed fastapi-offline package, so the pages load nothing from the internet.
    """
    static = f"{API_PREFIX}/docs-static"
    app.mount(static, StaticFiles(directory=DOCS_ASSETS), name="docs-static")
    openapi_url = f"{API_PREFIX}/openapi.json"
    oauth2_redirect = f"{API_PREFIX}/docs/oauth2-redirect"

    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url, title=f"{app.title} · Swagger UI",
            swagger_js_url=f"{static}/swagger-ui-bundle.js", swagger_css_url=f"{static}/swagger-ui.css",
            swagger_favicon_url="/favicon.ico", oauth2_redirect_url=oauth2_redirect,
            swagger_ui_parameters={"persistAuthorization": True, "displayRequestDuration": True},
        )

    def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url=openapi_url, title=f"{app.title} · ReDoc",
                              redoc_js_url=f"{static}/redoc.standalone.js", redoc_favicon_url="/favicon.ico",
                              with_google_fonts=False)

    def schema() -> JSONResponse:
        return JSONResponse(app.openapi())

    for path in (f"{API_PREFIX}/docs", "/docs"):
        app.add_api_route(path, docs, include_in_schema=False)
    for path in (f"{API_PREFIX}/redoc", "/redoc"):
        app.add_api_route(path, redoc, include_in_schema=False)
    app.add_api_route("/openapi.json", schema, include_in_schema=False)
    app.add_api_route(oauth2_redirect, get_swagger_ui_oauth2_redirect_html, include_in_schema=False)
    app.add_api_route("/favicon.ico", lambda: FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml"),
                      include_in_schema=False)


def mount_dashboards(app: FastAPI) -> bool:
    """Mount the Dash app at /dashboards when the dashboards package provides create_dash."""
    if importlib.util.find_spec("dashboards") is None:
        return False
    create_dash = getattr(importlib.import_module("dashboards"), "create_dash", None)
    if create_dash is None:
        return False
    from a2wsgi import WSGIMiddleware

    kwargs = {"requests_pathname_prefix": DASHBOARDS_PATH + "/"}
    if "engine" in inspect.signature(create_dash).parameters:
        kwargs["engine"] = app.state.engine  # one database for the API and the dashboards
    dash_app = create_dash(**kwargs)
    warm_up = dash_app.server.config.get(WARM_UP_KEY)
    if warm_up is not None:
        app.state.after_refresh.append(warm_up)
    app.mount(DASHBOARDS_PATH, WSGIMiddleware(dash_app.server), name="dashboards")
    return True
