"""Year-end disclosure at national scale: publishing every demonstration region's list, then the public
list (open-data JSON and portal pages) under concurrent anonymous load against a served process.

    PYTHONPATH=. python benchmarks/disclosure.py DATABASE_URL [--requests 400] [--concurrency 8] [--workers 2]

On the national data set (100,000 buildings, `benchmarks.national`) the 21 regions' 2008 lists are drafted,
submitted, approved and published through `app.services.disclosure` (the proposal reads every building's
indicators and the comparable basis), which puts roughly the whole complete-year population into public
snapshots. Target (issue 15): the public list p95 under 100 ms. Everything the run adds is deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2008
STATUSES = ["better_than_guide", "between", "above_constraint", "none"]


def _publish_all(database_url: str) -> tuple[list[dict], list[str], list[str], int]:
    """Publish every demonstration region's list; rows, region codes, sample building codes, items published."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, select

    from app.db import make_engine, session_scope
    from app.domain.disclosure import Actor
    from app.models import DisclosureItem, Region
    from app.services import disclosure as ds
    from benchmarks.harness import measure

    _cleanup(database_url)
    engine = make_engine(database_url)
    official, admin = Actor("bench_official", "admin", None), Actor("bench_approver", "admin", None)
    with session_scope(engine) as session:
        regions = list(session.scalars(select(Region.code).where(Region.is_demonstration.is_(True)).order_by(Region.code)))
    slowest = 0.0
    with measure("publish every region") as step:
        for code in regions:
            start = time.perf_counter()
            with session_scope(engine) as session:
                ds.draft(session=session, actor=official, region_code=code, year=YEAR)
                ds.submit(session=session, actor=official, region_code=code, year=YEAR)
                ds.approve(session=session, actor=admin, region_code=code, year=YEAR)
                ds.publish(session=session, actor=official, region_code=code, year=YEAR)
            slowest = max(slowest, time.perf_counter() - start)
    with session_scope(engine) as session:
        items = session.scalar(select(func.count()).select_from(DisclosureItem)) or 0
        rng = random.Random(3)
        sample = list(session.execute(select(DisclosureItem.building_code, DisclosureItem.version_id)
                                      .order_by(DisclosureItem.id).limit(20_000)).all())
        sample = rng.sample(sample, k=min(500, len(sample)))
        versions = dict(session.execute(select(ds.DisclosureVersion.id, ds.DisclosureVersion.region_code)).all())
    engine.dispose()
    codes = [f"{versions[v]}/{YEAR}/{c}" for c, v in sample]
    rows = [
        {"benchmark": "publish 21 regions (draft, submit, approve, publish)", "figure": round(step.seconds, 1),
         "unit": "s", "note": f"{items:,} buildings published in total; one transaction per region"},
        {"benchmark": "publish: slowest region", "figure": round(slowest, 1), "unit": "s",
         "note": "eligibility (indicators, findings, audits), comparable basis and the snapshot of one region"},
        {"benchmark": "publish: peak memory", "figure": round(step.peak_rss_mb, 1), "unit": "MiB", "note": "this process"},
    ]
    return rows, regions, codes, items


def _cleanup(database_url: str) -> None:
    """Delete the benchmark's disclosure rows (set-based SQL: the ORM guard keeps published snapshots immutable)."""
    from sqlalchemy import delete

    from app.db import make_engine, session_scope
    from app.models import DisclosureEntry, DisclosureItem, DisclosureList, DisclosureVersion

    engine = make_engine(database_url)
    with session_scope(engine) as session:
        for table in (DisclosureItem, DisclosureVersion, DisclosureEntry, DisclosureList):
            session.execute(delete(table.__table__))
    engine.dispose()


