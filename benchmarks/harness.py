"""Measuring helpers shared by the benchmark modules: wall time, medians and peak memory per step."""

from __future__ import annotations

import gc
import resource
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")
# Highest peak seen before any reset, so the process's overall peak survives per-step resets.
_peak_before_resets_mb = 0.0


def _status_kib(field: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux); False where that is not possible."""
    global _peak_before_resets_mb
    _peak_before_resets_mb = max(_peak_before_resets_mb, peak_rss_mb())
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mb() -> float:
    """Peak resident memory of this process since start or the last reset_peak_rss(), in MiB."""
    kib = _status_kib("VmHWM")
    if kib is None:
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024


def overall_peak_rss_mb() -> float:
    """Peak resident memory of this process over its whole life, across per-step resets, in MiB."""
    return max(_peak_before_resets_mb, peak_rss_mb())


def rss_mb() -> float:
    """Current resident memory of this process, in MiB."""
    kib = _status_kib("VmRSS")
    return (kib if kib is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


@dataclass
class Step:
    """Wall time and peak memory of one measured step (filled in when its block ends)."""

    name: str
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    # False when the peak could not be reset, so it may include earlier steps.
    is_peak_isolated: bool = True


@contextmanager
def measure(name: str) -> Iterator[Step]:
    """Time a block and record the process's peak resident memory while it ran."""
    global _peak_before_resets_mb
    gc.collect()
    step = Step(name, is_peak_isolated=reset_peak_rss())
    start = time.perf_counter()
    try:
        yield step
    finally:
        step.seconds = time.perf_counter() - start
        step.peak_rss_mb = peak_rss_mb()
        # The kernel may report a lower mark later (it folds the current RSS in only when read).
        _peak_before_resets_mb = max(_peak_before_resets_mb, step.peak_rss_mb)


def median_seconds(fn: Callable[[], object], *, repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs after ``warmup`` untimed runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation, as numpy's default."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def row(benchmark: str, figure: float | str, unit: str, note: str = "") -> dict:
    """One result row of the protocol in benchmarks/README.md."""
    return {"benchmark": benchmark, "figure": figure, "unit": unit, "note": note}


def step_rows(step: Step, *, rows: int | None = None, note: str = "") -> list[dict]:
    """Rows for a measured step: its time, its throughput when ``rows`` is given, its peak memory."""
    result = [row(f"{step.name}: time", round(step.seconds, 3), "s", note)]
    if rows:
        result.append(row(f"{step.name}: throughput", round(rows / step.seconds) if step.seconds else 0, "rows/s",
                          f"{rows:,} rows"))
    memory_note = "" if step.is_peak_isolated else "process peak so far (could not reset)"
    result.append(row(f"{step.name}: peak memory", round(step.peak_rss_mb, 1), "MiB", memory_note))
    return result
