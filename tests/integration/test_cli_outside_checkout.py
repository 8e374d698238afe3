"""The `jieneng` command run from another folder: settings file, environment, unmigrated databases, demo accounts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import migrate
from app.db import make_engine, session_scope
from seeds.loader import load_reference

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIENENG_")}
    env.update({"PYTHONPATH": str(ROOT), "JIENENG_SETTINGS_FILE": str(tmp_path / "settings.env"), "COLUMNS": "200"},
               **extra)
    return env


def _jieneng(args: list[str], *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=180, check=False)


@pytest.fixture
def elsewhere(tmp_path) -> Path:
    folder = tmp_path / "somewhere" / "else"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """A migrated data directory with the reference data."""
    folder = tmp_path / "data"
    url = f"sqlite:///{folder / 'jieneng.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        load_reference(session)
    engine.dispose()
    return folder


def test_no_database_says_how_to_fix_it_and_creates_nothing(tmp_path, elsewhere):
    result = _jieneng(["report", "annual", "--year", "2008", "--format", "csv", "--out", "r.csv"], cwd=elsewhere,
                      env=_env(tmp_path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "no such table" not in result.stderr
    assert "no database at" in result.stderr and "jieneng db upgrade" in result.stderr
    assert list(elsewhere.iterdir()) == []  # no ./var/jieneng.db left behind


def test_unmigrated_database_exit_code_2(tmp_path, elsewhere):
    empty = tmp_path / "empty"
    empty.mkdir()
    make_engine(f"sqlite:///{empty / 'jieneng.db'}").connect().close()  # a file without a schema
    result = _jieneng(["summary", "--year", "2007"], cwd=elsewhere, env=_env(tmp_path, JIENENG_DATA_DIR=str(empty)))
    assert result.returncode == 2
    assert "not migrated" in result.stderr and "jieneng db upgrade" in result.stderr
    assert "Traceback" not in result.stderr


def test_database_behind_the_newest_revision(tmp_path, elsewhere):
    old = tmp_path / "old"
    migrate.upgrade(f"sqlite:///{old / 'jieneng.db'}", revision="0001")
    result = _jieneng(["summary", "--year", "2007"], cwd=elsewhere, env=_env(tmp_path, JIENENG_DATA_DIR=str(old)))
    assert result.returncode == 2 and "at revision 0001" in result.stderr


def test_settings_file_finds_the_data_directory_from_any_folder(tmp_path, elsewhere, data_dir):
    (tmp_path / "settings.env").write_text(f"JIENENG_DATA_DIR={data_dir}\n", encoding="utf-8")
    shown = _jieneng(["config"], cwd=elsewhere, env=_env(tmp_path))
    assert shown.returncode == 0, shown.stderr
    assert str(data_dir) in shown.stdout and "current" in shown.stdout
    summary = _jieneng(["summary", "--year", "2007", "--json"], cwd=elsewhere, env=_env(tmp_path))
    assert summary.returncode == 0, summary.stderr
    assert json.loads(summary.stdout)["buildings_registered"] == 0
    assert not (elsewhere / "var").exists()
    # the environment wins over the settings file
    other = _jieneng(["config"], cwd=elsewhere, env=_env(tmp_path, JIENENG_DATA_DIR=str(tmp_path / "other")))
    assert other.returncode == 2 and str(tmp_path / "other") in other.stdout


def test_demo_save_settings_and_demo_passwords_are_kept(tmp_path, elsewhere, data_dir):
    env = _env(tmp_path, JIENENG_DATA_DIR=str(data_dir))
    first = _jieneng(["demo", "--no-serve", "--buildings-per-region", "1", "--save-settings"], cwd=elsewhere, env=env)
    assert first.returncode == 0, first.stderr
    settings = (tmp_path / "settings.env").read_text(encoding="utf-8")
    assert f"JIENENG_DATA_DIR={data_dir}" in settings
    kept = json.loads((data_dir / "demo-accounts.json").read_text(encoding="utf-8"))
    assert set(kept) == {"demo_admin", "demo_official", "demo_auditor"}
    assert oct((data_dir / "demo-accounts.json").stat().st_mode & 0o777) == "0o600"
    # the table names the regions, not only their codes
    assert "辽宁 210000" in first.stdout and "沈阳 210100" in first.stdout and "全国 national" in first.stdout
    assert kept["demo_admin"] in first.stdout

    again = _jieneng(["demo", "--no-serve", "--buildings-per-region", "1"], cwd=elsewhere, env=env)
    assert again.returncode == 0, again.stderr
    assert json.loads((data_dir / "demo-accounts.json").read_text(encoding="utf-8")) == kept
    assert kept["demo_official"] in again.stdout and "passwords unchanged" in again.stderr

    from app.services.users import authenticate

    engine = make_engine(f"sqlite:///{data_dir / 'jieneng.db'}")
    with session_scope(engine) as session:
        assert authenticate(session=session, username="demo_auditor", password=kept["demo_auditor"]) is not None
    reset = _jieneng(["users", "demo", "--reset"], cwd=elsewhere, env=env)
    assert reset.returncode == 0, reset.stderr
    fresh = json.loads((data_dir / "demo-accounts.json").read_text(encoding="utf-8"))
    assert all(fresh[name] != kept[name] for name in kept)
    with session_scope(engine) as session:
        assert authenticate(session=session, username="demo_auditor", password=kept["demo_auditor"]) is None
        assert authenticate(session=session, username="demo_auditor", password=fresh["demo_auditor"]) is not None
    engine.dispose()


def test_import_findings_piped_are_sorted_by_row_and_untruncated(tmp_path, elsewhere, data_dir):
    env = _env(tmp_path, JIENENG_DATA_DIR=str(data_dir))
    buildings = ROOT / "tests" / "data" / "etl" / "buildings_ok.csv"
    assert _jieneng(["import", "buildings", str(buildings)], cwd=elsewhere, env=env).returncode == 0
    survey = elsewhere / "survey.csv"
    survey.write_text(
        "建筑编号,统计期,能源品种,用量,单位\n"
        "110105A001,2007-01,电,120000,kWh\n"
        "999999Z999,2007-02,电,110000,kWh\n"       # row 3: unknown building (checked late)
        "110105A001,2007-13,电,100000,kWh\n"       # row 4: no such month
        "110105A001,2007-04,电,abc,kWh\n"          # row 5: not a number (checked early)
        "110105A001,2007-05,电,90000,furlongs\n"   # row 6: unknown unit
        "110105A001,2007-06,蒸汽,90000,kWh\n",     # row 7: unknown carrier
        encoding="utf-8")
    result = _jieneng(["import", "consumption", str(survey)], cwd=elsewhere, env=env)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    header = lines.index("\t".join(("row", "column", "value", "code", "severity", "message_zh", "message_en")))
    rows = [line.split("\t") for line in lines[header + 1:]]
    numbers = [int(r[0]) for r in rows if r[0]]
    assert numbers == sorted(numbers) and {3, 4, 5, 6, 7} <= set(numbers)
    assert all(len(r) == 7 for r in rows)
    # nothing cut: every code and message is whole, as the JSON report has them
    report = json.loads(_jieneng(["import", "consumption", str(survey), "--json", "--dry-run"], cwd=elsewhere,
                                 env=env).stdout)
    assert sorted(r[3] for r in rows) == sorted(f["code"] for f in report["findings"])
    whole = {" ".join(f["message_en"].split()) for f in report["findings"]}
    assert {r[6] for r in rows} == whole
    assert "…" not in result.stdout


def test_help_needs_no_database(tmp_path, elsewhere):
    result = _jieneng(["report", "annual", "--help"], cwd=elsewhere, env=_env(tmp_path))
    assert result.returncode == 0 and "--format" in result.stdout
    assert list(elsewhere.iterdir()) == []
