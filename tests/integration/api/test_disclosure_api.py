"""Disclosure over HTTP: the role × action × region matrix, what an anonymous visitor can and cannot see,
ETags, paging, downloads, read-only public endpoints and the rate limit."""

from __future__ import annotations

import io

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.api.main import create_app
from app.config import Settings
from app.domain.disclosure import Actor
from app.models import Finding, Upload
from app.services import disclosure as ds

YEAR = 2008
PREP = Actor("preparer", "admin", None)
OK_FOR = {  # user -> regions they may act on
    "admin": {"210000", "110000"},
    "official": {"210000"},
    "official_bj": {"110000"},
    "official_nation": {"210000", "110000"},
    "auditor": set(),
    None: set(),
}
AUDITOR_NAME = "辽宁省建筑节能检测中心"


def prepare(session, region: str, until: str) -> None:
    """Bring the region's list to the state just before ``until``, acting as someone else."""
    steps = ["draft", "submit", "approve", "publish", "withdraw"]
    calls = {
        "draft": lambda: ds.draft(session=session, actor=PREP, region_code=region, year=YEAR),
        "submit": lambda: ds.submit(session=session, actor=PREP, region_code=region, year=YEAR),
        "approve": lambda: ds.approve(session=session, actor=Actor("approver", "admin", None), region_code=region,
                                      year=YEAR),
        "publish": lambda: ds.publish(session=session, actor=PREP, region_code=region, year=YEAR),
    }
    for step in steps[:steps.index(until)]:
        calls[step]()


def call(world, username, region, action):
    url = f"/api/v1/disclosures/{region}/{YEAR}/{action}"
    body = {"reason": "matrix"} if action == "withdraw" else None
    return world.client.post(url, json=body, headers=world.headers(username))


@pytest.mark.parametrize("action", ["draft", "submit", "approve", "publish", "withdraw"])
@pytest.mark.parametrize("region", ["210000", "110000"])
@pytest.mark.parametrize("username", list(OK_FOR))
def test_role_action_region_matrix(world, username, region, action):
    prepare(world.session, region, action)
    response = call(world, username, region, action)
    if username is None:
        assert response.status_code == 401
    elif region in OK_FOR[username]:
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 403, response.text
        assert response.headers["content-type"].startswith("application/problem+json")


def test_the_submitter_cannot_approve_and_a_second_official_can(world):
    from app.models import User
    from tests.integration.api.conftest import _PASSWORD_HASH

    world.session.add(User(username="official_ln2", password_hash=_PASSWORD_HASH, role="official", region_code="210000"))
    world.session.flush()
    client, h = world.client, world.headers
    assert client.post(f"/api/v1/disclosures/210000/{YEAR}/draft", headers=h("official")).status_code == 200
    assert client.post(f"/api/v1/disclosures/210000/{YEAR}/submit", headers=h("official")).status_code == 200
    assert client.post(f"/api/v1/disclosures/210000/{YEAR}/approve", headers=h("official")).status_code == 403
    from app.security import create_access_token
    from tests.integration.api.conftest import TEST_SECRET

    token, _ = create_access_token(username="official_ln2", role="official", region_code="210000", secret_key=TEST_SECRET)
    second = client.post(f"/api/v1/disclosures/210000/{YEAR}/approve", headers={"Authorization": f"Bearer {token}"})
    assert second.status_code == 200 and second.json()["approved_by"] == "official_ln2"
    published = client.post(f"/api/v1/disclosures/210000/{YEAR}/publish", headers=h("official"))
    assert published.json()["version"] == 1


