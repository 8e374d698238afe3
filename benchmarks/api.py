"""API latency under concurrent load: GET /buildings (filtered, paginated), GET /buildings/{code}
and GET /regions/{code}/summary, measured from this process against `jieneng serve` started in a
second process on loopback.

    PYTHONPATH=. python benchmarks/api.py DATABASE_URL [--requests 400] [--concurrency 8] [--workers 2]
    PYTHONPATH=. python benchmarks/api.py DATABASE_URL --demo 200     # load demo data first (empty DB)

The database must hold buildings (the national data set, or --demo N buildings per region into an
empty, migrated database). A temporary admin user is added for the run and removed afterwards.
Reported per endpoint: p50 / p95 / p99 latency and throughput; the summary also cold (first call
per region, computed) versus warm (cached per process, keyed by a data fingerprint).
Target (issue 5, 100,000 buildings on PostgreSQL): p95 under 100 ms for all three.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BENCH_USER = "bench_api_admin"
CLASSES = "ABCDEFGH"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(database_url: str, demo_per_region: int | None) -> tuple[list[str], list[str]]:
    """Sample building codes and demonstration regions; add the benchmark user."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, select

    from app import migrate
    from app.db import make_engine, session_scope
    from app.models import Building, Region, User
    from app.security import hash_password

    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        if demo_per_region and not session.scalar(select(func.count()).select_from(Building)):
            from seeds.demo import generate
            from seeds.loader import load_reference

            load_reference(session)
            generate(session, buildings_per_region=demo_per_region, seed=2007)
    with session_scope(engine) as session:
        total = session.scalar(select(func.count()).select_from(Building)) or 0
        if total == 0:
            raise RuntimeError("no buildings: load the national data set (benchmarks.national) or pass --demo N")
        rng = random.Random(5)
        ids = rng.sample(range(1, session.scalar(select(func.max(Building.id))) + 1), k=min(2000, total))
        codes = list(session.scalars(select(Building.code).where(Building.id.in_(ids))))
        regions = list(session.scalars(select(Region.code).where(Region.is_demonstration.is_(True)).order_by(Region.code)))
        session.query(User).filter(User.username == BENCH_USER).delete()
        session.add(User(username=BENCH_USER, password_hash=hash_password(secrets.token_hex(8)), role="admin"))
    engine.dispose()
    return codes, regions


def _remove_user(database_url: str) -> None:
    from app.db import make_engine, session_scope
    from app.models import User

    engine = make_engine(database_url)
    with session_scope(engine) as session:
        session.query(User).filter(User.username == BENCH_USER).delete()
    engine.dispose()


def _start_server(database_url: str, secret: str, workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = os.environ | {
        "JIENENG_DATABASE_URL": database_url,
        "JIENENG_SECRET_KEY": secret,
        "JIENENG_ENVIRONMENT": "production",
        "JIENENG_REFRESH_INTERVAL_S": "5",
        "PYTHONPATH": str(ROOT),
    }
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(workers)],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"server did not answer within 120 s:\n{log.read_text()}")


def _wait_for_indicators(base: str, workers: int, timeout_s: float = 600) -> float:
    """Wait until every worker reports its national indicators current (several answers in a row); seconds waited."""
    start = time.monotonic()
    in_a_row = 0
    while in_a_row < 4 * workers:
        if time.monotonic() - start > timeout_s:
            raise RuntimeError("the server's indicators were not current within the timeout")
        state = httpx.get(f"{base}/healthz", timeout=10).json().get("indicators")
        in_a_row = in_a_row + 1 if state == "current" else 0
        time.sleep(0.05 if state == "current" else 0.5)
    return time.monotonic() - start


