"""`jieneng targets ...` and `jieneng assess` end to end on a fresh database with the hand-made data."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from app import migrate
from app.cli import app as cli
from app.db import session_scope
from seeds.loader import load_reference
from tests.conftest import DATA_DIR
from tests.integration.analytics_data import load_analytics


@pytest.fixture
def loaded(empty_database_url, use_database):
    use_database(empty_database_url)
    migrate.upgrade(empty_database_url)
    with session_scope() as session:
        load_reference(session)
        load_analytics(session)
    return empty_database_url


def test_decompose_progress_and_assess(loaded):
    runner = CliRunner(env={"COLUMNS": "240"})
    preview = runner.invoke(cli, ["targets", "decompose", "--cut-percent", "20", "--baseline-year", "2005",
                                  "--target-year", "2010", "--method", "baseline", "--preview", "--json"])
    assert preview.exit_code == 0, preview.output
    data = json.loads(preview.stdout)
    assert data["is_preview"] and data["root_id"] is None and data["saving_kgce"] == 242_407

    stored = runner.invoke(cli, ["targets", "decompose", "--scope", "national", "--cut-percent", "20",
                                 "--baseline-year", "2005", "--target-year", "2010", "--method", "baseline"])
    assert stored.exit_code == 0, stored.output
    assert "辽宁" in stored.stdout and "242.4" in stored.stdout

    listed = json.loads(runner.invoke(cli, ["targets", "list", "--json"]).stdout)
    assert {row["scope_code"] for row in listed} == {"000000", "110000", "210000", "210100", "310000"}

    progress = runner.invoke(cli, ["targets", "progress", "--year", "2008", "--json"])
    assert progress.exit_code == 0, progress.output
    rows = {row["region_code"]: row for row in json.loads(progress.stdout)}
    # Liaoning's basis is one office (the school's 2008 is a part year, the mall added gas): 25 % of its
    # baseline energy, too little to judge.
    assert rows["110000"]["status"] == "on_track" and rows["210000"]["status"] == "insufficient_basis"
    assert rows["210000"]["comparable_buildings"] == 1 and rows["210000"]["basis_coverage_pct"] < 80
    table = runner.invoke(cli, ["targets", "progress", "--year", "2008", "--region", "110000"])
    assert table.exit_code == 0 and "进度正常" in table.stdout

    assessed = runner.invoke(cli, ["assess", "--year", "2008", "--region", "110000", "--json"])
    assert assessed.exit_code == 0, assessed.output
    [beijing] = json.loads(assessed.stdout)
    assert beijing["score"] == 90.0 and beijing["grade_zh"] == "完成"  # 80 to 94 points
    assert len(beijing["sub_scores"]) == 5 and beijing["sub_scores"][0]["explanation_zh"]
    shown = runner.invoke(cli, ["assess", "--year", "2008", "--detail"])
    assert shown.exit_code == 0 and "未完成" in shown.stdout and "一票否决" in shown.stdout


def test_weights_file_and_errors(loaded):
    runner = CliRunner(env={"COLUMNS": "240"})
    result = runner.invoke(cli, ["targets", "decompose", "--saving-tce", "100", "--baseline-year", "2005",
                                 "--target-year", "2010", "--method", "weights", "--weights",
                                 str(DATA_DIR / "analytics" / "weights.csv"), "--preview", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["scope_code"]: r for r in json.loads(result.stdout)["rows"]}
    assert rows["210000"]["saving_kgce"] == 50_000  # capped at 50 tce
    assert rows["110000"]["saving_kgce"] == 25_000 and rows["310000"]["saving_kgce"] == 25_000
    both = runner.invoke(cli, ["targets", "decompose", "--saving-tce", "1", "--cut-percent", "1",
                               "--baseline-year", "2005", "--target-year", "2010"])
    assert both.exit_code == 2
    bad = runner.invoke(cli, ["targets", "decompose", "--saving-tce", "1", "--baseline-year", "2005",
                              "--target-year", "2010", "--method", "weights"])
    assert bad.exit_code == 2
    none = runner.invoke(cli, ["targets", "progress", "--year", "2008"])
    assert none.exit_code == 1


def test_decompose_refuses_a_saving_above_the_baseline(loaded):
    runner = CliRunner(env={"COLUMNS": "240"})
    # the 2005 national baseline is 1,212.0 tce
    result = runner.invoke(cli, ["targets", "decompose", "--saving-tce", "5000", "--baseline-year", "2005",
                                 "--target-year", "2010", "--preview"])
    assert result.exit_code == 2
    assert "exceeds the baseline use of 1,212.0 tce" in " ".join(result.output.split())