def test_workflow_state_errors_are_409(world):
    client, h = world.client, world.headers
    assert client.post(f"/api/v1/disclosures/210000/{YEAR}/approve", headers=h("admin")).status_code == 409
    client.post(f"/api/v1/disclosures/210000/{YEAR}/draft", headers=h("official"))
    assert client.post(f"/api/v1/disclosures/210000/{YEAR}/publish", headers=h("admin")).status_code == 409
    removed = client.put(f"/api/v1/disclosures/210000/{YEAR}/entries/210103B002", headers=h("official"),
                         json={"include": False, "reason": "商场停业 closed"})
    assert removed.status_code == 200 and removed.json()["removed"] == 1
    missing_reason = client.put(f"/api/v1/disclosures/210000/{YEAR}/entries/210103B002", headers=h("official"),
                                json={"include": True, "reason": ""})
    assert missing_reason.status_code == 422
    entries = client.get(f"/api/v1/disclosures/210000/{YEAR}/entries", headers=h("official")).json()
    assert {e["code"]: e["is_included"] for e in entries}["210103B002"] is False
    assert client.get(f"/api/v1/disclosures/210000/{YEAR}/entries", headers=h("official_bj")).status_code == 403
    listed = client.get("/api/v1/disclosures", headers=h("official_bj")).json()
    assert listed == []  # 辽宁's list is outside 北京's scope


def publish_liaoning(world, remove: str | None = "210103B002") -> None:
    session = world.session
    ds.draft(session=session, actor=PREP, region_code="210000", year=YEAR)
    if remove:
        ds.set_entry(session=session, actor=PREP, region_code="210000", year=YEAR, building_code=remove,
                     include=False, reason="held back")
    ds.submit(session=session, actor=PREP, region_code="210000", year=YEAR)
    ds.approve(session=session, actor=Actor("approver", "admin", None), region_code="210000", year=YEAR)
    ds.publish(session=session, actor=PREP, region_code="210000", year=YEAR)


def public_texts(client, region="210000") -> list[str]:
    """Every public surface of a region's list for the year, as text."""
    out = []
    for url in ("/disclosure/", f"/disclosure/{region}/{YEAR}", f"/disclosure/{region}/{YEAR}?lang=en",
                f"/api/v1/public/disclosures?year={YEAR}", f"/api/v1/public/disclosures/{region}/{YEAR}",
                f"/api/v1/public/disclosures/{region}/{YEAR}.csv"):
        out.append(client.get(url).text)
    for code in ("210102A001", "210103B002", "211002A001"):
        out.append(client.get(f"/disclosure/{region}/{YEAR}/{code}").text)
    return out


def test_anonymous_sees_the_published_list_only(world):
    client = world.client
    # a draft is invisible
    ds.draft(session=world.session, actor=PREP, region_code="210000", year=YEAR)
    assert client.get(f"/disclosure/210000/{YEAR}").status_code == 404
    assert client.get(f"/api/v1/public/disclosures/210000/{YEAR}").status_code == 404
    assert client.get(f"/api/v1/public/disclosures?year={YEAR}").json()["total"] == 0
    assert "沈阳市和平区政务中心" not in "".join(public_texts(client))
    ds.set_entry(session=world.session, actor=PREP, region_code="210000", year=YEAR, building_code="210103B002",
                 include=False, reason="held back")
    ds.submit(session=world.session, actor=PREP, region_code="210000", year=YEAR)
    ds.approve(session=world.session, actor=Actor("approver", "admin", None), region_code="210000", year=YEAR)
    ds.publish(session=world.session, actor=PREP, region_code="210000", year=YEAR)
    data = client.get(f"/api/v1/public/disclosures?year={YEAR}&region=210000").json()
    codes = {i["building_code"] for i in data["items"]}
    assert "210102A001" in codes
    assert "210103B002" not in codes  # removed from the list: unpublished
    texts = public_texts(client)
    joined = "".join(texts)
    assert "沈阳中街购物广场" not in joined and "沈阳市和平区政务中心" in joined
    assert AUDITOR_NAME not in joined  # auditor names never
    assert "preparer" not in joined and "approver" not in joined  # nor the workflow's people
    assert client.get(f"/disclosure/210000/{YEAR}/210103B002").status_code == 404
    assert client.get(f"/disclosure/210000/{YEAR}/210102A001").status_code == 200
    # 辽阳 reported 2008 only: no comparable basis, never a 0 % or -100 % change
    liaoyang = client.get(f"/disclosure/210000/{YEAR}/211002A001").text
    assert "无可比基础" in liaoyang and "%" not in liaoyang.split("较上年变化")[1].split("</dd>")[0]
    item = next(i for i in data["items"] if i["building_code"] == "211002A001")
    assert item["is_comparable"] is False and item["change_pct"] is None
    assert "no comparable basis" in client.get(f"/disclosure/210000/{YEAR}?lang=en").text


