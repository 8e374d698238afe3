"""Region summary, targets, progress, assessments and the annual report through the API."""

from __future__ import annotations

import pytest

from tests.conftest import DATA_DIR
from tests.integration.api.conftest import World

# 2008 figures of tests/data/api/consumption.csv, whole-meter rows only
SY_HEPING_KWH = sum(80000 + 1000 * m for m in range(1, 13))  # 1,038,000 kWh monthly
GAS_M3 = 52000
ZHONGJIE_KWH = 6_200_000
LIAOYANG_KWH = 520_000


def get(world: World, path: str, user: str = "admin", **params):
    return world.client.get(path, headers=world.headers(user), params=params)


def test_region_summary_totals_by_both_methods(world: World):
    response = get(world, "/api/v1/regions/210000/summary", "official", year=2008)
    assert response.status_code == 200, response.text
    body = response.json()
    totals = body["totals"]
    assert (body["name_zh"], body["year"], body["method"]) == ("辽宁", 2008, "calorific")
    assert totals["buildings_registered"] == 3 and totals["buildings_reporting"] == 3
    assert totals["buildings_complete"] == 3
    kwh = SY_HEPING_KWH + ZHONGJIE_KWH + LIAOYANG_KWH
    assert totals["kgce_calorific"] == pytest.approx(kwh * 0.1229 + GAS_M3 * 1.2143, rel=1e-6)
    assert totals["kgce_generation"] == pytest.approx(kwh * 0.349 + GAS_M3 * 1.2143, rel=1e-6)
    assert totals["floor_area_m2"] == 12000 + 46000 + 8600
    classes = {row["building_class"]: row for row in body["by_class"]}
    assert set(classes) == {"A", "B"} and classes["A"]["buildings_registered"] == 2
    assert classes["B"]["energy_kgce"] == pytest.approx(ZHONGJIE_KWH * 0.1229, rel=1e-6)
    assert sum(body["benchmark_status_counts"].values()) == 3
    assert body["target_progress"] == []


def test_region_summary_generation_method_and_city(world: World):
    body = get(world, "/api/v1/regions/210100/summary", "auditor", year=2008, method="generation").json()
    assert body["totals"]["buildings_registered"] == 2
    assert body["totals"]["energy_kgce"] == pytest.approx(
        (SY_HEPING_KWH + ZHONGJIE_KWH) * 0.349 + GAS_M3 * 1.2143, rel=1e-6
    )


def test_region_summary_scope_and_errors(world: World):
    assert get(world, "/api/v1/regions/210000/summary", "auditor", year=2008).status_code == 403
    assert get(world, "/api/v1/regions/000000/summary", "official", year=2008).status_code == 403
    assert get(world, "/api/v1/regions/990000/summary", year=2008).status_code == 404
    assert get(world, "/api/v1/regions/210000/summary").status_code == 422  # year is required
    empty = get(world, "/api/v1/regions/440300/summary", year=2008).json()  # 深圳 has no building here
    assert empty["totals"]["buildings_registered"] == 0 and empty["totals"]["energy_kgce"] == 0
    assert empty["totals"]["energy_kgce_m2"] is None


def test_building_detail_has_indicators_by_year(world: World):
    body = get(world, "/api/v1/buildings/210102A001").json()
    by_year = {row["year"]: row for row in body["indicators"]}
    assert set(by_year) == {2007, 2008}
    assert by_year[2008]["is_complete"] is True and by_year[2008]["months_reported"] == 12
    assert by_year[2008]["kgce_calorific"] == pytest.approx(SY_HEPING_KWH * 0.1229 + GAS_M3 * 1.2143, rel=1e-6)
    assert by_year[2008]["hvac_kwh"] == pytest.approx(sum(30000 + 500 * m for m in range(1, 13)))


