"""Tokens, the current user, the browser login, user administration and start-up checks."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from app.api.main import InsecureSecretError, create_app
from app.config import DEFAULT_SECRET_KEY, Settings
from app.models import User
from app.security import TOKEN_COOKIE, decode_token
from tests.integration.api.conftest import PASSWORD, TEST_SECRET, World


def token_for(world: World, username: str, password: str = PASSWORD):
    return world.client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_password_flow_issues_a_working_token(world: World):
    response = token_for(world, "official")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and 28700 < body["expires_in"] <= 28800
    claims = decode_token(body["access_token"], secret_key=TEST_SECRET)
    assert (claims.username, claims.role, claims.region_code) == ("official", "official", "210000")
    me = world.client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"}).json()
    assert me == {
        "username": "official", "role": "official", "region_code": "210000",
        "region_name_zh": "辽宁", "region_name_en": "Liaoning",
    }


@pytest.mark.parametrize("username,password", [("official", "wrong password"), ("nobody", PASSWORD), ("x\x00y", PASSWORD)])
def test_bad_credentials_are_401_problems(world: World, username, password):
    response = token_for(world, username, password)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert "用户名或密码错误" in response.json()["detail"]


def test_missing_form_is_422(world: World):
    assert world.client.post("/api/v1/auth/token", data={}).status_code == 422


def test_expired_forged_and_deactivated_tokens_are_refused(world: World):
    expired = jwt.encode(
        {"sub": "admin", "role": "admin", "exp": datetime.now(UTC) - timedelta(minutes=1)}, TEST_SECRET, "HS256"
    )
    forged = jwt.encode(
        {"sub": "admin", "role": "admin", "exp": datetime.now(UTC) + timedelta(hours=1)}, "guessed-secret-xxxxxxxxxxxxxxxxxxxx", "HS256"
    )
    for token in (expired, forged, "not.a.token"):
        response = world.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401 and response.json()["detail"].startswith("令牌无效或已过期")
    headers = world.headers("auditor")
    assert world.client.get("/api/v1/me", headers=headers).status_code == 200
    world.session.query(User).filter_by(username="auditor").update({"is_active": False})
    assert world.client.get("/api/v1/me", headers=headers).status_code == 401
    assert token_for(world, "auditor").status_code == 401


def test_role_and_scope_come_from_the_database(world: World):
    headers = world.headers("official")  # token says 辽宁
    world.session.query(User).filter_by(username="official").update({"region_code": "110000"})
    codes = [b["code"] for b in world.client.get("/api/v1/buildings", headers=headers).json()["items"]]
    assert codes == ["110101C003", "110105A001"]


def test_browser_login_sets_http_only_cookie_and_redirects(world: World):
    client = world.client
    page = client.get("/login", params={"next": "/dashboards/buildings/210102A001"})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "用户名" in page.text and "Sign in" in page.text
    assert 'value="/dashboards/buildings/210102A001"' in page.text
    assert "http://" not in page.text.replace('http://www.w3.org', '') and "https://" not in page.text  # no remote assets

    failed = client.post("/auth/login", data={"username": "admin", "password": "nope", "next": "/dashboards/x"}, follow_redirects=False)
    assert failed.status_code == 303 and failed.headers["location"] == "/login?error=credentials&next=/dashboards/x"
    assert "Wrong username or password" in client.get(failed.headers["location"]).text

    response = client.post(
        "/auth/login", data={"username": "auditor", "password": PASSWORD, "next": "/dashboards/upload"}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/dashboards/upload"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{TOKEN_COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert decode_token(response.cookies[TOKEN_COOKIE], secret_key=TEST_SECRET).username == "auditor"
    # the cookie authenticates API calls too
    assert client.get("/api/v1/me").json()["username"] == "auditor"
    logout = client.post("/auth/logout", follow_redirects=False)
    assert logout.status_code == 303 and logout.headers["location"] == "/login"
    assert f'{TOKEN_COOKIE}=""' in logout.headers["set-cookie"] and "Max-Age=0" in logout.headers["set-cookie"]
    client.cookies.clear()
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil", "javascript:alert(1)", ""])
def test_login_never_redirects_off_site(world: World, target):
    response = world.client.post(
        "/auth/login", data={"username": "admin", "password": PASSWORD, "next": target}, follow_redirects=False
    )
    assert response.headers["location"] == "/dashboards/"
    page = world.client.get("/login", params={"next": target})
    assert 'name="next" value="/dashboards/"' in page.text


def test_login_page_escapes_next(world: World):
    page = world.client.get("/login", params={"next": '/x"><script>alert(1)</script>'})
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text


def test_root_redirects_to_dashboards(world: World):
    response = world.client.get("/", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/dashboards/"


def test_admin_creates_users(world: World):
    admin = world.headers("admin")
    body = {"username": "ln_auditor", "password": "long enough pw", "role": "auditor", "region_code": "210000"}
    created = world.client.post("/api/v1/users", json=body, headers=admin)
    assert created.status_code == 201 and created.json()["region_code"] == "210000"
    assert token_for(world, "ln_auditor", "long enough pw").status_code == 200
    assert world.client.post("/api/v1/users", json=body, headers=admin).status_code == 409
    unknown_region = world.client.post("/api/v1/users", json=body | {"username": "x2", "region_code": "999900"}, headers=admin)
    assert unknown_region.status_code == 422 and "999900" in unknown_region.json()["detail"]
    assert world.client.post("/api/v1/users", json=body | {"role": "root"}, headers=admin).status_code == 422
    names = [u["username"] for u in world.client.get("/api/v1/users", headers=admin).json()]
    assert "ln_auditor" in names and all("password" not in key for key in world.client.get("/api/v1/users", headers=admin).json()[0])


def test_healthz_is_public(world: World):
    for path in ("/healthz", "/api/v1/healthz"):
        response = world.client.get(path)
        assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok", "indicators": "off"}


def test_unknown_path_and_method_are_problems(world: World):
    missing = world.client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    wrong_method = world.client.delete("/api/v1/regions", headers=world.headers("admin"))
    assert wrong_method.status_code == 405 and wrong_method.json()["status"] == 405


def test_production_refuses_default_secret(database_url):
    with pytest.raises(InsecureSecretError):
        create_app(settings=Settings(environment="production", secret_key=DEFAULT_SECRET_KEY, database_url=database_url))
    for weak in ("x", "s" * 40, "0123456789abcdef" * 1 + "x" * 8, "abcabcabcabcabcabcabcabcabcabcabc"):
        with pytest.raises(InsecureSecretError, match="secrets.token_urlsafe"):
            create_app(settings=Settings(environment="production", secret_key=weak, database_url=database_url))
    for strong in (secrets.token_urlsafe(32), secrets.token_hex(32)):
        app = create_app(settings=Settings(environment="production", secret_key=strong, database_url=database_url))
        assert app.state.settings.is_production
    # development keeps working with any key
    assert not create_app(settings=Settings(secret_key="x", database_url=database_url)).state.settings.is_production


def test_healthz_reports_unreachable_database():
    from fastapi.testclient import TestClient

    app = create_app(settings=Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none", secret_key="s" * 40))
    with TestClient(app) as client:
        response = client.get("/healthz")
    assert response.status_code == 503 and response.headers["content-type"] == "application/problem+json"
