"""Time the annual report: one region in every format and the national XLSX, with peak memory.

    PYTHONPATH=. python benchmarks/reports.py DATABASE_URL --year 2008 [--region 210000] [--runs 3]

Also a module of the benchmark suite (``run(database_url, cache_dir)``, see benchmarks/README.md).
Each case runs in its own process, so its peak RSS is its own; the median time of the runs is shown.
Nothing is written: when the database holds no saving target, a national 10 % cut (2005 -> 2010) is
decomposed inside the case's transaction first, outside the timing, and rolled back afterwards.
Targets (issue 7, 100,000 buildings): a region in every format under 10 s, the national XLSX under
60 s, peak memory under 2 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2008
REGION = "210000"  # 辽宁, the largest demonstration region: it contains 沈阳
FORMATS = ("xlsx", "pdf", "csv", "html")


def run_one(url: str, year: int, region: str | None, fmt: str) -> dict:
    """Build one report in this process; its time and this process's peak RSS."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from app.db import make_engine
    from app.models import SavingTarget
    from app.reports import build_annual_report
    from app.services.targets import decompose

    engine = make_engine(url)
    with Session(engine) as session:
        try:
            if not session.scalar(select(func.count()).select_from(SavingTarget)):
                decompose(session=session, scope_code="000000", cut_percent=10, baseline_year=2005,
                          target_year=2010, method="baseline")
            start = time.perf_counter()
            content, _, filename = build_annual_report(session=session, year=year, region_code=region, fmt=fmt)
            seconds = time.perf_counter() - start
        finally:
            session.rollback()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"filename": filename, "bytes": len(content), "seconds": seconds, "peak_rss_mib": peak_mib}


def measure(url: str, *, year: int, scope: str, fmt: str, runs: int) -> dict:
    """Median and max seconds and peak RSS of ``runs`` fresh processes building one report."""
    results = []
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, __file__, url, "--year", str(year), "--one", scope, fmt],
            check=True, capture_output=True, text=True, env=env,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    times = [r["seconds"] for r in results]
    return {"scope": scope, "format": fmt, "median_s": statistics.median(times), "max_s": max(times),
            "peak_rss_mib": max(r["peak_rss_mib"] for r in results), "bytes": results[0]["bytes"], "runs": runs}


def cases(region: str) -> list[tuple[str, str]]:
    return [(region, fmt) for fmt in FORMATS] + [("national", "xlsx")]


def run(database_url: str, cache_dir: Path) -> list[dict]:
    """Benchmark-suite entry: the figures as rows (benchmark, figure, unit, note)."""
    rows = []
    load = os.getloadavg()[0]
    for scope, fmt in cases(REGION):
        result = measure(database_url, year=YEAR, scope=scope, fmt=fmt, runs=3)
        name = f"annual report {YEAR} {'national' if scope == 'national' else scope} {fmt.upper()}"
        target = 60 if scope == "national" else 10
        rows.append({"benchmark": name, "figure": round(result["median_s"], 2), "unit": "s",
                     "note": f"median of 3 fresh processes (max {result['max_s']:.2f} s), data read and "
                             f"rendered, {result['bytes'] / 1024:,.0f} KiB; target < {target} s; "
                             f"load average {load:.1f} at start"})
        rows.append({"benchmark": f"{name} peak RSS", "figure": round(result["peak_rss_mib"]), "unit": "MiB",
                     "note": "largest of the 3 processes; target < 2048 MiB"})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--year", type=int, default=YEAR)
    parser.add_argument("--region", default=REGION, help="region for the per-format cases (default 辽宁)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", nargs=2, metavar=("SCOPE", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        scope, fmt = args.one
        print(json.dumps(run_one(args.url, args.year, None if scope == "national" else scope, fmt)))
        return
    print(f"{'scope':>9} {'format':>6} {'median s':>9} {'max s':>7} {'peak RSS MiB':>13} {'size KiB':>9}")
    for scope, fmt in cases(args.region):
        r = measure(args.url, year=args.year, scope=scope, fmt=fmt, runs=args.runs)
        print(f"{scope:>9} {fmt:>6} {r['median_s']:9.2f} {r['max_s']:7.2f} {r['peak_rss_mib']:13.0f} "
              f"{r['bytes'] / 1024:9.0f}", flush=True)


if __name__ == "__main__":
    main()
