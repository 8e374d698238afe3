"""Server-side timing of the dashboards: each page's first render and filter changes, over the callbacks.

    PYTHONPATH=. python benchmarks/dashboards.py --url sqlite:///var/bench/national.db [--runs 20] [--cold-runs 3]

A page's "first render" is its layout plus the callbacks that fill it with the default filters; a
"filter change" is the main callback with other filter values. Each is timed in three states:

- first view: nobody has asked for this view since the data last changed, and the served process
  has refreshed (app.services.frames.Refresher does so within seconds of a change: national
  indicator frames, then each year's progress, assessment, area totals and filter options): the
  views are emptied before every run, those building blocks are kept;
- warm: served from the view cache, keyed by the data version;
- cold: everything emptied before every run, as in the seconds between a data change and the end
  of the background refresh.

Prints the duration of the refresh and warm-up and p50/p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

# This file is named like the package it measures; keep its own folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import flask
from sqlalchemy import delete, func, select

from app.db import make_engine
from app.models import Building
from app.services import frames
from dashboards import create_dash, data
from dashboards.auth import Viewer
from dashboards.pages import building, overview, quality, region, targets

ADMIN = Viewer("benchmark", "admin", None)


def scenarios(year: int, other_year: int, building_code: str) -> dict[str, Callable[[], object]]:
    """Name -> a function doing what the browser triggers on the server."""
    return {
        "overview: first render": lambda: (overview.layout(), overview.update(year, None, "calorific", [], "progress", "zh")),
        "overview: filter year": lambda: overview.update(other_year, None, "calorific", [], "progress", "zh"),
        "overview: filter method": lambda: overview.update(year, None, "generation", [], "progress", "zh"),
        "overview: filter class+gov": lambda: overview.update(year, "A", "calorific", ["1"], "intensity", "zh"),
        "region: first render": lambda: (region.layout(), region.update("210000", year, None, "calorific", [], "zh")),
        "region: filter region": lambda: region.update("440300", year, None, "calorific", [], "zh"),
        "region: filter class": lambda: region.update("210000", year, "A", "calorific", [], "zh"),
        "building: first render": lambda: (building.layout(code=building_code), building.render(building_code, "zh")),
        "targets: first render": lambda: (targets.layout(), targets.current(year, "zh")),
        "quality: first render": lambda: (quality.layout(), quality.update(year, "zh")),
        "quality: filter year": lambda: quality.update(other_year, "zh"),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]


def measure(fn: Callable[[], object], *, runs: int, reset: Callable[[], None] | None = None) -> list[float]:
    times = []
    for _ in range(runs):
        if reset is not None:
            reset()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
    return times


def measure_all(database_url: str, *, runs: int, cold_runs: int) -> dict:
    """Warm-up time and cold/warm p50/p95 of every scenario on ``database_url``."""
    engine = make_engine(database_url)
    app = create_dash(engine=engine, authenticate=lambda _request: ADMIN, warm_cache=False)
    results = []
    try:
        with app.server.test_request_context("/"):
            flask.g.viewer = ADMIN
            data.clear_cache()
            years = data.filter_options()["years"]
            year, other_year = years[0], years[-1]
            with engine.connect() as conn:
                code = conn.scalar(select(Building.code).order_by(Building.id).limit(1))
                buildings = conn.scalar(select(func.count()).select_from(Building))
            start = time.perf_counter()
            frames.refresh(engine)
            data.warm_up()
            warm_up_s = time.perf_counter() - start
            for name, fn in scenarios(year, other_year, code).items():
                cold = measure(fn, runs=cold_runs, reset=data.clear_cache)
                frames.refresh(engine)
                first = measure(fn, runs=runs, reset=data.clear_views)
                warm = measure(fn, runs=runs)
                results.append({"scenario": name, "cold_p50_ms": statistics.median(cold), "cold_p95_ms": percentile(cold, 95),
                                "first_p50_ms": statistics.median(first), "first_p95_ms": percentile(first, 95),
                                "warm_p50_ms": statistics.median(warm), "warm_p95_ms": percentile(warm, 95)})
            data.clear_cache()
    finally:
        engine.dispose()
    return {"url": engine.url.render_as_string(hide_password=True), "buildings": buildings, "year": year,
            "warm_up_s": warm_up_s, "results": results}


def _ensure_target(database_url: str) -> int | None:
    """Decompose a 20 % national cut when there is no target; returns the id of the rows to remove after."""
    from app.db import session_scope
    from app.services.targets import current_targets, decompose

    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            if not current_targets(session=session).empty:
                return None
            years = sorted(data_years(session))
            result = decompose(session=session, cut_percent=20, baseline_year=years[0], target_year=years[0] + 5,
                               method="baseline", created_by="benchmarks.dashboards")
            return result.root_id
    finally:
        engine.dispose()


def _remove_target(database_url: str, first_id: int) -> None:
    from app.db import session_scope
    from app.models import SavingTarget

    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            session.execute(delete(SavingTarget).where(SavingTarget.id >= first_id))
    finally:
        engine.dispose()


def data_years(session) -> list[int]:
    from app.services.quality import data_years as years

    return years(session=session)


def run(database_url: str, cache_dir: Path) -> list[dict]:
    """Protocol of benchmarks/README.md: p95 of every page's first render and filter changes."""
    from benchmarks.harness import row
    from benchmarks.national import ensure_loaded

    ensure_loaded(database_url=database_url, cache_dir=cache_dir)
    added = _ensure_target(database_url)
    try:
        measured = measure_all(database_url, runs=10, cold_runs=2)
    finally:
        if added is not None:
            _remove_target(database_url, added)
    note = f"{measured['buildings']:,} buildings, year {measured['year']}; callbacks called server-side"
    rows = [row("dashboards: background refresh and warm-up, every year", round(measured["warm_up_s"], 1), "s",
                "national indicator frames of every year and method, then each year's overview, progress, "
                "assessment and quality views")]
    for result in measured["results"]:
        rows.append(row(f"dashboards {result['scenario']} (first view p95)", round(result["first_p95_ms"]), "ms",
                        f"{note}; p95 of 10 runs, view cache emptied before each, national frames precomputed"))
        rows.append(row(f"dashboards {result['scenario']} (warm p95)", round(result["warm_p95_ms"]), "ms",
                        f"{note}; p95 of 10 runs served from the cache"))
        rows.append(row(f"dashboards {result['scenario']} (cold p95)", round(result["cold_p95_ms"]), "ms",
                        f"{note}; p95 of 2 runs with views and national frames emptied before each"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of a database with data (e.g. the national demo set)")
    parser.add_argument("--runs", type=int, default=20, help="warm runs per scenario")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold runs per scenario (cache emptied each time)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    measured = measure_all(args.url, runs=args.runs, cold_runs=args.cold_runs)
    if args.json:
        print(json.dumps(measured, indent=2))
        return
    print(f"{measured['url']} · {measured['buildings']:,} buildings · year {measured['year']}")
    print(f"background refresh and warm-up (every year, both methods): {measured['warm_up_s']:.1f} s")
    print(f"{'scenario':32} {'cold p50':>10} {'cold p95':>10} {'first p50':>10} {'first p95':>10} "
          f"{'warm p50':>10} {'warm p95':>10}  (ms)")
    for result in measured["results"]:
        print(f"{result['scenario']:32} {result['cold_p50_ms']:10.0f} {result['cold_p95_ms']:10.0f} "
              f"{result['first_p50_ms']:10.0f} {result['first_p95_ms']:10.0f} "
              f"{result['warm_p50_ms']:10.0f} {result['warm_p95_ms']:10.0f}")


if __name__ == "__main__":
    main()