def test_decompose_list_and_progress(world: World):
    body = {"cut_percent": 10, "baseline_year": 2007, "target_year": 2010, "method": "baseline"}
    preview = world.client.post("/api/v1/targets/decompose", json=body | {"preview": True}, headers=world.headers("admin"))
    assert preview.status_code == 201, preview.text
    assert preview.json()["is_preview"] is True
    assert get(world, "/api/v1/targets").json() == []

    created = world.client.post("/api/v1/targets/decompose", json=body, headers=world.headers("admin"))
    assert created.status_code == 201
    result = created.json()
    assert result["baseline_kgce"] == pytest.approx(1_050_000 * 0.1229, rel=1e-6)
    rows = result["rows"]
    children = [r for r in rows if r.get("parent_code") == "000000"]
    assert sum(r["saving_kgce"] for r in children) == pytest.approx(result["saving_kgce"], abs=1e-6)

    everything = get(world, "/api/v1/targets").json()
    assert {"000000", "210000", "210100"} <= {t["scope_code"] for t in everything}
    liaoning = get(world, "/api/v1/targets", "official").json()
    assert liaoning and {t["scope_code"] for t in liaoning} <= {"210000", "210100"}
    target = next(t for t in liaoning if t["scope_code"] == "210000")

    progress = get(world, f"/api/v1/targets/{target['id']}/progress", "official", year=2008)
    assert progress.status_code == 200, progress.text
    p = progress.json()
    assert p["target_id"] == target["id"] and p["region_code"] == "210000"
    # The one building with a 2007 baseline added natural gas in 2008: no comparable basis, so no progress.
    assert p["comparable_buildings"] == 0 and p["basis_label_en"] == "no comparable basis"
    assert p["status"] is None and p["percent_of_target"] is None and p["saving_kgce"] is None
    nation = next(t for t in everything if t["scope_code"] == "000000")
    assert get(world, f"/api/v1/targets/{nation['id']}/progress", "official", year=2008).status_code == 403
    assert get(world, "/api/v1/targets/987654/progress", year=2008).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"baseline_year": 2007, "target_year": 2010},  # neither amount
        {"saving_tce": 5, "cut_percent": 5, "baseline_year": 2007, "target_year": 2010},
        {"cut_percent": 10, "baseline_year": 2010, "target_year": 2007},
        {"cut_percent": 10, "baseline_year": 2007, "target_year": 2010, "method": "lottery"},
    ],
)
def test_decompose_invalid_is_422(world: World, body):
    response = world.client.post("/api/v1/targets/decompose", json=body, headers=world.headers("admin"))
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"


def test_decompose_is_admin_only(world: World):
    body = {"cut_percent": 10, "baseline_year": 2007, "target_year": 2010, "preview": True}
    for user in ("official", "auditor"):
        assert world.client.post("/api/v1/targets/decompose", json=body, headers=world.headers(user)).status_code == 403


def test_assessments_follow_scope(world: World):
    national = get(world, "/api/v1/assessments", year=2008).json()
    codes = {a["region_code"] for a in national}
    assert {"000000", "210000", "210100", "110000"} <= codes and len(codes) == 22
    scoped = get(world, "/api/v1/assessments", "official", year=2008).json()
    assert {a["region_code"] for a in scoped} == {"210000", "210100"}
    one = get(world, "/api/v1/assessments", "official", year=2008, region="210100").json()
    assert [a["region_code"] for a in one] == ["210100"]
    assert one[0]["grade"] and len(one[0]["sub_scores"]) >= 4
    assert get(world, "/api/v1/assessments", "official", year=2008, region="110000").status_code == 403
    assert get(world, "/api/v1/assessments", year=2008, region="130000").status_code == 404  # 河北 is no demonstration region


def test_annual_report_download_and_scope(world: World):
    response = get(world, "/api/v1/reports/annual", "official", year=2008, format="csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="jieneng-annual-2008-210000.csv"' in response.headers["content-disposition"]
    assert "辽宁".encode() in response.content
    html = get(world, "/api/v1/reports/annual", year=2008, region="210100", format="html")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert get(world, "/api/v1/reports/annual", "official", year=2008, region="110000").status_code == 403
    assert get(world, "/api/v1/reports/annual", "official", year=2008, region="000000").status_code == 403
    assert get(world, "/api/v1/reports/annual", year=2008, format="docx").status_code == 422
    xlsx = get(world, "/api/v1/reports/annual", year=2008)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_cached_summary_follows_new_uploads(world: World):
    before = get(world, "/api/v1/regions/210100/summary", "auditor", year=2009).json()
    assert before["totals"]["buildings_reporting"] == 0
    data = (DATA_DIR / "api" / "upload_consumption.csv").read_bytes()
    world.client.post(
        "/api/v1/uploads", headers=world.headers("auditor"), files={"file": ("s.csv", data, "text/csv")},
        data={"kind": "consumption"},
    ).raise_for_status()
    after = get(world, "/api/v1/regions/210100/summary", "auditor", year=2009).json()
    assert after["totals"]["buildings_reporting"] == 2
    detail = get(world, "/api/v1/buildings/210102A001", "auditor").json()
    assert {row["year"] for row in detail["indicators"]} == {2007, 2008, 2009}


def test_decompose_saving_above_the_baseline_is_refused_with_the_reason(world: World):
    # the 2007 baseline is 1,050,000 kWh * 0.1229 = 129.0 tce
    body = {"saving_tce": 500, "baseline_year": 2007, "target_year": 2010, "preview": True}
    response = world.client.post("/api/v1/targets/decompose", json=body, headers=world.headers("admin"))
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert "exceeds the baseline use of 129.0 tce" in detail and "超过基期能耗" in detail
    body["saving_tce"] = 100
    assert world.client.post("/api/v1/targets/decompose", json=body, headers=world.headers("admin")).status_code == 201
