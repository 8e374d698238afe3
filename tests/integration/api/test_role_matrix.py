"""Every endpoint called by every role and anonymously, with the status each must get.

admin: users, targets, everything national; official: reads in their scope (辽宁), no uploads;
auditor: uploads and reads in their scope (沈阳); anonymous: 401 except /healthz and the token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import DATA_DIR
from tests.integration.api.conftest import PASSWORD, World

CALLERS = ("admin", "official", "auditor", None)
UPLOAD_FILE = (DATA_DIR / "api" / "upload_consumption.csv").read_bytes()


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # may hold {upload_id} and {target_id}
    expected: tuple[int, int, int, int]  # admin, official, auditor, anonymous
    params: dict[str, Any] = field(default_factory=dict)
    kind: str = "plain"  # plain | token | user | upload | profile | decompose

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}" + (f" {self.params}" if self.params else "")


READ = (200, 200, 200, 401)
UPLOADER = (200, 403, 200, 401)
ADMIN = (200, 403, 403, 401)
DISCLOSER = (200, 200, 403, 401)
PUBLIC = (200, 200, 200, 200)
DISCLOSURE = {"region": "210000", "year": 2008}

ENDPOINTS = [
    Endpoint("GET", "/healthz", (200, 200, 200, 200)),
    Endpoint("GET", "/api/v1/healthz", (200, 200, 200, 200)),
    Endpoint("POST", "/api/v1/auth/token", (200, 200, 200, 200), kind="token"),
    Endpoint("GET", "/api/v1/me", READ),
    Endpoint("GET", "/api/v1/users", ADMIN),
    Endpoint("POST", "/api/v1/users", (201, 403, 403, 401), kind="user"),
    Endpoint("GET", "/api/v1/regions", READ),
    Endpoint("GET", "/api/v1/regions/{code}", READ, {"code": "210100"}),
    Endpoint("GET", "/api/v1/regions/{code}", (200, 403, 403, 401), {"code": "110000"}),
    Endpoint("GET", "/api/v1/regions/{code}/summary", READ, {"code": "210100", "year": 2008}),
    Endpoint("GET", "/api/v1/regions/{code}/summary", (200, 200, 403, 401), {"code": "210000", "year": 2008}),
    Endpoint("GET", "/api/v1/regions/{code}/comparison", READ, {"code": "210100", "year": 2008}),
    Endpoint("GET", "/api/v1/regions/{code}/comparison", (200, 200, 403, 401), {"code": "210000", "year": 2008}),
    Endpoint("GET", "/api/v1/buildings", READ),
    Endpoint("GET", "/api/v1/buildings/{code}", READ, {"code": "210102A001"}),
    Endpoint("GET", "/api/v1/buildings/{code}", (200, 200, 403, 401), {"code": "211002A001"}),
    Endpoint("GET", "/api/v1/buildings/{code}", (200, 403, 403, 401), {"code": "110105A001"}),
    Endpoint("GET", "/api/v1/consumption", READ, {"building": "210102A001"}),
    Endpoint("GET", "/api/v1/consumption", (200, 403, 403, 401), {"building": "110105A001"}),
    Endpoint("POST", "/api/v1/uploads", (201, 403, 201, 401), kind="upload"),
    Endpoint("GET", "/api/v1/uploads", UPLOADER),
    Endpoint("GET", "/api/v1/uploads/{upload_id}", UPLOADER),
    Endpoint("GET", "/api/v1/uploads/{upload_id}/findings.csv", UPLOADER),
    Endpoint("GET", "/api/v1/uploads/{upload_id}/raw", UPLOADER),
    Endpoint("GET", "/api/v1/mapping-profiles", UPLOADER),
    Endpoint("POST", "/api/v1/mapping-profiles", (201, 403, 201, 401), kind="profile"),
    Endpoint("GET", "/api/v1/targets", READ),
    Endpoint("POST", "/api/v1/targets/decompose", (201, 403, 403, 401), kind="decompose"),
    Endpoint("GET", "/api/v1/targets/{target_id}/progress", READ, {"year": 2008}),
    Endpoint("GET", "/api/v1/assessments", READ, {"year": 2008}),
    Endpoint("GET", "/api/v1/assessments", (200, 403, 403, 401), {"year": 2008, "region": "110000"}),
    Endpoint("GET", "/api/v1/reports/annual", READ, {"year": 2008, "region": "210100", "format": "csv"}),
    # without a region the report covers the caller's own scope; the national one is for national scopes
    Endpoint("GET", "/api/v1/reports/annual", READ, {"year": 2008, "format": "csv"}),
    Endpoint("GET", "/api/v1/reports/annual", (200, 403, 403, 401), {"year": 2008, "region": "000000", "format": "csv"}),
    # year-end disclosure: the workflow (each caller finds the list in the state the step needs) and open data
    Endpoint("GET", "/api/v1/disclosures", (200, 200, 403, 401)),
    *(Endpoint("POST", f"/api/v1/disclosures/{{region}}/{{year}}/{step}", DISCLOSER, DISCLOSURE, kind=step)
      for step in ("draft", "submit", "approve", "publish", "withdraw")),
    Endpoint("GET", "/api/v1/disclosures/{region}/{year}/entries", DISCLOSER, DISCLOSURE, kind="entries"),
    Endpoint("PUT", "/api/v1/disclosures/{region}/{year}/entries/{code}", DISCLOSER,
             {**DISCLOSURE, "code": "211002A001"}, kind="entries"),
    Endpoint("PUT", "/api/v1/disclosures/{region}/{year}/entries/{code}", (200, 403, 403, 401),
             {"region": "110000", "year": 2008, "code": "110105A001"}, kind="entries"),
    Endpoint("GET", "/api/v1/public/disclosures", PUBLIC),
    *(Endpoint("GET", f"/api/v1/public/disclosures/{{region}}/{{year}}{ext}", PUBLIC, DISCLOSURE, kind="publish_first")
      for ext in ("", ".csv", ".xlsx")),
]


def _setup(world: World) -> dict[str, int]:
    """An upload by the auditor and a stored decomposition whose 沈阳 row every role may read."""
    report = world.client.post(
        "/api/v1/uploads", headers=world.headers("auditor"),
        files={"file": ("survey.csv", UPLOAD_FILE, "text/csv")}, data={"kind": "consumption"},
    ).json()
    world.client.post(
        "/api/v1/targets/decompose", headers=world.headers("admin"),
        json={"cut_percent": 10, "baseline_year": 2007, "target_year": 2010},
    ).raise_for_status()
    targets = world.client.get("/api/v1/targets", headers=world.headers("admin")).json()
    return {"upload_id": report["upload_id"], "target_id": next(t["id"] for t in targets if t["scope_code"] == "210100")}


def _call(world: World, endpoint: Endpoint, caller: str | None, ids: dict[str, int]):
    params = dict(endpoint.params)
    path_keys = {k for k in params if "{" + k + "}" in endpoint.path}
    path = endpoint.path.format(**ids, **{k: params.pop(k) for k in path_keys})
    headers = world.headers(caller)
    if endpoint.path.startswith(("/api/v1/disclosures/", "/api/v1/public/disclosures/")):
        return _disclosure_call(world, endpoint, path, headers)
    if endpoint.kind == "token":
        return world.client.post(path, data={"username": caller or "official_nation", "password": PASSWORD})
    if endpoint.kind == "user":
        body = {"username": f"new_{caller}", "password": "a-long-password", "role": "official", "region_code": "210000"}
        return world.client.post(path, json=body, headers=headers)
    if endpoint.kind == "upload":
        return world.client.post(
            path, headers=headers, files={"file": ("survey.csv", UPLOAD_FILE, "text/csv")},
            data={"kind": "consumption", "dry_run": "true"},
        )
    if endpoint.kind == "profile":
        body = {"name": f"p-{caller}", "kind": "consumption", "spec": {"fields": {"period": "月"}}}
        return world.client.post(path, json=body, headers=headers)
    if endpoint.kind == "decompose":
        body = {"cut_percent": 5, "baseline_year": 2007, "target_year": 2010, "preview": True}
        return world.client.post(path, json=body, headers=headers)
    return world.client.request(endpoint.method, path, params=params, headers=headers)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_role_matrix(world: World, endpoint: Endpoint):
    ids = _setup(world)
    got = {}
    for caller, expected in zip(CALLERS, endpoint.expected, strict=True):
        response = _call(world, endpoint, caller, ids)
        got[caller or "anonymous"] = response.status_code
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json", response.text
            assert response.json()["status"] == response.status_code
        if caller is None and expected == 401:
            assert response.headers["www-authenticate"] == "Bearer"
    assert got == dict(zip(("admin", "official", "auditor", "anonymous"), endpoint.expected, strict=True))


def test_matrix_covers_every_operation(api_app):
    documented = {
        f"{method.upper()} {path}"
        for path, operations in api_app.openapi()["paths"].items()
        for method in operations
    }
    assert documented == {f"{e.method} {e.path}" for e in ENDPOINTS}


def _disclosure_call(world: World, endpoint: Endpoint, path: str, headers: dict[str, str]):
    """Bring the region's list to the state the step needs (acting as other users), then call."""
    from app.domain.disclosure import Actor
    from app.services import disclosure as ds

    session, region, year = world.session, path.split("/")[4 if "/public/" not in path else 5], 2008
    preparer, approver = Actor("preparer", "admin", None), Actor("approver", "admin", None)
    listing = ds.get_list(session=session, region_code=region, year=year)
    needs = {"submit": 1, "approve": 2, "publish": 3, "withdraw": 4, "publish_first": 4}.get(endpoint.kind, 0)
    if endpoint.kind == "publish_first" and ds.public_version(session=session, region_code=region, year=year):
        needs = 0
    if needs or endpoint.kind == "entries" or listing is None:
        ds.draft(session=session, actor=preparer, region_code=region, year=year)
    if needs >= 2:
        ds.submit(session=session, actor=preparer, region_code=region, year=year, change_note="matrix")
    if needs >= 3:
        ds.approve(session=session, actor=approver, region_code=region, year=year)
    if needs >= 4:
        ds.publish(session=session, actor=preparer, region_code=region, year=year)
    body = {"submit": {"change_note": "matrix"}, "withdraw": {"reason": "matrix"},
            "entries": {"include": False, "reason": "matrix"}}.get(endpoint.kind)
    if endpoint.method == "GET":
        return world.client.get(path, headers=headers)
    return world.client.request(endpoint.method, path, json=body, headers=headers)
