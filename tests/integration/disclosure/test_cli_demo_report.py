"""`jieneng disclosure` and the demo's publication on SQLite and PostgreSQL, and the annual report's published list."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from typer.testing import CliRunner

from app import migrate
from app.cli import app as cli
from app.db import session_scope
from app.domain.disclosure import Actor
from app.reports import build_annual_report
from app.reports.data import collect_report_data
from app.services import disclosure as ds
from app.services.users import create_user
from seeds.demo import publish_disclosures
from tests.integration.disclosure.conftest import REGION, YEAR


def invoke(runner, *args):
    return runner.invoke(cli, list(args))


@pytest.fixture
def demo_db(empty_database_url, use_database):
    use_database(empty_database_url)
    migrate.upgrade(empty_database_url)
    runner = CliRunner()
    assert invoke(runner, "seed", "reference").exit_code == 0
    assert invoke(runner, "seed", "demo", "--buildings-per-region", "4", "--seed", "5").exit_code == 0
    with session_scope() as session:
        for name, role, region in (("bj", "official", REGION), ("bj2", "official", REGION), ("ln", "official", "210000"),
                                   ("root", "admin", None), ("aud", "auditor", REGION)):
            create_user(session=session, username=name, password="a-long-password-1", role=role, region_code=region)
    return runner


def test_cli_walks_the_workflow(demo_db):
    runner = demo_db
    base = ["--year", str(YEAR), "--region", REGION]
    drafted = invoke(runner, "disclosure", "draft", *base, "--user", "bj")
    assert drafted.exit_code == 0, drafted.output
    assert f"{REGION} {YEAR}: draft" in drafted.output
    assert invoke(runner, "disclosure", "draft", *base, "--user", "ln").exit_code == 1  # other region
    assert invoke(runner, "disclosure", "draft", *base, "--user", "aud").exit_code == 1  # auditor
    assert invoke(runner, "disclosure", "draft", *base, "--user", "nobody").exit_code == 1
    with session_scope() as session:
        first = ds.draft_entries(session=session, region_code=REGION, year=YEAR)["code"].iloc[0]
    removed = invoke(runner, "disclosure", "remove", first, *base, "--user", "bj", "--reason", "under review")
    assert removed.exit_code == 0 and "removed 1" in removed.output
    assert invoke(runner, "disclosure", "approve", *base, "--user", "root").exit_code == 2  # not submitted
    assert invoke(runner, "disclosure", "submit", *base, "--user", "bj").exit_code == 0
    assert invoke(runner, "disclosure", "approve", *base, "--user", "bj").exit_code == 1  # own submission
    assert invoke(runner, "disclosure", "approve", *base, "--user", "bj2").exit_code == 0
    published = invoke(runner, "disclosure", "publish", *base, "--user", "bj")
    assert published.exit_code == 0 and f"published {REGION} {YEAR} version 1" in published.output
    listed = invoke(runner, "disclosure", "list", "--year", str(YEAR), "--json")
    rows = json.loads(listed.output)
    assert rows == [{**rows[0], "region_code": REGION, "status": "published", "removed": 1, "public_version": 1,
                     "latest_version": 1}]
    assert invoke(runner, "disclosure", "draft", *base, "--user", "bj").exit_code == 0
    assert invoke(runner, "disclosure", "submit", *base, "--user", "bj").exit_code == 2  # correction needs a note
    assert invoke(runner, "disclosure", "submit", *base, "--user", "bj", "--change-note", "fix").exit_code == 0
    assert invoke(runner, "disclosure", "approve", *base, "--user", "root").exit_code == 0
    assert "version 2" in invoke(runner, "disclosure", "publish", *base, "--user", "root").output
    withdrawn = invoke(runner, "disclosure", "withdraw", *base, "--user", "root", "--reason", "wrong data")
    assert withdrawn.exit_code == 0 and "withdrew 2 version(s)" in withdrawn.output
    rows = json.loads(invoke(runner, "disclosure", "list", "--json").output)
    assert rows[0]["status"] == "withdrawn" and rows[0]["public_version"] is None


def test_demo_publishes_beijing_and_shenzhen_once(demo_db):
    with session_scope() as session:
        versions = publish_disclosures(session)
        assert [(v.region_code, v.year, v.version) for v in versions] == [("110000", 2008, 1), ("440300", 2008, 1)]
        assert publish_disclosures(session) == []
        shenzhen = ds.public_version(session=session, region_code="440300", year=2008)
        items = ds.all_items(session=session, version_id=shenzhen.id)
        assert items and all(i.building_code.startswith("4403") for i in items)
        assert (shenzhen.submitted_by, shenzhen.approved_by) == ("demo_official_440300", "demo_admin")


def test_annual_report_holds_the_published_list_and_its_version(demo_db):
    with session_scope() as session:
        publish_disclosures(session, regions=(REGION,))
    with session_scope() as session:
        data = collect_report_data(session=session, year=YEAR, region_code=REGION)
        version = ds.public_version(session=session, region_code=REGION, year=YEAR)
        items = {i.building_code: i for i in ds.all_items(session=session, version_id=version.id)}
        content, _media, _name = build_annual_report(session=session, year=YEAR, region_code=REGION, fmt="xlsx")
        html, _media, _name = build_annual_report(session=session, year=YEAR, region_code=REGION, fmt="html")
    assert data.published is not None and data.published.versions[0][:2] == (REGION, 1)
    published = data.published.frame.set_index("building_code")
    assert set(published.index) == set(items)
    # the same buildings' figures in the report's building table
    report = data.buildings.set_index("code")
    for code, item in items.items():
        assert report.loc[code, "intensity_kwh_m2"] == pytest.approx(item.energy_kwh_m2, rel=1e-9)
        assert published.loc[code, "energy_kwh_m2"] == pytest.approx(item.energy_kwh_m2, rel=1e-12)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert "公示 Published" in book.sheetnames
    assert "第 1 版" in html.decode("utf-8")


def test_national_report_without_publications_has_no_published_table(demo_db):
    with session_scope() as session:
        data = collect_report_data(session=session, year=YEAR, region_code=None)
    assert data.published is None
    with session_scope() as session:
        ds.draft(session=session, actor=Actor("x", "admin", None), region_code=REGION, year=YEAR)
        assert collect_report_data(session=session, year=YEAR, region_code=None).published is None  # drafts never
