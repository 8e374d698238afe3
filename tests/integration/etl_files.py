"""Uploading the ETL test files (tests/data/etl) in tests that need real imports as their data."""

from __future__ import annotations

import pytest

from app.config import get_settings
from etl.pipeline import run
from tests.conftest import DATA_DIR

ETL = DATA_DIR / "etl"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """Raw uploads go to a directory of the test's own."""
    monkeypatch.setenv("JIENENG_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


def upload(session, name: str, kind: str = "consumption", text: str | None = None):
    """Import tests/data/etl/<name> (or ``text`` under that name); it must load."""
    data = text.encode() if text is not None else (ETL / name).read_bytes()
    report = run(session=session, data=data, filename=name, kind=kind)
    assert report.status == "loaded", report.to_dict()
    return report
