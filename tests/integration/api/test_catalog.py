"""Regions, buildings and consumption through the API, with region scopes."""

from __future__ import annotations

import pytest

from tests.integration.api.conftest import World


def get(world: World, path: str, user: str | None = "admin", **params):
    return world.client.get(path, headers=world.headers(user), params=params)


def test_regions_follow_scope(world: World):
    national = {r["code"] for r in get(world, "/api/v1/regions").json()}
    assert {"000000", "210000", "210100", "110000", "440300"} <= national
    liaoning = [r["code"] for r in get(world, "/api/v1/regions", "official").json()]
    assert liaoning == ["210000", "210100"]
    shenyang = [r["code"] for r in get(world, "/api/v1/regions", "auditor").json()]
    assert shenyang == ["210100"]


def test_region_detail_and_scope(world: World):
    body = get(world, "/api/v1/regions/210100", "official").json()
    assert body["name_zh"] == "沈阳" and body["parent_code"] == "210000" and body["climate_zone"] == "severe_cold"
    denied = get(world, "/api/v1/regions/210000", "auditor")
    assert denied.status_code == 403
    assert denied.headers["content-type"] == "application/problem+json"
    assert denied.json()["status"] == 403
    assert get(world, "/api/v1/regions/999900").status_code == 404


def test_buildings_region_scope(world: World):
    codes = lambda user, **p: [b["code"] for b in get(world, "/api/v1/buildings", user, **p).json()["items"]]
    assert codes("admin") == ["110101C003", "110105A001", "210102A001", "210103B002", "211002A001"]
    assert codes("official") == ["210102A001", "210103B002", "211002A001"]
    assert codes("auditor") == ["210102A001", "210103B002"]
    assert codes("official_bj") == ["110101C003", "110105A001"]
    # a region filter narrows within the scope; one outside the scope is refused
    assert codes("official", region="210100") == ["210102A001", "210103B002"]
    assert get(world, "/api/v1/buildings", "auditor", region="210000").status_code == 403


def test_buildings_filters_sort_pagination(world: World):
    body = get(world, "/api/v1/buildings", **{"class": "A"}).json()
    assert body["total"] == 3 and {b["code"] for b in body["items"]} == {"110105A001", "210102A001", "211002A001"}
    body = get(world, "/api/v1/buildings", is_government_office="true", is_large_public="true").json()
    assert [b["code"] for b in body["items"]] == ["110105A001"]
    body = get(world, "/api/v1/buildings", is_large_public="false").json()
    assert body["total"] == 2
    body = get(world, "/api/v1/buildings", q="政务").json()
    assert [b["name"] for b in body["items"]] == ["北京市朝阳区政务服务中心", "沈阳市和平区政务中心"]
    assert get(world, "/api/v1/buildings", q="2101").json()["total"] == 2
    assert get(world, "/api/v1/buildings", q="%").json()["total"] == 0  # wildcards are literal
    body = get(world, "/api/v1/buildings", sort="-floor_area_m2", page_size=2).json()
    assert body["total"] == 5 and [b["floor_area_m2"] for b in body["items"]] == [46000, 31000]
    body = get(world, "/api/v1/buildings", sort="-floor_area_m2", page_size=2, page=3).json()
    assert [b["code"] for b in body["items"]] == ["211002A001"]
    assert get(world, "/api/v1/buildings", page=99).json()["items"] == []


@pytest.mark.parametrize(
    "params",
    [{"sort": "password"}, {"page": 0}, {"page_size": 501}, {"class": "Z"}, {"region": "21"}, {"q": "a\x00b"}],
)
def test_buildings_invalid_params_are_422_problems(world: World, params):
    response = get(world, "/api/v1/buildings", **params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422 and body["errors"] and body["title"] == "Unprocessable Content"


def test_building_detail(world: World):
    body = get(world, "/api/v1/buildings/210102A001", "auditor").json()
    assert body["building"]["climate_zone"] == "severe_cold" and body["building"]["city_code"] == "210100"
    totals = {(t["year"], t["carrier_code"]): t for t in body["annual_totals"]}
    # 2008 electricity: twelve months of 80,000 + 1,000·m kWh, sub-item B not added
    assert totals[(2008, "electricity")]["quantity"] == pytest.approx(12 * 80000 + 1000 * 78)
    assert totals[(2008, "electricity")]["periods_reported"] == 12
    assert totals[(2008, "electricity")]["kgce_calorific"] == pytest.approx(1_038_000 * 0.1229, rel=1e-6)
    assert totals[(2007, "electricity")]["grain"] == "A"
    assert totals[(2008, "natural_gas")]["kgce_generation"] == pytest.approx(52000 * 1.2143)
    audit = body["audits"][0]
    assert audit["audit_year"] == 2008 and audit["measures"][0]["expected_saving_tce"] == 42.5
    assert body["history"]["attributes"][0]["old_values"] == {"floor_area_m2": 11800.0}
    assert body["history"]["consumption"][0]["quantity"] == 79000


def test_building_scope_and_missing(world: World):
    assert get(world, "/api/v1/buildings/110105A001", "official").status_code == 403
    assert get(world, "/api/v1/buildings/211002A001", "auditor").status_code == 403
    assert get(world, "/api/v1/buildings/211002A001", "official").status_code == 200
    missing = get(world, "/api/v1/buildings/999999Z999")
    assert missing.status_code == 404 and missing.json()["instance"] == "/api/v1/buildings/999999Z999"


def test_consumption_range_and_carrier(world: World):
    def fetch(**params):
        response = get(world, "/api/v1/consumption", building="210102A001", **params)
        assert response.status_code == 200, response.text
        return response.json()["records"]

    everything = fetch()
    assert len(everything) == 12 * 2 + 2
    spring = fetch(**{"from": "2008-03", "to": "2008-05"})
    assert {(r["carrier_code"], r["month"], r["sub_item"]) for r in spring} == {
        ("electricity", m, s) for m in (3, 4, 5) for s in ("", "B")
    } | {("natural_gas", 0, "")}
    # an annual figure is included when its year overlaps the range
    assert {(r["carrier_code"], r["year"]) for r in fetch(**{"from": "2008-06"}) if r["month"] == 0} == {("natural_gas", 2008)}
    assert [r["year"] for r in fetch(to="2007")] == [2007]
    gas = fetch(carrier="natural_gas")
    assert len(gas) == 1 and gas[0]["unit_reported"] == "m3"


@pytest.mark.parametrize("params", [{"from": "2008-13"}, {"from": "08-01"}, {}])
def test_consumption_invalid(world: World, params):
    response = get(world, "/api/v1/consumption", **({"building": "210102A001"} | params if params else {}))
    assert response.status_code == 422
    assert response.json()["status"] == 422


def test_consumption_scope(world: World):
    assert get(world, "/api/v1/consumption", "auditor", building="211002A001").status_code == 403
    assert get(world, "/api/v1/consumption", building="000000X000").status_code == 404
