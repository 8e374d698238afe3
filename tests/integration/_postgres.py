"""A fresh PostgreSQL database for tests that need their own (not the shared, migrated one)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@contextmanager
def fresh_postgres_database(prefix: str) -> Iterator[str]:
    """Create an empty database beside JIENENG_TEST_POSTGRES_URL (or on the local server), drop it after.

    Skips when PostgreSQL is unreachable, unless JIENENG_REQUIRE_POSTGRES is set.
    """
    admin_url = make_url(os.environ.get("JIENENG_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL)
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        if os.environ.get("JIENENG_REQUIRE_POSTGRES"):
            raise
        pytest.skip(f"PostgreSQL unreachable at {admin_url.render_as_string(hide_password=True)}: {exc}")
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
