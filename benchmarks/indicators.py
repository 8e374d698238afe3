"""Time every region's target progress and assessment for a year on a given database.

    python benchmarks/indicators.py sqlite:///var/jieneng.db --year 2008 --runs 5

Needs reference data and statistics (e.g. `jieneng seed demo --buildings-per-region 4762` for the
national-scale set). When the database holds no saving target, a 20% national cut from the first
year is decomposed inside the benchmark's transaction, which is rolled back at the end, so the
database is left as it was. Prints the median of several runs of each step.

As a module of the suite (``run``), it measures the loaded national data set for its last year:
every region's progress and assessment in one shared pass (median of 5), and the separate steps.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import make_engine
from app.models import Building, ConsumptionRecord
from app.services import frames
from app.services.assessment import assess, progress_and_assessment
from app.services.indicators import building_year_indicators
from app.services.targets import current_targets, decompose, target_progress
from benchmarks.harness import measure, row

STEPS = ("indicators", "progress", "assessment", "progress+assessment", "both, one shared pass")


def timed(function, **kwargs):
    """((wall seconds, this process's CPU seconds), result); on SQLite the CPU figure includes the queries.

    Held national frames are dropped first, so every step computes from the stored data.
    """
    frames.clear()
    start, cpu = time.perf_counter(), time.process_time()
    result = function(**kwargs)
    return (time.perf_counter() - start, time.process_time() - cpu), result


def ensure_target(session: Session) -> float | None:
    """Decompose a 20% national cut from the first year when no target exists (seconds taken, or None)."""
    if not current_targets(session=session).empty:
        return None
    first_year = session.scalar(select(func.min(ConsumptionRecord.year)))
    (seconds, _), _ = timed(decompose, session=session, cut_percent=20, baseline_year=first_year,
                           target_year=first_year + 5, method="baseline")
    return seconds


def measure_steps(session: Session, *, year: int, runs: int,
                  with_indicators: bool = True) -> tuple[dict[str, list[tuple[float, float]]], int, int]:
    """(wall, CPU) seconds of each step over ``runs`` runs; regions with targets; regions assessed."""
    steps: dict[str, list[tuple[float, float]]] = {name: [] for name in STEPS if with_indicators or name != "indicators"}
    progress, results = [], []
    for _ in range(runs):
        if with_indicators:
            steps["indicators"].append(timed(building_year_indicators, session=session, year=year)[0])
        progress_t, progress = timed(target_progress, session=session, year=year)
        assess_t, results = timed(assess, session=session, year=year)
        steps["progress"].append(progress_t)
        steps["assessment"].append(assess_t)
        steps["progress+assessment"].append((progress_t[0] + assess_t[0], progress_t[1] + assess_t[1]))
        steps["both, one shared pass"].append(timed(progress_and_assessment, session=session, year=year)[0])
    return steps, len(progress), len(results)


def run(database_url: str, cache_dir: Path) -> list[dict]:
    """Every region's progress and assessment for the last year of the national set, on its database."""
    from benchmarks.national import ensure_loaded

    runs = int(os.environ.get("JIENENG_BENCH_INDICATORS_RUNS", "5"))
    ensure_loaded(database_url=database_url, cache_dir=cache_dir)
    engine = make_engine(database_url)
    backend = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite"
    out = []
    try:
        with engine.connect() as conn:
            trans = conn.begin()
            session = Session(bind=conn, join_transaction_mode="create_savepoint")
            try:
                buildings = session.scalar(select(func.count()).select_from(Building))
                year = session.scalar(select(func.max(ConsumptionRecord.year)))
                decompose_seconds = ensure_target(session)
                with measure("indicators") as step:
                    steps, n_progress, n_assessed = measure_steps(session, year=year, runs=runs,
                                                                  with_indicators=False)
            finally:
                session.close()
                trans.rollback()
    finally:
        engine.dispose()
    scope = f"{buildings:,} buildings, year {year}, {n_progress} scopes with targets, {n_assessed} assessed"
    shared = [wall for wall, _ in steps["both, one shared pass"]]
    out.append(row(f"progress + assessment, every region, one shared pass ({backend})",
                   round(statistics.median(shared), 2), "s",
                   f"median of {runs} (min {min(shared):.2f}, max {max(shared):.2f}); {scope}; target < 5 s"))
    cpu = [c for _, c in steps["both, one shared pass"]]
    out.append(row(f"progress + assessment, one shared pass: this process's CPU ({backend})",
                   round(statistics.median(cpu), 2), "s",
                   f"median of {runs}; " + ("includes the queries (in-process SQLite)" if backend == "SQLite"
                                            else "client side only; the server's share is not in it")))
    for name in ("progress", "assessment", "progress+assessment"):
        walls = [wall for wall, _ in steps[name]]
        label = {"progress": "target progress, every region (separate call)",
                 "assessment": "assessment, every region (separate call)",
                 "progress+assessment": "progress + assessment as two separate calls"}[name]
        out.append(row(f"{label} ({backend})", round(statistics.median(walls), 2), "s", f"median of {runs}"))
    if decompose_seconds is not None:
        out.append(row(f"decompose a 20% national cut ({backend})", round(decompose_seconds, 2), "s",
                       "one run, inside the benchmark's transaction, rolled back"))
    out.append(row(f"indicators steps: peak memory ({backend})", round(step.peak_rss_mb, 1), "MiB",
                   f"all {runs} runs of every step"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--year", type=int, default=2008)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    engine = make_engine(args.database_url)
    with engine.connect() as conn:
        trans = conn.begin()
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        buildings = session.scalar(select(func.count()).select_from(Building))
        records = session.scalar(select(func.count()).select_from(ConsumptionRecord))
        decompose_seconds = ensure_target(session)
        if decompose_seconds is not None:
            print(f"decomposed a 20% national cut in {decompose_seconds:.2f} s (rolled back at the end)")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(f"{engine.dialect.name}: {buildings:,} buildings, {records:,} consumption records, year {args.year}")

        steps, n_progress, n_assessed = measure_steps(session, year=args.year, runs=args.runs)
        print(f"regions: {n_progress} with targets, {n_assessed} assessed")
        print(f"{'step':>22}  wall median (min-max)      this process's CPU median")
        for name, values in steps.items():
            wall = [v[0] for v in values]
            cpu = [v[1] for v in values]
            print(f"{name:>22}: {statistics.median(wall):6.2f} s ({min(wall):.2f}-{max(wall):.2f})"
                  f"        {statistics.median(cpu):6.2f} s")
        session.close()
        trans.rollback()
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