def test_no_raw_files_or_finding_codes_reach_the_public(world):
    upload = Upload(filename="shenyang-raw-2008.csv", content_sha256="a" * 64, size_bytes=1, kind="consumption",
                    uploaded_by="auditor", status="loaded")
    world.session.add(upload)
    world.session.flush()
    world.session.add(Finding(upload_id=upload.id, row=3, column="quantity", value="1", code="UNIT_UNKNOWN",
                              severity="notice", message_zh="单位", message_en="unit"))
    world.session.flush()
    publish_liaoning(world)
    joined = "".join(public_texts(world.client))
    for secret in ("shenyang-raw-2008.csv", "UNIT_UNKNOWN", "a" * 64, "/uploads/"):
        assert secret not in joined
    xlsx = world.client.get(f"/api/v1/public/disclosures/210000/{YEAR}.xlsx").content
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    cells = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row)
    assert AUDITOR_NAME not in cells and "UNIT_UNKNOWN" not in cells


def test_withdrawn_version_is_invisible(world):
    publish_liaoning(world)
    assert world.client.get(f"/disclosure/210000/{YEAR}").status_code == 200
    ds.withdraw(session=world.session, actor=PREP, region_code="210000", year=YEAR, reason="wrong figures")
    client = world.client
    assert client.get(f"/disclosure/210000/{YEAR}").status_code == 404
    assert client.get(f"/disclosure/210000/{YEAR}?version=1").status_code == 404
    assert client.get(f"/disclosure/210000/{YEAR}/210102A001").status_code == 404
    assert client.get(f"/api/v1/public/disclosures/210000/{YEAR}").status_code == 404
    assert client.get(f"/api/v1/public/disclosures/210000/{YEAR}.csv?version=1").status_code == 404
    assert client.get(f"/api/v1/public/disclosures?year={YEAR}").json()["items"] == []
    assert "210000" not in client.get("/disclosure/").text.split("<main")[1]
    assert "wrong figures" not in "".join(public_texts(client))


