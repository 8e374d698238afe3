"""GB/T 2260 administrative division codes by revision year (data from the `gb2260` package)."""

from __future__ import annotations

from functools import lru_cache

from gb2260.data import data as _REVISIONS

YEARS = sorted(year for year in _REVISIONS if year is not None and year < 10000)


def revision_for(year: int) -> int | None:
    """The newest yearly revision not later than ``year`` (None = the package's latest list)."""
    candidates = [y for y in YEARS if y <= year]
    if candidates:
        return candidates[-1]
    return YEARS[0] if year < YEARS[0] else None


@lru_cache(maxsize=64)
def codes(year: int | None) -> frozenset[str]:
    """All six-digit codes valid in the revision that applies to ``year``."""
    revision = None if year is None else revision_for(year)
    return frozenset(f"{code:06d}" for code in _REVISIONS[revision])


def is_valid(code: str, year: int | None = None) -> bool:
    """Whether ``code`` is a division code in the revision that applies to ``year``."""
    return code in codes(year)


def name(code: str, year: int | None = None) -> str | None:
    """The division's Chinese name, or None."""
    revision = None if year is None else revision_for(year)
    return _REVISIONS[revision].get(int(code)) if code.isdigit() else None


def county_codes(prefix: str, year: int | None = None) -> list[str]:
    """County-level codes under a region code prefix; a city without districts yields its 市辖区 code."""
    under = sorted(c for c in codes(year) if c.startswith(prefix) and not c.endswith("00") and c[2:4] != "00")
    counties = [c for c in under if not c.endswith("01")]
    return counties or under
