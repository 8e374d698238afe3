"""Uploads through the API: the ETL report, region scope of auditors, limits, listings and files."""

from __future__ import annotations

import csv
import io

import pytest

from app.models import ConsumptionRecord
from tests.conftest import DATA_DIR
from tests.integration.api.conftest import World

FILES = DATA_DIR / "api"


def upload(world: World, user: str | None, name: str, kind: str = "consumption", **form):
    data = (FILES / name).read_bytes()
    return world.client.post(
        "/api/v1/uploads",
        headers=world.headers(user),
        files={"file": (name, data, "text/csv")},
        data={"kind": kind, **form},
    )


def test_auditor_upload_rejects_rows_outside_region(world: World):
    response = upload(world, "auditor", "upload_consumption.csv")
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["status"] == "partial" and report["rows_read"] == 5
    assert report["rows_accepted"] == 3 and report["rows_rejected"] == 2
    by_code = {(f["row"], f["code"]) for f in report["findings"] if f["severity"] == "error"}
    # rows are numbered as in the file, header = line 1
    assert by_code == {(5, "BUILDING_OUT_OF_SCOPE"), (6, "NEGATIVE")}  # 211002A001 lies in 辽阳, not 沈阳
    out_of_scope = next(f for f in report["findings"] if f["code"] == "BUILDING_OUT_OF_SCOPE")
    assert "210100" in out_of_scope["message"] and out_of_scope["value"] == "211002A001"
    loaded = world.session.query(ConsumptionRecord).filter_by(year=2009).all()
    codes = {world.buildings["210102A001"].id: "210102A001", world.buildings["210103B002"].id: "210103B002"}
    assert sorted((codes.get(r.building_id, "?"), r.month, r.quantity) for r in loaded) == [
        ("210102A001", 1, 91000.0), ("210102A001", 2, 88000.0), ("210103B002", 1, 520000.0)
    ]


def test_admin_upload_has_national_scope(world: World):
    report = upload(world, "admin", "upload_consumption.csv").json()
    assert report["rows_accepted"] == 4 and report["rows_rejected"] == 1
    assert not any(f["code"] == "BUILDING_OUT_OF_SCOPE" for f in report["findings"])


def test_all_or_nothing_and_dry_run(world: World):
    strict = upload(world, "admin", "upload_consumption.csv", policy="all_or_nothing").json()
    assert strict["status"] == "rejected" and strict["rows_accepted"] == 0
    dry = upload(world, "admin", "upload_consumption.csv", dry_run="true").json()
    assert dry["status"] == "dry_run"
    assert world.session.query(ConsumptionRecord).filter_by(year=2009).count() == 0


def test_mapping_profile_as_text_and_as_file(world: World):
    profile = (FILES / "mapping_profile.yaml").read_text(encoding="utf-8")
    as_text = upload(world, "auditor", "upload_mapped.csv", mapping=profile)
    assert as_text.status_code == 201 and as_text.json()["rows_accepted"] == 1, as_text.text
    response = world.client.post(
        "/api/v1/uploads",
        headers=world.headers("admin"),
        files={
            "file": ("upload_mapped.csv", (FILES / "upload_mapped.csv").read_bytes(), "text/csv"),
            "mapping_file": ("profile.yaml", profile.encode(), "application/yaml"),
        },
        data={"kind": "consumption", "dry_run": "true"},
    )
    assert response.status_code == 201 and response.json()["rows_accepted"] == 1
    bad = upload(world, "auditor", "upload_mapped.csv", mapping="fields: [unclosed")
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


def test_unreadable_file_is_415_and_still_recorded(world: World):
    response = upload(world, "auditor", "not_a_table.bin")
    assert response.status_code == 415
    body = response.json()
    assert body["status"] == 415 and body["report"]["file_rejected"] is True
    assert body["report"]["findings"][0]["code"] == "FILE_UNREADABLE"  # a zip signature, but no workbook
    listed = world.client.get("/api/v1/uploads", headers=world.headers("auditor")).json()
    assert listed[0]["id"] == body["report"]["upload_id"] and listed[0]["status"] == "rejected"


