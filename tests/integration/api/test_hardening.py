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


# ------------------------------------------------------------------------------------- 5. mapping profiles
ALIAS_BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
fields: {building_code: *f}
"""


def _upload(world: World, name: str, data: bytes, **form):
    return world.client.post("/api/v1/uploads", headers=world.headers("admin"), files={"file": (name, data, "text/csv")},
                             data={"kind": "consumption", **form})


def test_yaml_alias_bomb_in_a_mapping_is_refused(world: World):
    response = _upload(world, "a.csv", b"building_code,period\n1,2\n", mapping=ALIAS_BOMB)
    assert response.status_code == 422 and "aliases are not allowed" in response.json()["detail"]
    as_file = world.client.post("/api/v1/uploads", headers=world.headers("admin"),
                                files={"file": ("a.csv", b"x\n1\n", "text/csv"), "mapping_file": ("m.yaml", ALIAS_BOMB.encode())},
                                data={"kind": "consumption"})
    assert as_file.status_code == 422
    assert world.session.scalar(select(Upload).limit(1)) is None


def test_oversized_mapping_is_refused_before_parsing(world: World):
    big = "fields:\n" + "".join(f"  f{i}: column_{i}\n" for i in range(5000))
    assert len(big) > 64 * 1024
    as_file = world.client.post("/api/v1/uploads", headers=world.headers("admin"),
                                files={"file": ("a.csv", b"x\n1\n", "text/csv"), "mapping_file": ("m.yaml", big.encode())},
                                data={"kind": "consumption"})
    assert as_file.status_code == 422 and "64 KB" in as_file.json()["detail"]


def test_the_normalised_profile_is_stored(world: World):
    text = "# comment\nfields:\n  building_code: {column: '  楼号 ', ignored: 1}\n  period: 月\nextra: [1, 2]\n"
    data = "楼号,月,能源品种,用量,单位\n210102A001,2008-01,电,1,kWh\n".encode()
    response = _upload(world, "m.csv", data, mapping=text, dry_run="true")
    assert response.status_code == 201, response.text
    stored = world.session.get(Upload, response.json()["upload_id"]).options["mapping"]
    assert stored == {"fields": {"building_code": {"column": "楼号"}, "period": "月"}, "wide": {}, "values": {},
                      "header_row": None}


# ------------------------------------------------------------------------------------- 9. file names
@pytest.mark.parametrize(("sent", "stored"), [
    ("../../etc/passwd.csv", "passwd.csv"),
    ("..\\..\\windows\\能耗.csv", "能耗.csv"),
    ("a:b*?<x>|.csv", "a_b_x_.csv"),
    ("..", "upload"),
])
def test_display_name_is_sanitised_when_stored(world: World, sent, stored):
    data = "建筑编号,统计期,能源品种,用量,单位\n210102A001,2008-01,电,1,kWh\n".encode()
    response = _upload(world, sent, data, dry_run="true")
    assert response.status_code == 201, response.text
    upload = world.session.get(Upload, response.json()["upload_id"])
    assert upload.filename == stored and response.json()["filename"] == stored
    raw = world.client.get(f"/api/v1/uploads/{upload.id}/raw", headers=world.headers("admin"))
    disposition = raw.headers["content-disposition"]
    assert raw.status_code == 200 and ".." not in disposition and "/" not in disposition and "\\" not in disposition
    assert "\r" not in disposition and "\n" not in disposition and disposition.count('"') == 2


def test_display_name_drops_control_and_quote_characters():
    from etl.extract import display_name

    assert display_name('a"b\r\nX-Evil: 1.csv') == "a_b_X-Evil_ 1.csv"
    assert display_name("/tmp/\x00.csv") == "csv"
    assert display_name(None) == "upload" and len(display_name("x" * 1000)) == 255


# ------------------------------------------------------------------------------------- 6. production secret
def test_serve_refuses_a_short_secret_in_production(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    env = os.environ | {"JIENENG_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "JIENENG_ENVIRONMENT": "production",
                        "JIENENG_SECRET_KEY": "x", "PYTHONPATH": str(root)}
    result = subprocess.run([sys.executable, "-m", "app.cli", "serve", "--port", "1"], env=env, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 2 and "at least 32 bytes" in result.stderr and "token_urlsafe" in result.stderr


# ------------------------------------------------------------------------------------- 10. schema and behaviour agree
@pytest.mark.parametrize("path", ["/api/v1/uploads", "/api/v1/users"])
def test_options_is_405_with_every_allowed_method(world: World, path):
    response = world.client.options(path, headers=world.headers("admin"))
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} == {"GET", "POST"}


def test_schema_declares_the_constraints_the_api_enforces(world: World):
    spec = world.client.get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]
    one_of = schemas["DecomposeIn"]["oneOf"]
    assert [branch["required"] for branch in one_of] == [["saving_tce"], ["cut_percent"]]
    upload_body = spec["paths"]["/api/v1/uploads"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    body = schemas[upload_body["$ref"].rsplit("/", 1)[-1]] if "$ref" in upload_body else upload_body
    assert body["properties"]["file"]["minLength"] == 1
    report = schemas["ImportReportOut"]
    assert report["properties"]["upload_id"]["type"] == "integer" and "upload_id" in report["required"]
    params = {p["name"]: p for p in spec["paths"]["/api/v1/consumption"]["get"]["parameters"]}
    assert "'from' after 'to' is an empty range" in params["from"]["description"]


def test_reversed_period_is_an_empty_range_not_an_error(world: World):
    headers = world.headers("admin")
    both = world.client.get("/api/v1/consumption", params={"building": "210102A001", "from": "2008-01", "to": "2008-12"},
                            headers=headers)
    assert both.status_code == 200 and both.json()["records"]
    reversed_ = world.client.get("/api/v1/consumption",
                                 params={"building": "210102A001", "from": "2008-12", "to": "2008-01"}, headers=headers)
    assert reversed_.status_code == 200 and reversed_.json()["records"] == []
    assert world.client.get("/api/v1/consumption", params={"building": "210102A001", "from": "2008-13"},
                            headers=headers).status_code == 422


def test_dry_run_upload_has_an_id_its_report_link_follows(world: World):
    data = "建筑编号,统计期,能源品种,用量,单位\n210102A001,2008-01,电,1,kWh\n".encode()
    body = _upload(world, "d.csv", data, dry_run="true").json()
    assert isinstance(body["upload_id"], int) and body["status"] == "dry_run"
    again = world.client.get(f"/api/v1/uploads/{body['upload_id']}", headers=world.headers("admin"))
    assert again.status_code == 200 and again.json()["status"] == "dry_run"


def test_findings_csv_from_the_api_is_inert(world: World):
    data = "建筑编号,统计期,能源品种,用量,单位\n210102A001,2008-01,电,=HYPERLINK(\"http://x\"),kWh\n210102A001,2008-02,@SUM(1),1,kWh\n"
    upload_id = _upload(world, "f.csv", data.encode()).json()["upload_id"]
    blob = world.client.get(f"/api/v1/uploads/{upload_id}/findings.csv", headers=world.headers("admin")).content
    cells = [c for row in csv.reader(io.StringIO(blob.decode("utf-8-sig"))) for c in row]
    assert "'=HYPERLINK(\"http://x\")" in cells and "'@SUM(1)" in cells
    assert not [c for c in cells if c[:1] in "=+-@"]
