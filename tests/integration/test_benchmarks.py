"""The benchmark suite at a small scale: the national data set generator and loader, and run.py."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from app import migrate
from app.db import make_engine, session_scope
from app.models import Building, ConsumptionRecord, ConsumptionSeries
from app.services.summary import year_summary
from benchmarks import national
from benchmarks import harness
from benchmarks.harness import measure, overall_peak_rss_mb, percentile, step_rows
from benchmarks.run import (
    BEGIN,
    END,
    discover,
    render_markdown,
    validate_rows,
    without_run,
)
from tests.integration._postgres import fresh_postgres_database

ROOT = Path(__file__).resolve().parents[2]
BUILDINGS = 63  # three per demonstration region
# kgce per canonical unit (GB/T 2589), as in seeds/conversion_factors.csv
CALORIFIC = {"electricity": 0.1229, "natural_gas": 1.2143, "district_heat": 0.03412}


def _digest(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*.csv"))}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> national.Dataset:
    return national.generate(cache_dir=tmp_path_factory.mktemp("cache"), buildings=BUILDINGS)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'national.db'}"
        return
    with fresh_postgres_database("jn_prod_national") as url:
        yield url


def test_generate_writes_survey_files_matching_the_manifest(dataset):
    m = dataset.manifest
    buildings = pd.read_csv(dataset.buildings_csv, dtype={"building_code": str, "district_code": str})
    assert list(buildings.columns) == national.BUILDING_COLUMNS
    assert len(buildings) == m["buildings"] == BUILDINGS
    assert buildings.building_code.is_unique
    assert (buildings.district_code.str[:6] == buildings.building_code.str[:6]).all()
    assert len(dataset.consumption_files) == 21
    survey = pd.concat(
        [pd.read_csv(p, dtype={"building_code": str, "period": str, "sub_item": str}, keep_default_na=False)
         .assign(file=p.stem) for p in dataset.consumption_files],
        ignore_index=True,
    )
    assert list(survey.columns[:-1]) == national.CONSUMPTION_COLUMNS
    assert len(survey) == m["consumption_rows"]
    assert set(survey.building_code) == set(buildings.building_code)
    # A building's rows are all in one regional file, and that region contains it by code prefix.
    assert survey.groupby("building_code").file.nunique().max() == 1
    assert all(code.startswith(f[:4] if f[2:] != "0000" else f[:2]) for code, f in zip(survey.building_code, survey.file))
    assert set(survey.carrier) == {"electricity", "natural_gas", "district_heat"}
    assert set(survey.period.str[:4].astype(int)) == {2005, 2006, 2007, 2008}
    assert survey.period.str.fullmatch(r"\d{4}(-(0[1-9]|1[0-2]))?").all()
    assert (survey.quantity >= 0).all()
    # No building-carrier-period is reported twice for the same sub-item.
    assert not survey.duplicated(["building_code", "period", "carrier", "sub_item"]).any()
    long = pd.read_csv(dataset.long_csv, dtype={"building_code": str, "period": str})
    assert len(long) == m["long_csv_rows"] == min(national.LONG_CSV_ROWS, m["whole_meter_rows"])
    assert list(long.columns) == ["building_code", "period", "carrier", "quantity", "unit"]
    assert set(long.building_code) <= set(buildings.building_code)


def test_generate_is_deterministic_and_cached(dataset, tmp_path):
    again = national.generate(cache_dir=tmp_path, buildings=BUILDINGS)
    assert _digest(again.directory) == _digest(dataset.directory)
    # The second call in the same cache reuses the files instead of regenerating them.
    before = (again.directory / "manifest.json").stat().st_mtime_ns
    cached = national.generate(cache_dir=tmp_path, buildings=BUILDINGS)
    assert (cached.directory / "manifest.json").stat().st_mtime_ns == before
    assert cached.manifest == again.manifest


def test_load_is_set_based_complete_and_idempotent(dataset, empty_database_url):
    url = empty_database_url
    cache_dir = dataset.directory.parent
    loaded = national.ensure_loaded(database_url=url, cache_dir=cache_dir, buildings=BUILDINGS)
    assert loaded.directory == dataset.directory
    assert national.loaded_counts(url) == (BUILDINGS, dataset.manifest["consumption_rows"])

    survey = pd.concat([pd.read_csv(p, dtype={"period": str, "sub_item": str}, keep_default_na=False)
                        for p in dataset.consumption_files])
    whole_2008 = survey[(survey.sub_item == "") & survey.period.str.startswith("2008")]
    expected_kgce = (whole_2008.quantity * whole_2008.carrier.map(CALORIFIC)).sum()
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            summary = year_summary(session=session, year=2008)
            series = session.scalar(select(func.count()).select_from(ConsumptionSeries))
            derived = session.execute(select(Building.code, Building.province_code, Building.city_code,
                                             Building.climate_zone)).all()
            annual = session.scalar(select(func.count()).select_from(ConsumptionRecord)
                                    .where(ConsumptionRecord.month == 0, ConsumptionRecord.grain == "A"))
    finally:
        engine.dispose()
    assert summary.buildings_reporting == whole_2008.building_code.nunique()
    assert summary.all_reported_kgce_calorific == pytest.approx(expected_kgce, rel=1e-6)
    assert series == dataset.manifest["series"]
    assert annual == (survey.period.str.len() == 4).sum()
    assert all(p == c[:2] + "0000" and ci == c[:4] + "00" and z for c, p, ci, z in derived)
    # Constraints and indexes dropped for the bulk load on PostgreSQL are all back, as the migrations define them.
    migrate.check(url)

    # A second call finds the set loaded and leaves it alone.
    national.ensure_loaded(database_url=url, cache_dir=cache_dir, buildings=BUILDINGS)
    assert national.loaded_counts(url) == (BUILDINGS, dataset.manifest["consumption_rows"])
    # A database holding other data is refused, not mixed.
    with pytest.raises(RuntimeError, match="not the national set"):
        national.ensure_loaded(database_url=url, cache_dir=cache_dir, buildings=BUILDINGS * 2)
    # So is one whose load this cache has no record of (another cache, or a generator since changed).
    for record in (cache_dir / "loads").glob("*.json"):
        record.unlink()
    with pytest.raises(RuntimeError, match="was not loaded from"):
        national.ensure_loaded(database_url=url, cache_dir=cache_dir, buildings=BUILDINGS)


def test_validate_rows_enforces_the_protocol():
    good = [{"benchmark": "x", "figure": 1.5, "unit": "s", "note": "median of 5", "extra": 1}]
    assert validate_rows(good) == [{"benchmark": "x", "figure": 1.5, "unit": "s", "note": "median of 5"}]
    with pytest.raises(TypeError):
        validate_rows({"benchmark": "x"})
    with pytest.raises(ValueError, match="lacks"):
        validate_rows([{"benchmark": "x", "figure": 1, "unit": "s"}])
    with pytest.raises(TypeError, match="figure"):
        validate_rows([{"benchmark": "x", "figure": None, "unit": "s", "note": ""}])


def test_discover_finds_modules_with_run_national_first(tmp_path):
    assert discover()[0] == "national"
    (tmp_path / "api.py").write_text("def run(database_url, cache_dir):\n    return []\n")
    (tmp_path / "zeta.py").write_text("def run(database_url, cache_dir):\n    return []\n")
    (tmp_path / "helpers.py").write_text("def other():\n    pass\n")
    (tmp_path / "_private.py").write_text("def run(database_url, cache_dir):\n    return []\n")
    (tmp_path / "national.py").write_text("def run(database_url, cache_dir):\n    return []\n")
    assert discover(tmp_path) == ["national", "api", "zeta"]
    assert without_run(tmp_path) == ["helpers"]


def test_render_markdown_keeps_commentary_and_sections_not_rerun():
    def outcome(name, figure):
        return {"module": name, "status": "ok", "seconds": 1.0, "peak_rss_mb": 10.0,
                "rows": [{"benchmark": f"{name} step", "figure": figure, "unit": "s", "note": "a|b"}]}

    machine = {"CPU": "test cpu", "Cores": "2"}
    first = render_markdown("", outcomes=[outcome("national", 1.25), outcome("etl", 2)], machine=machine,
                            command="cmd one", measured_at="T1")
    edited = "# Performance\n\nOur commentary.\n" + first[first.index(BEGIN):] + "\nClosing words.\n"
    second = render_markdown(edited, outcomes=[outcome("etl", 3)], machine=machine, command="cmd two",
                             measured_at="T2", not_measured=["reports"])
    assert "`benchmarks/reports.py`" in second
    assert second.startswith("# Performance\n\nOur commentary.\n")
    assert second.rstrip().endswith("Closing words.")
    assert second.count(BEGIN) == 1 and second.count(END) == 1
    assert "| national step | 1.25 | s | a\\|b |" in second  # kept from the first run
    assert "| etl step | 3 | s |" in second and "| etl step | 2 |" not in second
    assert second.index("### national") < second.index("### etl")
    assert "Measured T1" in second and "Measured T2" in second and "cmd two" in second
    assert "| CPU | test cpu |" in second


def test_measure_sees_a_large_allocation():
    with measure("baseline") as small:
        bytearray(1)
    with measure("allocate") as step:
        block = bytearray(300 * 2**20)
        block[::4096] = b"x" * len(block[::4096])
    del block
    with measure("after") as after:
        bytearray(1)
    assert step.seconds > 0
    # On Linux the peak is reset per step; this machine and CI run Linux with /proc.
    assert step.is_peak_isolated and after.is_peak_isolated
    assert step.peak_rss_mb - small.peak_rss_mb > 250
    # The next step starts from a fresh peak, but the process-wide figure keeps the earlier one.
    assert after.peak_rss_mb < step.peak_rss_mb - 250
    assert overall_peak_rss_mb() >= step.peak_rss_mb
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95) == pytest.approx(9.55)


def test_a_peak_that_cannot_be_reset_is_said_so(monkeypatch, tmp_path):
    monkeypatch.setattr(harness, "_CLEAR_REFS", tmp_path / "missing" / "clear_refs")
    with measure("before") as before:
        block = bytearray(200 * 2**20)
        block[::4096] = b"x" * len(block[::4096])
    del block
    with measure("unreset") as step:
        bytearray(1)
    assert not step.is_peak_isolated
    # Without a reset the step's peak still holds the earlier, freed, allocation.
    assert step.peak_rss_mb > harness.rss_mb() + 150
    assert before.peak_rss_mb > harness.rss_mb() + 150
    memory = [r for r in step_rows(step) if r["unit"] == "MiB"]
    assert memory == [{"benchmark": "unreset: peak memory", "figure": round(step.peak_rss_mb, 1), "unit": "MiB",
                       "note": "process peak so far (could not reset)"}]


def test_run_command_writes_performance_markdown(tmp_path):
    output = tmp_path / "performance.md"
    output.write_text("# Performance\n\nKept paragraph.\n")
    env = {key: value for key, value in os.environ.items() if not key.startswith("JIENENG_")}
    env["PYTHONPATH"] = str(ROOT)
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--database-url", url, "--cache-dir", str(tmp_path / "cache"),
         "--output", str(output), "--only", "national", "--buildings", "42"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "national" in result.stdout and "buildings" in result.stdout
    text = output.read_text(encoding="utf-8")
    assert text.startswith("# Performance\n\nKept paragraph.\n")
    assert "| Cores | " in text and "| Python | " in text and "SQLite " in text and "pandas " in text
    assert "--only national --buildings 42" in text
    assert "| buildings | 42 | buildings |" in text
    assert "load consumption" in text and "rows/s" in text and "MiB" in text
    assert "System load average" in text
    records = list((tmp_path / "cache" / "loads").glob("*.json"))
    assert len(records) == 1 and json.loads(records[0].read_text())["steps"]

    unknown = subprocess.run([sys.executable, "-m", "benchmarks.run", "--database-url", url, "--only", "nope",
                              "--no-write"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
                             check=False)
    assert unknown.returncode == 2
