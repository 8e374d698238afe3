"""The database behind the dashboards: the engine given to create_dash, else the configured one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import flask
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.db import get_engine

ENGINE_KEY = "JIENENG_ENGINE"
WARM_UP_KEY = "JIENENG_WARM_UP"  # read by app.api.main: run after each refresh of the national frames


def current_engine() -> Engine:
    """The engine of the running dashboards app, or the settings' engine outside a request."""
    if flask.has_app_context():
        engine = flask.current_app.config.get(ENGINE_KEY)
        if engine is not None:
            return engine
    return get_engine()


@contextmanager
def read_session() -> Iterator[Session]:
    """A session for reads; whatever it did is rolled back."""
    session = Session(bind=current_engine())
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@contextmanager
def write_session() -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on error."""
    session = Session(bind=current_engine(), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
