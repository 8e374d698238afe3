"""National indicator frames per (year, method), held in memory and kept current in the background.

Every national view (region summaries, progress, assessment, the dashboards) starts from the
indicators of all buildings for a year. Computing that frame from the stored rollups takes about a
second at national scale; a lookup takes microseconds. Frames are keyed by the database and a
fingerprint of its data, so an import, a load or a new target makes the next read compute afresh;
``Refresher`` recomputes every year and method as soon as the fingerprint changes, so visitors
rarely pay for it.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.domain.regions import region_column
from app.models import Benchmark, Building, BuildingYearTotal, ConsumptionRecord, ConversionFactor, SavingTarget, Upload
from app.services import indicators, rollups

logger = logging.getLogger("jieneng.frames")
METHODS = ("calorific", "generation")
SLOTS = 8  # 4 years x 2 methods of 100,000 buildings: about 400 MB
_frames: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_positions: dict[tuple, pd.Index] = {}
_arrays: dict[tuple, list] = {}  # (column, array) pairs of a held frame, for row lookups without pandas overhead
_lock = threading.Lock()
_computing: dict[tuple, threading.Lock] = {}


def data_fingerprint(*, session: Session) -> tuple:
    """Changes whenever uploads finish, records or buildings are added, targets are stored, or the
    benchmark or conversion-factor values are reloaded (one round trip)."""
    stmt = select(
        select(func.count(Benchmark.id)).scalar_subquery(),
        select(func.sum(Benchmark.constraint_kwh_m2 + 2 * Benchmark.guide_kwh_m2)).scalar_subquery(),
        select(func.sum(ConversionFactor.kgce_per_unit * (ConversionFactor.valid_from_year % 97 + 1))).scalar_subquery(),
        select(func.max(Upload.id)).scalar_subquery(),
        select(func.max(Upload.finished_at)).scalar_subquery(),
        select(func.count(Upload.id)).scalar_subquery(),
        select(func.max(ConsumptionRecord.id)).scalar_subquery(),
        select(func.max(Building.id)).scalar_subquery(),
        select(func.max(SavingTarget.id)).scalar_subquery(),
    )
    return tuple(session.execute(stmt).one())


def _key(session: Session, year: int, method: str) -> tuple:
    return str(session.get_bind().engine.url), data_fingerprint(session=session), int(year), method


def national_frame(*, session: Session, year: int, method: str = "calorific") -> pd.DataFrame:
    """``building_year_indicators`` of every building for a year; computed once per data fingerprint."""
    key = _key(session, year, method)
    with _lock:
        frame = _lookup(key)
        if frame is not None:
            return frame
        computing = _computing.setdefault(key, threading.Lock())
    with computing:  # concurrent requests for the same frame compute it once
        with _lock:
            frame = _lookup(key)
        if frame is None:
            frame = indicators.building_year_indicators(session=session, year=year, method=method)
            _store(key, frame)
    with _lock:
        _computing.pop(key, None)
    return frame


def held_frame(*, session: Session, year: int, method: str = "calorific") -> pd.DataFrame | None:
    """The national frame if it is already held for the current data, else None (never computes)."""
    key = _key(session, year, method)
    with _lock:
        return _lookup(key)


def _lookup(key: tuple) -> pd.DataFrame | None:
    frame = _frames.get(key)
    if frame is not None:
        _frames.move_to_end(key)
    return frame


def _store(key: tuple, frame: pd.DataFrame) -> None:
    with _lock:
        _frames[key] = frame
        _positions[key] = pd.Index(frame["building_id"])
        _arrays[key] = [(column, frame[column].array) for column in frame.columns]
        for stale in [k for k in _frames if k[0] == key[0] and k[1] != key[1]]:
            _forget(stale)  # an older fingerprint of the same database is never read again
        while len(_frames) > SLOTS:
            _forget(next(iter(_frames)))


def _forget(key: tuple) -> None:
    _frames.pop(key, None)
    _positions.pop(key, None)
    _arrays.pop(key, None)


def region_frame(*, session: Session, year: int, method: str = "calorific", region_code: str | None = None) -> pd.DataFrame:
    """The indicators of a region's buildings: rows of the held national frame, or computed for the region alone."""
    frame = held_frame(session=session, year=year, method=method)
    if frame is None:
        return indicators.building_year_indicators(session=session, year=year, method=method, region_code=region_code)
    return select_buildings(frame, region_code=region_code).reset_index(drop=True)


def select_buildings(frame: pd.DataFrame, *, region_code: str | None = None, building_class: str | None = None,
                     government_only: bool = False) -> pd.DataFrame:
    """The rows of a national indicator frame in a region (by code prefix), class and owner type."""
    mask = pd.Series(True, index=frame.index)
    column = region_column(region_code) if region_code else None
    if column is not None:
        mask &= frame[column] == region_code
    if building_class:
        mask &= frame["building_class"] == building_class
    if government_only:
        mask &= frame["is_government_office"].astype(bool)
    return frame[mask]


def building_records(*, session: Session, building_id: int, method: str = "calorific") -> list[dict]:
    """A building's indicators for every year it reported, oldest first, as plain dicts (NaN for missing).

    Read from the held frames when every year is held, else computed in one pass over its own totals.
    """
    t = BuildingYearTotal
    years = session.scalars(select(t.year).where(t.building_id == building_id).distinct().order_by(t.year)).all()
    fingerprint = data_fingerprint(session=session)
    url = str(session.get_bind().engine.url)
    rows = []
    with _lock:
        for year in years:
            key = (url, fingerprint, int(year), method)
            if key not in _frames:
                break
            position = _positions[key].get_loc(building_id)
            rows.append({column: values[position] for column, values in _arrays[key]})
    if len(rows) == len(years):
        return rows
    frame = indicators.building_indicators_by_year(session=session, building_id=building_id, method=method)
    return frame.to_dict("records")


def clear() -> None:
    """Forget every held frame (after a reference-data reload; tests)."""
    with _lock:
        _frames.clear()
        _positions.clear()
        _arrays.clear()


def refresh(engine: Engine, *, methods: tuple[str, ...] = METHODS) -> int:
    """Compute every (year, method) frame not yet held for the current data; returns how many were computed."""
    computed = 0
    with Session(engine) as session:
        for year in rollups.data_years(session=session)[: SLOTS // len(methods)]:
            for method in methods:
                if held_frame(session=session, year=year, method=method) is None:
                    national_frame(session=session, year=year, method=method)
                    computed += 1
            session.rollback()  # a fresh snapshot per year keeps long refreshes from holding one open
    return computed


class Refresher:
    """A daemon thread that keeps every national frame current: polls the fingerprint, refreshes on change."""

    def __init__(self, engine: Engine, *, interval_s: float, after: list[Callable[[], None]] | None = None):
        self.engine, self.interval_s, self.after = engine, interval_s, after or []
        self._stop = threading.Event()
        self.state = "refreshing"  # "current" once every frame and hook has run for the data as last seen
        self._thread = threading.Thread(target=self._run, name="jieneng-frames", daemon=True)

    def start(self) -> Refresher:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        seen = None
        while not self._stop.is_set():
            try:
                with Session(self.engine) as session:
                    fingerprint = data_fingerprint(session=session)
                if fingerprint != seen:
                    self.state = "refreshing"
                    if refresh(self.engine):
                        logger.info("national indicator frames refreshed")
                    for hook in self.after:
                        hook()
                    seen = fingerprint
                    self.state = "current"
            except Exception:  # a missing or migrating database must not kill the thread; try again later
                logger.warning("refreshing the national indicator frames failed", exc_info=True)
            self._stop.wait(self.interval_s)
