"""Helpers shared by the page modules: the current user and language, guarded callbacks, URL parts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from dash.exceptions import PreventUpdate

from dashboards import current_lang
from dashboards.auth import Viewer, current_viewer

logger = logging.getLogger("jieneng.dashboards")


def viewer() -> Viewer:
    return current_viewer()


def lang() -> str:
    return current_lang()


def guarded(fallback: Callable[..., Any]) -> Callable:
    """Run a callback; on an unexpected error log it and return ``fallback(lang)`` instead of a traceback."""

    def decorate(fn: Callable) -> Callable:
        @wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except PreventUpdate:
                raise
            except Exception:
                logger.exception("dashboard callback %s failed", fn.__name__)
                return fallback(current_lang())

        wrapper.unguarded = fn  # type: ignore[attr-defined]
        return wrapper

    return decorate


def as_bool(value) -> bool:
    """A checklist value (['1']) or a query string flag as a bool."""
    if isinstance(value, (list, tuple)):
        return bool(value)
    return str(value or "").lower() in ("1", "true", "yes")


def as_int(value, default: int | None = None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
