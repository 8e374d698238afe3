"""ETL benchmark: the whole pipeline against raw COPY+upsert (PostgreSQL) and raw sqlite3 upsert.

    PYTHONPATH=. python benchmarks/etl.py [--rows 1000000] [--repeat 3] [--postgres URL] [--only sqlite|postgres]

Generates a long-format consumption CSV into benchmarks/.cache/, loads a matching building registry,
then times, side by side on each backend: the raw load of the same records (fresh and reload),
and etl.pipeline.run on the CSV (fresh and reload of unchanged data). Prints medians and ratios,
and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

# This file is named like the etl package; import the package, not this script.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

CACHE = Path(__file__).parent / ".cache"
CARRIERS = ("electricity", "natural_gas")
FACTORS = {"electricity": (0.1229, 0.333), "natural_gas": (1.2143, 1.2143)}
COLUMNS = ["building_id", "carrier_code", "year", "month", "grain", "sub_item", "quantity_reported", "unit_reported",
           "quantity", "kgce_calorific", "kgce_generation"]


def generate(rows: int) -> tuple[Path, Path, int]:
    """The long CSV of ``rows`` records and the buildings CSV it refers to (cached)."""
    CACHE.mkdir(exist_ok=True)
    per_building = len(CARRIERS) * 10 * 12
    n_buildings = -(-rows // per_building)
    long_path, reg_path = CACHE / f"long_{rows}.csv", CACHE / f"buildings_{n_buildings}.csv"
    codes = [f"110105A{i:05d}" for i in range(1, n_buildings + 1)]
    if not reg_path.exists():
        pd.DataFrame({"building_code": codes, "building_name": [f"楼{i}" for i in range(n_buildings)],
                      "district_code": "110105", "building_class": "A", "floor_area_m2": 30000}).to_csv(reg_path, index=False)
    if not long_path.exists():
        rng = np.random.default_rng(7)
        idx = np.arange(rows)
        building = idx // per_building
        rest = idx % per_building
        carrier = np.array(CARRIERS)[rest // 120]
        year = 2010 + (rest % 120) // 12
        month = rest % 12 + 1
        frame = pd.DataFrame({"building_code": np.array(codes)[building],
                              "period": [f"{y}-{m:02d}" for y, m in zip(year, month, strict=True)],
                              "carrier": carrier, "quantity": np.round(rng.uniform(100, 100000, rows), 1),
                              "unit": np.where(carrier == "electricity", "kWh", "m3")})
        frame.to_csv(long_path, index=False)
    return long_path, reg_path, n_buildings


def records(long_path: Path, ids: dict[str, int]) -> pd.DataFrame:
    """The final records the raw loaders write (converted outside the timed section)."""
    frame = pd.read_csv(long_path, dtype={"building_code": str, "period": str})
    out = pd.DataFrame({"building_id": frame["building_code"].map(ids), "carrier_code": frame["carrier"],
                        "year": frame["period"].str[:4].astype(int), "month": frame["period"].str[5:7].astype(int),
                        "grain": "M", "sub_item": "", "quantity_reported": frame["quantity"], "unit_reported": frame["unit"],
                        "quantity": frame["quantity"]})
    cal = out["carrier_code"].map({k: v[0] for k, v in FACTORS.items()})
    gen = out["carrier_code"].map({k: v[1] for k, v in FACTORS.items()})
    out["kgce_calorific"] = out["quantity"] * cal
    out["kgce_generation"] = out["quantity"] * gen
    return out


def setup_database(url: str, reg_path: Path) -> dict[str, int]:
    from sqlalchemy import select, text

    from app import migrate
    from app.db import make_engine, session_scope
    from app.models import Building
    from etl.pipeline import run
    from seeds.loader import load_reference

    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(url)
    with session_scope(engine) as session:
        load_reference(session)
    with session_scope(engine) as session:
        report = run(session=session, data=reg_path.read_bytes(), filename=reg_path.name, kind="buildings")
        assert report.rows_rejected == 0, report.findings[:3]
        ids = dict(session.execute(select(Building.code, Building.id)).all())
    engine.dispose()
    return ids


def clear(engine) -> None:
    from sqlalchemy import text

    with engine.begin() as conn:
        for table in ("consumption_history", "consumption_records", "consumption_series"):
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("DELETE FROM findings"))
        conn.execute(text("UPDATE buildings SET upload_id = NULL"))
        conn.execute(text("DELETE FROM uploads WHERE kind = 'consumption'"))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE consumption_records"))


def raw_postgres(engine, frame: pd.DataFrame, skip_unchanged: bool) -> float:
    """COPY into a staging table, then INSERT ... ON CONFLICT into the keyed table, in one transaction."""
    buffer = io.StringIO()
    frame[COLUMNS].to_csv(buffer, sep="\t", header=False, index=False)
    payload = buffer.getvalue()
    updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[6:])
    where = ""
    if skip_unchanged:
        where = " WHERE (" + ", ".join(f"consumption_records.{c}" for c in COLUMNS[6:]) + ") IS DISTINCT FROM (" + \
                ", ".join(f"excluded.{c}" for c in COLUMNS[6:]) + ")"
    raw = engine.raw_connection()
    try:
        start = time.perf_counter()
        with raw.driver_connection.cursor() as cur:
            cur.execute("CREATE TEMP TABLE raw_stage (LIKE consumption_records INCLUDING DEFAULTS) ON COMMIT DROP")
            with cur.copy(f"COPY raw_stage ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                copy.write(payload)
            cur.execute(f"INSERT INTO consumption_series (building_id, carrier_code, year, grain) SELECT DISTINCT "
                        f"building_id, carrier_code, year, grain FROM raw_stage ON CONFLICT DO NOTHING")
            cur.execute(f"INSERT INTO consumption_records ({', '.join(COLUMNS)}) SELECT {', '.join(COLUMNS)} FROM raw_stage "
                        f"ON CONFLICT (building_id, carrier_code, year, month, sub_item) DO UPDATE SET {updates}{where}")
        raw.driver_connection.commit()
        return time.perf_counter() - start
    finally:
        raw.close()


def raw_sqlite(path: str, frame: pd.DataFrame) -> float:
    """executemany INSERT ... ON CONFLICT DO UPDATE in one transaction with the sqlite3 module."""
    rows = list(frame[COLUMNS].itertuples(index=False, name=None))
    series = list(frame[["building_id", "carrier_code", "year", "grain"]].drop_duplicates().itertuples(index=False, name=None))
    updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[6:])
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    try:
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO consumption_series (building_id, carrier_code, year, grain) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT DO NOTHING", series)
        conn.executemany(f"INSERT INTO consumption_records ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
                         f"ON CONFLICT (building_id, carrier_code, year, month, sub_item) DO UPDATE SET {updates}", rows)
        conn.execute("COMMIT")
        return time.perf_counter() - start
    finally:
        conn.close()


def pipeline(engine, data: bytes) -> tuple[float, int]:
    from app.db import session_factory
    from etl.pipeline import run

    session = session_factory(engine)()
    try:
        start = time.perf_counter()
        report = run(session=session, data=data, filename="bench.csv", kind="consumption")
        elapsed = time.perf_counter() - start
    finally:
        session.close()
    assert report.rows_rejected == 0, report.findings[:3]
    return elapsed, report.rows_changed


def bench_backend(name: str, url: str, long_path: Path, reg_path: Path, repeat: int) -> dict[str, float]:
    from app.db import make_engine

    ids = setup_database(url, reg_path)
    frame = records(long_path, ids)
    data = long_path.read_bytes()
    engine = make_engine(url)
    times: dict[str, list[float]] = {k: [] for k in ("raw_fresh", "raw_reload", "pipe_fresh", "pipe_reload")}
    for i in range(repeat):
        clear(engine)
        if name == "postgres":
            times["raw_fresh"].append(raw_postgres(engine, frame, skip_unchanged=True))
            times["raw_reload"].append(raw_postgres(engine, frame, skip_unchanged=True))
        else:
            path = url.removeprefix("sqlite:///")
            times["raw_fresh"].append(raw_sqlite(path, frame))
            times["raw_reload"].append(raw_sqlite(path, frame))
        clear(engine)
        elapsed, changed = pipeline(engine, data + b"\n" * (2 * i))
        assert changed == len(frame), (changed, len(frame))
        times["pipe_fresh"].append(elapsed)
        elapsed, changed = pipeline(engine, data + b"\n" * (2 * i + 1))
        assert changed == 0, changed
        times["pipe_reload"].append(elapsed)
    engine.dispose()
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("JIENENG_BENCH_POSTGRES_URL",
                                                             "postgresql+psycopg://postgres@127.0.0.1:5432/jn_etl_bench"))
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    args = parser.parse_args()
    os.environ.setdefault("JIENENG_DATA_DIR", tempfile.mkdtemp(prefix="jn_etl_bench_"))
    long_path, reg_path, n_buildings = generate(args.rows)
    print(f"{args.rows:,} rows, {n_buildings:,} buildings, {long_path.stat().st_size / 2**20:.0f} MiB; median of {args.repeat}")
    backends = []
    if args.only in (None, "postgres"):
        backends.append(("postgres", args.postgres))
    if args.only in (None, "sqlite"):
        backends.append(("sqlite", f"sqlite:///{Path(os.environ['JIENENG_DATA_DIR']) / 'bench.db'}"))
    for name, url in backends:
        t = bench_backend(name, url, long_path, reg_path, args.repeat)
        label = "raw COPY+upsert" if name == "postgres" else "raw sqlite3 upsert"
        print(f"[{name}] {label}: fresh {t['raw_fresh']:.2f} s, reload {t['raw_reload']:.2f} s")
        print(f"[{name}] pipeline:        fresh {t['pipe_fresh']:.2f} s, reload {t['pipe_reload']:.2f} s")
        print(f"[{name}] pipeline speed / raw speed: fresh {t['raw_fresh'] / t['pipe_fresh']:.0%}, "
              f"reload {t['raw_reload'] / t['pipe_reload']:.0%}; reload faster than fresh: {t['pipe_reload'] < t['pipe_fresh']}")
        sys.stdout.flush()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