async def _load(base: str, headers: dict, paths: list[str], concurrency: int) -> tuple[list[float], float, int]:
    """Send every path with `concurrency` requests in flight; latencies in ms, wall seconds, errors."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for p in paths:
        queue.put_nowait(p)
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as client:

        async def worker() -> None:
            nonlocal errors
            while not queue.empty():
                path = queue.get_nowait()
                start = time.perf_counter()
                response = await client.get(path)
                latencies.append((time.perf_counter() - start) * 1000)
                errors += response.status_code != 200

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - start
    return latencies, wall, errors


def _scenario_rows(name: str, latencies: list[float], wall: float, errors: int, concurrency: int, note: str) -> list[dict]:
    n = len(latencies)
    how = f"{n} requests, {concurrency} in flight, loopback; {note}"
    rows = [
        {"benchmark": f"{name} p50", "figure": round(statistics.median(latencies), 1), "unit": "ms", "note": how},
        {"benchmark": f"{name} p95", "figure": round(_percentile(latencies, 95), 1), "unit": "ms", "note": how},
        {"benchmark": f"{name} p99", "figure": round(_percentile(latencies, 99), 1), "unit": "ms", "note": how},
        {"benchmark": f"{name} throughput", "figure": round(n / wall, 1), "unit": "req/s", "note": how},
    ]
    if errors:
        rows.append({"benchmark": f"{name} non-200 answers", "figure": errors, "unit": "requests", "note": how})
    return rows


def measure(database_url: str, *, requests: int = 400, concurrency: int = 8, workers: int = 2,
            demo_per_region: int | None = None, year: int = 2008) -> list[dict]:
    """Run the three scenarios against a served copy of the application; rows per the benchmarks protocol."""
    codes, regions = _prepare(database_url, demo_per_region)
    secret = secrets.token_urlsafe(48)
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"jieneng-bench-api-{os.getpid()}.log"
    proc, base = _start_server(database_url, secret, workers, log)
    rows: list[dict] = []
    try:
        waited = _wait_for_indicators(base, workers)
        rows.append({"benchmark": "server start to national indicators current", "figure": round(waited, 1), "unit": "s",
                     "note": f"every worker precomputes each (year, method) national frame in the background "
                             f"({workers} workers); requests are answered meanwhile"})
        from app.security import create_access_token

        token, _ = create_access_token(username=BENCH_USER, role="admin", region_code=None, secret_key=secret)
        headers = {"Authorization": f"Bearer {token}"}
        rng = random.Random(7)
        listing = [
            f"/api/v1/buildings?region={rng.choice(regions)}&class={rng.choice(CLASSES)}"
            f"&page={rng.randint(1, 3)}&page_size=50&sort={rng.choice(['code', '-floor_area_m2', 'name'])}"
            for _ in range(requests)
        ]
        details = [f"/api/v1/buildings/{rng.choice(codes)}" for _ in range(requests)]
        summary_regions = ["000000", *regions]

        # cold: the first summary of each region computes it from the precomputed frames (sequential)
        cold = []
        with httpx.Client(base_url=base, headers=headers, timeout=300) as client:
            for code in summary_regions:
                start = time.perf_counter()
                client.get(f"/api/v1/regions/{code}/summary", params={"year": year}).raise_for_status()
                cold.append((time.perf_counter() - start) * 1000)
        # every worker process keeps its own cache: warm them all before the warm run
        warmup = [f"/api/v1/regions/{code}/summary?year={year}" for code in summary_regions] * (workers * 3)
        asyncio.run(_load(base, headers, warmup, concurrency))
        summaries = [f"/api/v1/regions/{rng.choice(summary_regions)}/summary?year={year}" for _ in range(requests)]

        for name, paths, note in (
            ("GET /buildings (region + class filter, page of 50)", listing, "random region, class, page 1-3, sort"),
            ("GET /buildings/{code}", details, "random building; attributes, indicators by year, audits, history"),
            ("GET /regions/{code}/summary (warm)", summaries, f"year {year}; random of the nation and 21 regions"),
        ):
            asyncio.run(_load(base, headers, paths[: max(20, requests // 10)], concurrency))  # warm-up
            latencies, wall, errors = asyncio.run(_load(base, headers, paths, concurrency))
            rows += _scenario_rows(name, latencies, wall, errors, concurrency, note)
        rows.append({
            "benchmark": "GET /regions/{code}/summary (cold, first call)",
            "figure": round(statistics.median(cold), 1), "unit": "ms",
            "note": f"median of {len(cold)} regions, max {max(cold):,.0f} ms; summary computed from the precomputed national frame",
        })
        rows.append({"benchmark": "server workers", "figure": workers, "unit": "processes",
                     "note": "jieneng serve (uvicorn) in a second process; load from this process"})
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        _remove_user(database_url)
    return rows


def run(database_url: str, cache_dir: Path) -> list[dict]:
    """Benchmark protocol entry point (benchmarks/README.md): the national data set must be loaded."""
    try:
        from benchmarks.national import ensure_loaded
    except ImportError:
        ensure_loaded = None
    if ensure_loaded is not None:
        ensure_loaded(database_url=database_url, cache_dir=cache_dir)
    return measure(database_url, workers=min(4, os.cpu_count() or 2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database_url")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--year", type=int, default=2008)
    parser.add_argument("--demo", type=int, default=None, help="load N demo buildings per region into an empty DB")
    args = parser.parse_args()
    rows = measure(args.database_url, requests=args.requests, concurrency=args.concurrency, workers=args.workers,
                   demo_per_region=args.demo, year=args.year)
    width = max(len(r["benchmark"]) for r in rows)
    for r in rows:
        print(f"{r['benchmark']:<{width}}  {r['figure']:>10} {r['unit']:<9} {r['note']}")


if __name__ == "__main__":
    main()
