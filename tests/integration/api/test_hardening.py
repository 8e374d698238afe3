"""Hostile input through the API: login throttling, mapping profiles, file names, secrets, findings.csv."""

from __future__ import annotations

import csv
import io
import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.api.deps import get_session
from app.api.main import create_app
from app.models import LoginAttempt, Upload
from tests.integration.api.conftest import PASSWORD, World


def token_for(client: TestClient, username: str, password: str, address: str = "testclient"):
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


# ------------------------------------------------------------------------------------- 4. login throttling
def test_wrong_passwords_lock_the_account_with_429_and_retry_after(world: World, caplog):
    caplog.set_level(logging.INFO, logger="jieneng.auth")
    codes = [token_for(world.client, "official", "wrong password").status_code for _ in range(5)]
    assert codes == [401] * 5
    locked = token_for(world.client, "official", PASSWORD)  # even the right password waits
    assert locked.status_code == 429 and locked.headers["content-type"] == "application/problem+json"
    assert 1 <= int(locked.headers["retry-after"]) <= 61
    assert "too many failed sign-ins" in locked.json()["detail"]
    assert any("login locked: account 'official'" in r.getMessage() for r in caplog.records)
    assert any("login refused while locked" in r.getMessage() for r in caplog.records)
    # other accounts are not locked by this one's failures
    assert token_for(world.client, "auditor", PASSWORD).status_code == 200
    row = world.session.get(LoginAttempt, ("account", "official"))
    assert row.failures == 5 and row.locked_until is not None


def test_lockout_is_shared_by_every_worker(world: World, api_app):
    for _ in range(5):
        token_for(world.client, "official", "wrong password")
    other = create_app(settings=api_app.state.settings, engine=api_app.state.engine)  # a second worker

    def same_database():
        yield world.session
        world.session.flush()

    other.dependency_overrides[get_session] = same_database
    with TestClient(other, base_url="http://testserver") as client:
        assert token_for(client, "official", PASSWORD).status_code == 429


def test_many_accounts_from_one_address_lock_the_address(world: World):
    statuses = [token_for(world.client, f"nobody{i}", "x").status_code for i in range(20)]
    assert statuses == [401] * 20
    assert token_for(world.client, "auditor", PASSWORD).status_code == 429
    assert world.session.get(LoginAttempt, ("address", "testclient")).failures == 20


def test_success_clears_the_account_and_browser_login_is_throttled(world: World):
    for _ in range(4):
        token_for(world.client, "official", "wrong password")
    assert token_for(world.client, "official", PASSWORD).status_code == 200
    assert world.session.get(LoginAttempt, ("account", "official")) is None
    for _ in range(5):
        world.client.post("/auth/login", data={"username": "auditor", "password": "nope"}, follow_redirects=False)
    page = world.client.post("/auth/login", data={"username": "auditor", "password": PASSWORD}, follow_redirects=False)
    assert page.status_code == 429 and int(page.headers["retry-after"]) > 0 and "Too many failed sign-ins" in page.text
