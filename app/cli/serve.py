"""`jieneng serve`: the API and the dashboards on one port (uvicorn)."""

from __future__ import annotations

import signal
import sys

import typer
import uvicorn

from app.cli._schema import require_migrated
from app.config import GENERATE_SECRET, get_settings, secret_key_problem


def serve(
    host: str | None = typer.Option(None, "--host", help="Bind address (default: JIENENG_HOST)"),
    port: int | None = typer.Option(None, "--port", help="Port (default: JIENENG_PORT)"),
    workers: int | None = typer.Option(None, "--workers", min=1, help="Worker processes (default: JIENENG_WORKERS)"),
    reload: bool = typer.Option(False, "--reload", help="Restart on code changes (development)"),
) -> None:
    """Serve the REST API, the login page and the dashboards."""
    settings = get_settings()
    problem = secret_key_problem(settings.secret_key) if settings.is_production else None
    if problem:
        typer.echo(f"生产模式下 JIENENG_SECRET_KEY 无效 / JIENENG_SECRET_KEY is unfit for production: {problem}\n"
                   f"生成 / generate: {GENERATE_SECRET}", err=True)
        raise typer.Exit(2)
    require_migrated(settings)
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal to the previous handler:
    # make that handler a clean exit so process managers see status 0 after a requested stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(
        "app.api.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=None if reload else (workers or settings.workers),
        reload=reload,
        proxy_headers=True,
        log_level="info",
    )
