"""`jieneng users add` and `jieneng serve` against real databases and a real server process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete
from typer.testing import CliRunner

from app import db, migrate
from app.cli import app as cli
from app.config import get_settings
from app.db import make_engine, session_scope
from app.models import User
from app.security import verify_password
from app.services.users import get_user

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli_env(database_url, monkeypatch):
    monkeypatch.setenv("JIENENG_DATABASE_URL", database_url)
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    engine = make_engine(database_url)
    yield engine
    with session_scope(engine) as session:
        session.execute(delete(User).where(User.username.like("cli_%")))
    engine.dispose()
    db.get_engine().dispose()
    get_settings.cache_clear()
    db.get_engine.cache_clear()


def test_users_add_with_password_and_generated(cli_env):
    runner = CliRunner()
    result = runner.invoke(cli, ["users", "add", "cli_sy", "--role", "auditor", "--region", "210100", "--password", "pw-1234567"])
    assert result.exit_code == 0, result.output
    assert "username: cli_sy\n  role: auditor\n  region: 210100\n  password: pw-1234567\n" in result.output
    generated = runner.invoke(cli, ["users", "add", "cli_nat", "--role", "official", "--generate"])
    assert generated.exit_code == 0, generated.output
    password = generated.output.strip().rsplit("password: ", 1)[1]
    assert len(password) >= 16
    with session_scope(cli_env) as session:
        sy = get_user(session=session, username="cli_sy")
        assert (sy.role, sy.region_code) == ("auditor", "210100") and verify_password(sy.password_hash, "pw-1234567")
        nat = get_user(session=session, username="cli_nat")
        assert nat.region_code is None and verify_password(nat.password_hash, password)
    listed = runner.invoke(cli, ["users", "list"])
    assert "cli_sy" in listed.output and "cli_nat" in listed.output


@pytest.mark.parametrize(
    "args,message",
    [
        (["--role", "root"], "invalid role"),
        (["--role", "official", "--region", "999900"], "unknown region"),
        (["--role", "official", "--password", "short"], "at least 8"),
    ],
)
def test_users_add_refuses_bad_input(cli_env, args, message):
    result = CliRunner().invoke(cli, ["users", "add", "cli_bad", *args, "--generate"] if "--password" not in args else ["users", "add", "cli_bad", *args])
    assert result.exit_code == 1 and message in result.output
    with session_scope(cli_env) as session:
        assert get_user(session=session, username="cli_bad") is None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_starts_uvicorn_and_stops_cleanly(tmp_path, workers):
    database_url = f"sqlite:///{tmp_path / 'serve.db'}"
    migrate.upgrade(database_url)
    port = free_port()
    env = os.environ | {"JIENENG_DATABASE_URL": database_url, "JIENENG_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90  # generous: a loaded CI machine starts two workers slowly
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert response.status_code == 200 and response.json()["database"] == "ok"
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/me").status_code == 401
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json").json()["info"]["title"].startswith("jieneng")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0


def test_serve_refuses_default_secret_in_production(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'refused.db'}"
    env = os.environ | {"JIENENG_DATABASE_URL": database_url, "JIENENG_ENVIRONMENT": "production", "PYTHONPATH": str(ROOT)}
    env.pop("JIENENG_SECRET_KEY", None)
    result = subprocess.run([sys.executable, "-m", "app.cli", "serve"], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2 and "JIENENG_SECRET_KEY" in result.stderr


def test_demo_users_one_per_role_and_reset(cli_env):
    from app.services.users import authenticate, ensure_demo_users

    try:
        with session_scope(cli_env) as session:
            first = ensure_demo_users(session=session)
        assert [(u, r, g) for u, r, g, _ in first] == [
            ("demo_admin", "admin", None), ("demo_official", "official", "210000"), ("demo_auditor", "auditor", "210100")
        ]
        with session_scope(cli_env) as session:
            second = ensure_demo_users(session=session)
            for (username, _, _, old), (_, _, _, new) in zip(first, second, strict=True):
                assert old != new
                assert authenticate(session=session, username=username, password=new) is not None
                assert authenticate(session=session, username=username, password=old) is None
        result = CliRunner().invoke(cli, ["users", "demo"])
        assert result.exit_code == 0 and "demo_auditor" in result.output
    finally:
        with session_scope(cli_env) as session:
            session.execute(delete(User).where(User.username.like("demo_%")))