def _already_published(database_url: str) -> tuple[list[dict], list[str], list[str], int]:
    """The lists already published in the database (for a rerun of the load test alone)."""
    from sqlalchemy import func, select

    from app.db import make_engine, session_scope
    from app.models import DisclosureItem, DisclosureVersion

    engine = make_engine(database_url)
    with session_scope(engine) as session:
        regions = sorted(set(session.scalars(select(DisclosureVersion.region_code))))
        items = session.scalar(select(func.count()).select_from(DisclosureItem)) or 0
        sample = session.execute(select(DisclosureVersion.region_code, DisclosureItem.building_code)
                                 .join(DisclosureVersion, DisclosureVersion.id == DisclosureItem.version_id)
                                 .order_by(func.random()).limit(500)).all()
    engine.dispose()
    return [], regions, [f"{r}/{YEAR}/{c}" for r, c in sample], items


def measure(database_url: str, *, requests: int = 400, concurrency: int = 8, workers: int = 2,
            reuse: bool = False) -> list[dict]:
    from benchmarks import api

    rows, regions, codes, items = (_already_published if reuse else _publish_all)(database_url)
    os.environ["JIENENG_PUBLIC_RATE_LIMIT"] = "1000000/minute"  # the load comes from one address
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"jieneng-bench-disclosure-{os.getpid()}.log"
    proc, base = api._start_server(database_url, secrets.token_urlsafe(48), workers, log)
    rng = random.Random(11)
    try:
        rows.append({"benchmark": "server start to national indicators current", "unit": "s",
                     "figure": round(api._wait_for_indicators(base, workers), 1),
                     "note": "measured once the background precomputation is done, as in the api module"})
        national_pages = max(1, items // 100)
        scenarios = {
            "public JSON, national list (page of 100)": [
                f"/api/v1/public/disclosures?year={YEAR}&page={rng.randint(1, national_pages)}&page_size=100"
                for _ in range(requests)],
            "public JSON, one region filtered (class, status, sort)": [
                f"/api/v1/public/disclosures?year={YEAR}&region={rng.choice(regions)}&class={rng.choice('ABCDEFGH')}"
                f"&status={rng.choice(STATUSES)}&sort={rng.choice(['code', '-intensity', 'name'])}&page_size=50"
                for _ in range(requests)],
            "public JSON, search by name": [
                f"/api/v1/public/disclosures?year={YEAR}&q={rng.choice(['办公', '宾馆', '商场', '医院', '学校', 'A00'])}"
                f"&page_size=50" for _ in range(requests)],
            "portal page, one region (50 rows)": [
                f"/disclosure/{rng.choice(regions)}/{YEAR}?page={rng.randint(1, 20)}&sort={rng.choice(['code', '-intensity'])}"
                for _ in range(requests)],
            "portal page, one building": [f"/disclosure/{rng.choice(codes)}" for _ in range(requests)],
        }
        for name, paths in scenarios.items():
            asyncio.run(api._load(base, {}, paths[:20], concurrency))  # warm the connections
            latencies, wall, errors = asyncio.run(api._load(base, {}, paths, concurrency))
            rows += api._scenario_rows(name, latencies, wall, errors, concurrency,
                                       f"anonymous; {workers} workers; {items:,} published buildings")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if not reuse:
            _cleanup(database_url)
    return rows


def run(database_url: str, cache_dir: Path) -> list[dict]:
    from benchmarks.national import ensure_loaded

    ensure_loaded(database_url=database_url, cache_dir=cache_dir)
    return measure(database_url,
                   requests=int(os.environ.get("JIENENG_BENCH_DISCLOSURE_REQUESTS", "400")),
                   concurrency=int(os.environ.get("JIENENG_BENCH_DISCLOSURE_CONCURRENCY", "8")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database_url")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="measure the lists already published; publish nothing, delete nothing")
    args = parser.parse_args()
    for r in measure(args.database_url, requests=args.requests, concurrency=args.concurrency, workers=args.workers,
                     reuse=args.reuse):
        print(f"{r['benchmark']:<60} {r['figure']:>10} {r['unit']:<6} {r['note']}")


if __name__ == "__main__":
    main()
