"""The production path, as docker-compose runs it, against the local PostgreSQL in subprocesses:
fresh database -> `jieneng db upgrade` -> `jieneng seed reference` -> `jieneng users add` ->
`jieneng serve --workers 2` -> /healthz and one authenticated API call -> SIGTERM -> clean exit.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.integration._postgres import fresh_postgres_database

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def fresh_database_url():
    with fresh_postgres_database("jn_prod_seq") as url:
        yield url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(database_url: str, data_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("JIENENG_")}
    env.update(
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        JIENENG_DATABASE_URL=database_url,
        JIENENG_DATA_DIR=str(data_dir),
        JIENENG_ENVIRONMENT="production",
        JIENENG_SECRET_KEY=secrets.token_urlsafe(48),
    )
    return env


def _jieneng(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"jieneng {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


def _is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_migrate_seed_serve_authenticate_and_stop(fresh_database_url, tmp_path):
    env = _environment(fresh_database_url, tmp_path / "data")
    # The working directory holds no .env, so only the variables above configure the platform.
    _jieneng(["db", "upgrade"], env, tmp_path)
    _jieneng(["seed", "reference"], env, tmp_path)

    engine = create_engine(fresh_database_url)
    with engine.connect() as conn:
        demonstration = conn.execute(text("SELECT count(*) FROM regions WHERE is_demonstration")).scalar_one()
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    assert demonstration == 21
    assert revision

    password = secrets.token_urlsafe(12)
    _jieneng(["users", "add", "ln_official", "--role", "official", "--region", "210000", "--password", password], env, tmp_path)

    port = _free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
            env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    worker_pids: set[int] = set()
    try:
        deadline = time.monotonic() + 90
        health = None
        while time.monotonic() < deadline:
            assert server.poll() is None, f"server exited early:\n{log_path.read_text()}"
            worker_pids = {int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", log_path.read_text())}
            worker_pids.discard(server.pid)
            if len(worker_pids) >= 2:
                try:
                    health = httpx.get(f"{base}/healthz", timeout=5)
                    break
                except httpx.TransportError:
                    pass
            time.sleep(0.3)
        assert health is not None, f"no health answer within 90 s:\n{log_path.read_text()}"
        assert health.status_code == 200, health.text
        assert len(worker_pids) == 2, f"expected two worker processes, saw {sorted(worker_pids)}"

        with httpx.Client(base_url=base, timeout=10) as client:
            assert client.get("/api/v1/me").status_code == 401
            wrong = client.post("/api/v1/auth/token", data={"username": "ln_official", "password": password + "x"})
            assert wrong.status_code == 401
            token = client.post("/api/v1/auth/token", data={"username": "ln_official", "password": password})
            assert token.status_code == 200, token.text
            access_token = token.json()["access_token"]
            # Several calls so both workers answer some: every worker verifies the same secret.
            for _ in range(6):
                me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {access_token}"})
                assert me.status_code == 200, me.text
                body = me.json()
                assert body["username"] == "ln_official"
                assert body["role"] == "official"
                assert body["region_code"] == "210000"
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
        try:
            returncode = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
            raise AssertionError(f"server ignored SIGTERM for 30 s:\n{log_path.read_text()}") from None

    log = log_path.read_text()
    assert returncode == 0, f"server exited with {returncode}:\n{log}"
    assert "Traceback" not in log, log
    deadline = time.monotonic() + 10
    while any(_is_running(pid) for pid in worker_pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_is_running(pid) for pid in worker_pids), "worker processes outlived the server"
    assert len(re.findall(r"Finished server process \[(\d+)\]", log)) == 2, log
