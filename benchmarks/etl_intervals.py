"""Interval readings against monthly rows, and the mapping step's preview of a large file.

    PYTHONPATH=. python -m benchmarks.etl_intervals [--rows 1000000] [--database-url URL]

1. ``rows`` monthly long-format rows and ``rows`` hourly readings (the same buildings, electricity),
   each loaded fresh through the pipeline into a scratch database; the issue asks hourly <= 2x monthly.
2. etl.preview.propose on a CSV of about 50 MB (first rows, proposals, value mappings); target < 2 s.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.etl import CACHE, generate


def hourly(rows: int, codes: list[str]) -> Path:
    path = CACHE / f"hourly_{rows}.csv"
    if path.exists():
        return path
    per_building = -(-rows // len(codes))
    stamps = pd.date_range("2012-01-01", periods=per_building, freq="h").strftime("%Y-%m-%d %H:%M")
    frame = pd.DataFrame({"building_code": np.repeat(codes, per_building)[:rows],
                          "timestamp": np.tile(stamps, len(codes))[:rows], "carrier": "electricity",
                          "quantity": np.round(np.random.default_rng(3).uniform(10, 500, rows), 1), "unit": "kWh"})
    frame.to_csv(path, index=False)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None, help="a scratch PostgreSQL database (default: SQLite file)")
    args = parser.parse_args()
    os.environ.setdefault("JIENENG_DATA_DIR", tempfile.mkdtemp(prefix="jn-bench-"))
    from app.db import make_engine, session_scope
    from benchmarks.etl import clear, setup_database
    from etl.pipeline import run
    from etl.preview import propose

    long_path, reg_path, n = generate(args.rows)
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/intervals.db"
    ids = setup_database(url, reg_path)
    hourly_path = hourly(args.rows, sorted(ids)[: max(1, args.rows // 8760)])
    engine = make_engine(url)
    times = {}
    for name, path in (("monthly", long_path), ("hourly", hourly_path)):
        clear(engine)
        with session_scope(engine) as session:
            start = time.perf_counter()
            report = run(session=session, data=path.read_bytes(), filename=path.name, kind="consumption")
            times[name] = time.perf_counter() - start
        assert report.rows_rejected == 0, report.findings[:3]
        print(f"{name:8} {args.rows:,} rows: {times[name]:6.1f} s ({report.rows_changed:,} records)")
    print(f"hourly / monthly: {times['hourly'] / times['monthly']:.2f} (target <= 2)")
    big = CACHE / "long_preview_50mb.csv"
    if not big.exists():
        text = long_path.read_bytes()
        header, _, body = text.partition(b"\n")
        big.write_bytes(header + b"\n" + body * max(1, -(-50_000_000 // len(body))))
    with session_scope(engine) as session:
        start = time.perf_counter()
        proposal = propose(session=session, data=big.read_bytes(), filename=big.name, kind="consumption")
        took = time.perf_counter() - start
    print(f"preview of {big.stat().st_size / 1e6:.0f} MB: {took:.2f} s, {len(proposal['columns'])} columns (target < 2 s)")
    engine.dispose()


if __name__ == "__main__":
    main()
