"""ETL benchmark: the whole pipeline against raw COPY+upsert (PostgreSQL) and raw sqlite3 upsert.

    PYTHONPATH=. python benchmarks/etl.py [--rows 1000000] [--repeat 3] [--postgres URL] [--only sqlite|postgres]
    PYTHONPATH=. python benchmarks/etl.py --memory 5000000

Generates a long-format consumption CSV into benchmarks/.cache/, loads a matching building registry,
then times, side by side on each backend: the raw load of the same records (fresh and reload),
and etl.pipeline.run on the CSV (fresh and reload of unchanged data). Prints medians and ratios,
and the peak resident memory of the process. ``--memory N`` loads an N-row file through the pipeline
into a temporary SQLite database in a child process and prints that process's peak resident memory.

As a module of the suite (``run``), it never touches the benchmark database: on PostgreSQL it works in
a sibling scratch database (the benchmark database's name + ``_etl``), created and dropped here; on
SQLite in a temporary file.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
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


def generate(rows: int, cache_dir: Path = CACHE) -> tuple[Path, Path, int]:
    """The long CSV of ``rows`` records and the buildings CSV it refers to (cached)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    per_building = len(CARRIERS) * 10 * 12
    n_buildings = -(-rows // per_building)
    long_path, reg_path = cache_dir / f"long_{rows}.csv", cache_dir / f"buildings_{n_buildings}.csv"
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
        partial = long_path.with_suffix(".partial")
        frame.to_csv(partial, index=False)
        partial.rename(long_path)
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
        for table in ("consumption_history", "consumption_records", "consumption_series", "building_year_totals",
                      "area_month_totals"):
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
            cur.execute("INSERT INTO consumption_series (building_id, carrier_code, year, grain) SELECT DISTINCT "
                        "building_id, carrier_code, year, grain FROM raw_stage ON CONFLICT DO NOTHING")
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


def bench_backend(name: str, url: str, long_path: Path, reg_path: Path, repeat: int,
                  budget_seconds: float | None = None) -> dict[str, float]:
    """Median seconds of each step over ``repeat`` rounds (fewer when a round would overrun the budget)."""
    from app.db import make_engine

    ids = setup_database(url, reg_path)
    frame = records(long_path, ids)
    data = long_path.read_bytes()
    engine = make_engine(url)
    times: dict[str, list[float]] = {k: [] for k in ("raw_fresh", "raw_reload", "pipe_fresh", "pipe_reload")}
    start = time.perf_counter()
    for i in range(repeat):
        spent = time.perf_counter() - start
        if i and budget_seconds is not None and spent + spent / i > budget_seconds:
            break
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
    result = {k: statistics.median(v) for k, v in times.items()}
    result["runs"] = len(times["pipe_fresh"])
    return result


@contextmanager
def scratch_url(database_url: str):
    """A scratch database beside ``database_url``: PostgreSQL ``<name>_etl`` (created, then dropped), or a SQLite temp file."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from app.db import make_engine

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        directory = tempfile.mkdtemp(prefix="jn_etl_bench_")
        try:
            yield f"sqlite:///{Path(directory) / 'etl.db'}"
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return
    name = f"{url.database}_etl"
    admin = make_engine(url.set(database="postgres").render_as_string(hide_password=False))
    admin = admin.execution_options(isolation_level="AUTOCOMMIT")

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    try:
        drop()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        drop()
        admin.dispose()


def memory_load(rows: int, cache_dir: Path) -> dict:
    """Load a ``rows``-row file through the pipeline into a temporary SQLite database (this process)."""
    from benchmarks.harness import peak_rss_mb

    long_path, reg_path, _ = generate(rows, cache_dir)
    with scratch_url("sqlite://") as url:
        from app.db import make_engine

        setup_database(url, reg_path)
        engine = make_engine(url)
        elapsed, changed = pipeline(engine, long_path.read_bytes())
        engine.dispose()
    assert changed == rows, (changed, rows)
    # VmHWM belongs to this program's own address space, not to the parent's copy before exec.
    return {"rows": rows, "seconds": elapsed, "vm_hwm_mb": peak_rss_mb()}


def memory_in_child(rows: int, cache_dir: Path) -> dict:
    """``memory_load`` in a child process under /usr/bin/time -v (its maximum resident set size)."""
    generate(rows, cache_dir)
    env = dict(os.environ)
    env["JIENENG_DATA_DIR"] = tempfile.mkdtemp(prefix="jn_etl_bench_mem_")
    command = [sys.executable, str(Path(__file__).resolve()), "--memory", str(rows), "--cache-dir", str(cache_dir),
               "--json"]
    timer = shutil.which("time", path="/usr/bin:/bin")
    try:
        done = subprocess.run(([timer, "-v"] if timer else []) + command, env=env, check=True, capture_output=True,
                              text=True)
    finally:
        shutil.rmtree(env["JIENENG_DATA_DIR"], ignore_errors=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["child_peak_rss_mb"] = result["vm_hwm_mb"]
    result["method"] = "VmHWM of the child"
    for line in done.stderr.splitlines():
        if "Maximum resident set size" in line:
            result["child_peak_rss_mb"] = int(line.rsplit(":", 1)[1]) / 1024
            result["method"] = "/usr/bin/time -v maximum resident set size of the child"
    return result


def run(database_url: str, cache_dir: Path) -> list[dict]:
    """Pipeline against the raw loader (1,000,000 rows; PostgreSQL and SQLite), and the 5,000,000-row memory run."""
    from sqlalchemy.engine import make_url

    from benchmarks.harness import measure, row

    rows = int(os.environ.get("JIENENG_BENCH_ETL_ROWS", "1000000"))
    repeat = int(os.environ.get("JIENENG_BENCH_ETL_REPEAT", "3"))
    budget = float(os.environ.get("JIENENG_BENCH_ETL_BUDGET_S", "900"))
    memory_rows = int(os.environ.get("JIENENG_BENCH_ETL_MEMORY_ROWS", "5000000"))
    cache_dir = Path(cache_dir) / "etl"
    os.environ.setdefault("JIENENG_DATA_DIR", tempfile.mkdtemp(prefix="jn_etl_bench_"))
    long_path, reg_path, n_buildings = generate(rows, cache_dir)
    # A PostgreSQL run also measures SQLite, so both ratios of issue 3 come from one run of the suite.
    backends = [database_url] if make_url(database_url).get_backend_name() == "sqlite" else [database_url, "sqlite://"]
    out = []
    for target in backends:
        is_postgres = make_url(target).get_backend_name() == "postgresql"
        name, label = ("postgres", "raw COPY+upsert") if is_postgres else ("sqlite", "raw sqlite3 upsert")
        db_label = "PostgreSQL" if is_postgres else "SQLite"
        with scratch_url(target) as url, measure(f"ETL {db_label}") as step:
            t = bench_backend(name, url, long_path, reg_path, repeat, budget_seconds=budget)
        how = f"{rows:,} long-format rows, {n_buildings:,} buildings; median of {t['runs']}; scratch database"
        out += [
            row(f"{label} fresh ({db_label})", round(t["raw_fresh"], 2), "s", how),
            row(f"{label} reload ({db_label})", round(t["raw_reload"], 2), "s", how + "; unchanged rows"),
            row(f"pipeline fresh ({db_label})", round(t["pipe_fresh"], 2), "s", how),
            row(f"pipeline reload ({db_label})", round(t["pipe_reload"], 2), "s", how + "; unchanged rows"),
            row(f"pipeline fresh throughput ({db_label})", round(rows / t["pipe_fresh"]), "rows/s", how),
            row(f"pipeline speed / raw speed, fresh ({db_label})", round(t["raw_fresh"] / t["pipe_fresh"], 3), "ratio",
                f"raw seconds / pipeline seconds, same run; target >= {0.6 if is_postgres else 0.4}"),
            row(f"pipeline speed / raw speed, reload ({db_label})", round(t["raw_reload"] / t["pipe_reload"], 3),
                "ratio", "raw seconds / pipeline seconds, same run"),
            row(f"pipeline reload / fresh time ({db_label})", round(t["pipe_reload"] / t["pipe_fresh"], 3), "ratio",
                "below 1: a re-upload of unchanged data is faster than a fresh load"),
            row(f"ETL {db_label}: peak memory", round(step.peak_rss_mb, 1), "MiB",
                "this process, raw and pipeline runs (the raw records held in memory too)"),
        ]
    if memory_rows:
        mem = memory_in_child(memory_rows, cache_dir)
        note = f"pipeline into a temporary SQLite file, one run in a child process; {mem['method']}"
        out += [
            row(f"pipeline {memory_rows:,} rows (SQLite): peak memory", round(mem["child_peak_rss_mb"], 1), "MiB",
                note + "; target < 2048"),
            row(f"pipeline {memory_rows:,} rows (SQLite): time", round(mem["seconds"], 1), "s", "one run"),
        ]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("JIENENG_BENCH_POSTGRES_URL",
                                                             "postgresql+psycopg://postgres@127.0.0.1:5432/jn_etl_bench"))
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--memory", type=int, metavar="ROWS",
                        help="Only load a ROWS-row file through the pipeline into SQLite and report peak memory")
    parser.add_argument("--cache-dir", type=Path, default=CACHE)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("JIENENG_DATA_DIR", tempfile.mkdtemp(prefix="jn_etl_bench_"))
    if args.memory:
        if args.json:
            print(json.dumps(memory_load(args.memory, args.cache_dir)))
        else:
            mem = memory_in_child(args.memory, args.cache_dir)
            print(f"pipeline, {args.memory:,} rows into SQLite: {mem['seconds']:.1f} s, "
                  f"peak resident memory of the loading process {mem['child_peak_rss_mb']:.0f} MiB")
        return
    long_path, reg_path, n_buildings = generate(args.rows, args.cache_dir)
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
