"""Shared fixtures: a migrated database per backend, and a rolled-back session per test.

Every test that uses ``engine`` or ``session`` runs on SQLite and, when JIENENG_TEST_POSTGRES_URL
is set, again on PostgreSQL. With JIENENG_REQUIRE_POSTGRES=1 a missing PostgreSQL is a failure, and
with JIENENG_FAIL_ON_SKIP=1 (set by CI) any skipped test fails the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app import migrate
from app.db import make_engine, session_scope
from app.services import frames
from seeds.loader import load_reference

TESTS_DIR = Path(__file__).parent
DATA_DIR = TESTS_DIR / "data"
POSTGRES_URL = os.environ.get("JIENENG_TEST_POSTGRES_URL")
# Served apps in tests do not precompute in the background; tests that want it start a Refresher.
os.environ.setdefault("JIENENG_REFRESH_INTERVAL_S", "0")
# The tests never read the developer's own settings file (~/.config/jieneng/settings.env).
os.environ["JIENENG_SETTINGS_FILE"] = str(TESTS_DIR / "data" / "no-settings.env")


@pytest.fixture(autouse=True)
def _fresh_frames():
    """Rolled-back tests can repeat a data fingerprint: no national frame outlives its test."""
    frames.clear()
    yield
    frames.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("JIENENG_FAIL_ON_SKIP") and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped, but JIENENG_FAIL_ON_SKIP forbids skips: {report.longrepr}"


def reset_postgres(url: str) -> None:
    """Drop and recreate the public schema so the test run starts from an empty database."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def postgres_url_or_skip() -> str:
    if POSTGRES_URL:
        return POSTGRES_URL
    if os.environ.get("JIENENG_REQUIRE_POSTGRES"):
        pytest.fail("JIENENG_REQUIRE_POSTGRES is set but JIENENG_TEST_POSTGRES_URL is not")
    pytest.skip("PostgreSQL not configured (set JIENENG_TEST_POSTGRES_URL)")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> str:
    """URL of an empty, migrated database with reference data loaded."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'jieneng.db'}"
    else:
        url = postgres_url_or_skip()
        reset_postgres(url)
    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        load_reference(session)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def engine(database_url) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    with engine.connect() as conn:
        trans = conn.begin()
        session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            yield session
        finally:
            session.close()
            trans.rollback()


def _recreate_postgres_database(base_url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    admin = make_engine(url.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path) -> str:
    """URL of a brand-new, unmigrated database (committed work stays out of the shared one)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    base = postgres_url_or_skip()
    from sqlalchemy.engine import make_url

    return _recreate_postgres_database(base, f"{make_url(base).database}_fresh")


@pytest.fixture
def use_database(monkeypatch, tmp_path):
    """Point the settings (and so the CLI) at a database URL for the duration of a test."""
    from app.config import get_settings
    from app.db import get_engine

    def point(url: str) -> None:
        monkeypatch.setenv("JIENENG_DATABASE_URL", url)
        monkeypatch.setenv("JIENENG_DATA_DIR", str(tmp_path / "var"))
        get_settings.cache_clear()
        get_engine.cache_clear()

    yield point
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()