def test_public_json_is_paginated_and_cacheable(world):
    publish_liaoning(world, remove=None)
    client = world.client
    first = client.get(f"/api/v1/public/disclosures?year={YEAR}&region=210000&page_size=1")
    assert first.status_code == 200
    body = first.json()
    assert body["total"] == 3 and body["pages"] == 3 and len(body["items"]) == 1
    assert body["disclosures"][0]["version"] == 1
    assert body["disclosures"][0]["links"]["self"] == f"/api/v1/public/disclosures/210000/{YEAR}?version=1"
    header = client.get(body["disclosures"][0]["links"]["self"]).json()
    assert header["basis"]["previous_year"] == YEAR - 1 and "electricity" in header["factor_versions"]["calorific"]
    etag = first.headers["etag"]
    assert "max-age" in first.headers["cache-control"]
    again = client.get(f"/api/v1/public/disclosures?year={YEAR}&region=210000&page_size=1",
                       headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    second = client.get(f"/api/v1/public/disclosures?year={YEAR}&region=210000&page_size=1&page=2")
    assert second.headers["etag"] != etag
    assert second.json()["items"][0]["building_code"] != body["items"][0]["building_code"]
    item = body["items"][0]
    for key in ("energy_kwh_m2", "energy_kgce_m2", "benchmark_status", "benchmark_status_label_zh", "change_pct",
                "is_comparable", "floor_area_m2", "version"):
        assert key in item
    assert "auditor" not in item


def test_etag_changes_with_a_new_version(world):
    publish_liaoning(world, remove=None)
    client = world.client
    url = f"/api/v1/public/disclosures?year={YEAR}&region=210000"
    before = client.get(url).headers["etag"]
    session = world.session
    ds.draft(session=session, actor=PREP, region_code="210000", year=YEAR)
    ds.set_entry(session=session, actor=PREP, region_code="210000", year=YEAR, building_code="211002A001",
                 include=False, reason="correction")
    ds.submit(session=session, actor=PREP, region_code="210000", year=YEAR, change_note="辽阳楼撤下 removed one")
    ds.approve(session=session, actor=Actor("approver", "admin", None), region_code="210000", year=YEAR)
    ds.publish(session=session, actor=PREP, region_code="210000", year=YEAR)
    after = client.get(url, headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["etag"] != before
    assert {i["version"] for i in after.json()["items"]} == {2}
    header = client.get(f"/api/v1/public/disclosures/210000/{YEAR}").json()
    assert header["version"] == 2 and [v["version"] for v in header["versions"]] == [2, 1]
    old = client.get(f"/api/v1/public/disclosures/210000/{YEAR}.csv?version=1").text
    assert "211002A001" in old
    page = client.get(f"/disclosure/210000/{YEAR}").text
    assert "辽阳楼撤下" in page and f"/disclosure/210000/{YEAR}?version=1" in page


def test_downloads_carry_the_version(world):
    publish_liaoning(world, remove=None)
    client = world.client
    csv = client.get(f"/api/v1/public/disclosures/210000/{YEAR}.csv")
    assert csv.status_code == 200
    assert 'filename="disclosure-210000-2008-v1.csv"' in csv.headers["content-disposition"]
    lines = csv.content.decode("utf-8-sig").splitlines()
    header = lines[0].split(",")
    assert header[:4] == ["region_code", "region_name", "year", "version"]
    assert len(lines) == 4 and all(line.split(",")[3] == "1" for line in lines[1:])
    xlsx = client.get(f"/api/v1/public/disclosures/210000/{YEAR}.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    sheet = book["公示 Disclosure"]
    keys = [c.value for c in sheet[2]]
    assert keys[:4] == ["region_code", "region_name", "year", "version"]
    assert {row[3].value for row in sheet.iter_rows(min_row=3)} == {1}
    about = {r[0].value: r[1].value for r in book["说明 About"].iter_rows()}
    assert about["version 版本"] == "1" and "calorific" in about["factor_versions 折标系数"]


def test_public_endpoints_are_read_only(world):
    publish_liaoning(world)
    for url in ("/api/v1/public/disclosures", f"/api/v1/public/disclosures/210000/{YEAR}"):
        for method in ("post", "put", "delete", "patch"):
            assert getattr(world.client, method)(url).status_code == 405


def test_public_surfaces_are_rate_limited(engine, database_url, tmp_path):
    settings = Settings(database_url=database_url, secret_key="x" * 40, data_dir=tmp_path, public_rate_limit="3/minute",
                        refresh_interval_s=0)
    client = TestClient(create_app(settings=settings, engine=engine))
    codes = [client.get("/api/v1/public/disclosures").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/disclosure/")
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert client.get("/api/v1/healthz").status_code in (200, 503)  # other paths are not limited


def test_workflow_pages_need_a_signed_in_admin_or_official(world):
    from app.security import TOKEN_COOKIE

    client = world.client
    anonymous = client.get("/disclosure/manage", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=/disclosure/manage"
    assert client.post("/disclosure/manage/210000/2008/draft", follow_redirects=False).headers["location"].startswith(
        "/login")
    token = world.headers("auditor")["Authorization"].removeprefix("Bearer ")
    client.cookies.set(TOKEN_COOKIE, token)
    assert client.get("/disclosure/manage").status_code == 403
    refused = client.post(f"/disclosure/manage/210000/{YEAR}/draft", follow_redirects=False)
    assert refused.status_code == 303 and "error=" in refused.headers["location"]
    assert ds.get_list(session=world.session, region_code="210000", year=YEAR) is None
    client.cookies.set(TOKEN_COOKIE, world.headers("official")["Authorization"].removeprefix("Bearer "))
    outside = client.get(f"/disclosure/manage/110000/{YEAR}", follow_redirects=False)
    assert outside.status_code == 403  # 北京 is outside 辽宁
    done = client.post(f"/disclosure/manage/210000/{YEAR}/draft", follow_redirects=False)
    assert done.headers["location"] == f"/disclosure/manage/210000/{YEAR}?done=draft"
    page = client.get(done.headers["location"])
    assert page.status_code == 200 and "已起草 drafted" in page.text and 'id="status">draft<' in page.text
    assert page.headers["cache-control"] == "no-store"
    client.cookies.clear()
