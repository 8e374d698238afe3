"""Time the annual report: one region in every format and the national XLSX, with peak memory.

    python benchmarks/reports.py DATABASE_URL --year 2008 [--region 210000] [--runs 3]

Each case runs in its own process, so its peak RSS is its own; the median time of the runs is shown.
Targets (issue 7, 100,000 buildings): a region in every format under 10 s, the national XLSX under
60 s, peak memory under 2 GiB.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_one(url: str, year: int, region: str | None, fmt: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from app.db import make_engine, session_scope
    from app.reports import build_annual_report

    engine = make_engine(url)
    start = time.perf_counter()
    with session_scope(engine) as session:
        content, _, filename = build_annual_report(session=session, year=year, region_code=region, fmt=fmt)
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"filename": filename, "bytes": len(content), "seconds": seconds, "peak_rss_mib": peak_mib}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--region", default="210000", help="region for the per-format cases (default 辽宁)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", nargs=2, metavar=("SCOPE", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        scope, fmt = args.one
        print(json.dumps(run_one(args.url, args.year, None if scope == "national" else scope, fmt)))
        return
    cases = [(args.region, fmt) for fmt in ("xlsx", "pdf", "csv", "html")] + [("national", "xlsx")]
    print(f"{'scope':>9} {'format':>6} {'median s':>9} {'max s':>7} {'peak RSS MiB':>13} {'size KiB':>9}")
    for scope, fmt in cases:
        results = []
        for _ in range(args.runs):
            out = subprocess.run(
                [sys.executable, __file__, args.url, "--year", str(args.year), "--one", scope, fmt],
                check=True, capture_output=True, text=True,
            )
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        times = [r["seconds"] for r in results]
        peak = max(r["peak_rss_mib"] for r in results)
        print(f"{scope:>9} {fmt:>6} {statistics.median(times):9.2f} {max(times):7.2f} {peak:13.0f} "
              f"{results[0]['bytes'] / 1024:9.0f}", flush=True)


if __name__ == "__main__":
    main()
