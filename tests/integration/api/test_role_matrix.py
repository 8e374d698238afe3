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
    path_keys = {"code"} & params.keys()
    path = endpoint.path.format(**ids, **{k: params.pop(k) for k in path_keys})
    headers = world.headers(caller)
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