def test_wrong_columns_is_422_with_report(world: World):
    response = upload(world, "auditor", "wrong_columns.csv")
    assert response.status_code == 422
    assert response.json()["report"]["findings"][0]["code"] == "FILE_MISSING_COLUMNS"


@pytest.mark.parametrize("form", [{"kind": "photos"}, {"kind": "consumption", "policy": "maybe"}, {}])
def test_invalid_form_is_422(world: World, form):
    response = world.client.post(
        "/api/v1/uploads", headers=world.headers("admin"), files={"file": ("a.csv", b"a,b\n1,2\n", "text/csv")}, data=form
    )
    assert response.status_code == 422 and response.json()["errors"]


def test_over_the_size_limit_is_413(world: World):
    # the test settings allow 1 MB
    big = b"Building code,Period,Carrier,Quantity,Unit\n" + b"210102A001,2009-01,electricity,1,kWh\n" * 60_000
    assert len(big) > 1024 * 1024
    response = world.client.post(
        "/api/v1/uploads", headers=world.headers("admin"), files={"file": ("big.csv", big, "text/csv")},
        data={"kind": "consumption"},
    )
    assert response.status_code == 413 and response.headers["content-type"] == "application/problem+json"
    assert "1 MB" in response.json()["detail"]
    huge = big * 3  # over the limit plus the form allowance: refused from Content-Length before reading
    response = world.client.post(
        "/api/v1/uploads", headers=world.headers("admin"), files={"file": ("huge.csv", huge, "text/csv")},
        data={"kind": "consumption"},
    )
    assert response.status_code == 413
    assert world.client.get("/api/v1/uploads", headers=world.headers("admin")).json() == []


def test_official_cannot_upload_or_read_uploads(world: World):
    assert upload(world, "official", "upload_consumption.csv").status_code == 403
    assert world.client.get("/api/v1/uploads", headers=world.headers("official")).status_code == 403
    assert upload(world, None, "upload_consumption.csv").status_code == 401


def test_report_findings_csv_and_raw_bytes(world: World):
    report = upload(world, "auditor", "upload_consumption.csv").json()
    upload_id = report["upload_id"]
    auditor = world.headers("auditor")
    again = world.client.get(f"/api/v1/uploads/{upload_id}", headers=auditor).json()
    assert again["rows_rejected"] == 2 and len(again["findings"]) == len(report["findings"])
    findings = world.client.get(f"/api/v1/uploads/{upload_id}/findings.csv", headers=auditor)
    assert findings.status_code == 200 and findings.headers["content-type"].startswith("text/csv")
    assert findings.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(findings.content.decode("utf-8-sig"))))
    assert rows[0][0] == "行号 row" and {r[3] for r in rows[1:]} >= {"BUILDING_OUT_OF_SCOPE"}
    raw = world.client.get(f"/api/v1/uploads/{upload_id}/raw", headers=auditor)
    assert raw.content == (FILES / "upload_consumption.csv").read_bytes()
    assert "upload_consumption.csv" in raw.headers["content-disposition"]
    # another auditor's upload is not this auditor's to read; the admin reads all
    admin_upload = upload(world, "admin", "upload_mapped.csv", dry_run="true", mapping=(FILES / "mapping_profile.yaml").read_text())
    other = admin_upload.json()["upload_id"]
    assert world.client.get(f"/api/v1/uploads/{other}", headers=auditor).status_code == 403
    assert world.client.get(f"/api/v1/uploads/{upload_id}/raw", headers=world.headers("admin")).status_code == 200
    assert [u["id"] for u in world.client.get("/api/v1/uploads", headers=auditor).json()] == [upload_id]
    assert len(world.client.get("/api/v1/uploads", headers=world.headers("admin")).json()) == 2
    assert world.client.get("/api/v1/uploads/999999", headers=auditor).status_code == 404


def test_same_file_twice_is_a_duplicate(world: World):
    first = upload(world, "auditor", "upload_consumption.csv").json()
    second = upload(world, "auditor", "upload_consumption.csv")
    assert second.status_code == 201
    body = second.json()
    assert body["status"] == "duplicate" and str(first["upload_id"]) in body["findings"][0]["message_en"]
