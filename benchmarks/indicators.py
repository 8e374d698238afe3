"""Time every region's target progress and assessment for a year on a given database.

    python benchmarks/indicators.py sqlite:///var/jieneng.db --year 2008 --runs 5

Needs reference data and statistics (e.g. `jieneng seed demo --buildings-per-region 4762` for the
national-scale set). When the database holds no saving target, a 20% national cut from the first
year is decomposed inside the benchmark's transaction, which is rolled back at the end, so the
database is left as it was. Prints the median of several runs of each step.
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
from app.services.assessment import assess, progress_and_assessment
from app.services.indicators import building_year_indicators
from app.services.targets import current_targets, decompose, target_progress


def timed(function, **kwargs):
    """((wall seconds, this process's CPU seconds), result); on SQLite the CPU figure includes the queries."""
    start, cpu = time.perf_counter(), time.process_time()
    result = function(**kwargs)
    return (time.perf_counter() - start, time.process_time() - cpu), result


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
        if current_targets(session=session).empty:
            first_year = session.scalar(select(func.min(ConsumptionRecord.year)))
            (seconds, _), _ = timed(decompose, session=session, cut_percent=20, baseline_year=first_year,
                               target_year=first_year + 5, method="baseline")
            print(f"decomposed a 20% national cut from {first_year} in {seconds:.2f} s (rolled back at the end)")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print(f"{engine.dialect.name}: {buildings:,} buildings, {records:,} consumption records, year {args.year}")

        steps: dict[str, list[tuple[float, float]]] = {
            "indicators": [], "progress": [], "assessment": [], "progress+assessment": [], "both, one shared pass": [],
        }
        for _ in range(args.runs):
            steps["indicators"].append(timed(building_year_indicators, session=session, year=args.year)[0])
            progress_t, progress = timed(target_progress, session=session, year=args.year)
            assess_t, results = timed(assess, session=session, year=args.year)
            steps["progress"].append(progress_t)
            steps["assessment"].append(assess_t)
            steps["progress+assessment"].append((progress_t[0] + assess_t[0], progress_t[1] + assess_t[1]))
            steps["both, one shared pass"].append(timed(progress_and_assessment, session=session, year=args.year)[0])
        print(f"regions: {len(progress)} with targets, {len(results)} assessed")
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
