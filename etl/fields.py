"""What a survey kind is: a declaration of its fields. One engine (etl.engine) runs any kind.

A field says its name, how its cells are parsed, whether it is required, the dimension of its unit
(a quantity is read as number + unit and stored in the field's canonical unit), the checks its values
must pass and the finding code of each. The declaration is the documentation, the validation and the
error messages: adding a field is one line in one kind's module, adding a kind is one module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from etl.engine import Run

# How a field's cells are read. The engine parses number/integer/text/boolean fields itself; "custom"
# fields (periods, carriers, codes) are parsed by the kind, since their meaning depends on other fields.
Parser = Literal["number", "integer", "text", "boolean", "custom"]


@dataclass(frozen=True)
class Check:
    """A bound a parsed value must respect, with the finding code of a value that does not."""

    op: Literal["ge", "gt", "le", "lt"]
    bound: float
    code: str = "OUT_OF_RANGE"

    def fails(self, values: pd.Series) -> pd.Series:
        v = values.to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            bad = {"ge": v < self.bound, "gt": v <= self.bound, "le": v > self.bound, "lt": v >= self.bound}[self.op]
        return pd.Series(bad & ~np.isnan(v), index=values.index)


def between(low: float, high: float, *, low_open: bool = False, high_open: bool = False, code: str = "OUT_OF_RANGE",
            low_code: str | None = None) -> tuple[Check, ...]:
    """Checks of a closed (or half-open) range; ``low_code`` names a lower-bound failure differently."""
    return (Check("gt" if low_open else "ge", low, low_code or code), Check("lt" if high_open else "le", high, code))


def range_text(checks: tuple[Check, ...]) -> str:
    lo = next((c.bound for c in checks if c.op in ("ge", "gt")), None)
    hi = next((c.bound for c in checks if c.op in ("le", "lt")), None)
    return f"{'' if lo is None else f'{lo:g}'}–{'' if hi is None else f'{hi:g}'}"


@dataclass(frozen=True)
class Field:
    """One declared field of a survey kind."""

    name: str
    parser: Parser = "text"
    required: bool = False
    dimension: str | None = None  # unit dimension of a quantity field: area, energy, volume, mass, money, time, ...
    unit: str | None = None  # the canonical unit the value is stored in (m2, kWh, 10k_CNY, tce, h, ...)
    checks: tuple[Check, ...] = ()
    max_length: int | None = None
    aliases: tuple[str, ...] = ()  # header aliases beyond etl/aliases.yaml
    marker: bool = False  # a header that tells this kind apart from the others
    doc: str = ""


@dataclass(frozen=True)
class SurveyKind:
    """A survey kind: its declared fields and the step that checks rows across fields and loads them."""

    name: str
    fields: tuple[Field, ...]
    # process(run, raw_chunk, rec, bad, *, hold, upload_id) -> (rows rejected, records changed)
    process: Callable[..., tuple[int, int]]
    staged: bool = False  # rows go to a staging table merged once at the end (consumption)
    # finish(run, *, hold, stage) -> rows rejected: work over the whole file once every chunk is read
    finish: Callable[..., int] | None = None
    one_of: tuple[tuple[str, ...], ...] = ()  # groups of fields of which at least one must be present
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if not f.required)

    @property
    def markers(self) -> set[str]:
        return {f.name for f in self.fields if f.marker}


def parse_declared(run: Run, raw: pd.DataFrame, rec: pd.DataFrame, bad: pd.Series) -> None:
    """Parse and check every engine-parsed field of the chunk into ``rec`` (one pass over the declaration).

    A bad required field rejects its row (an error); a bad optional field is a warning and is left empty.
    """
    from etl.findings import ERROR, WARNING
    from etl.transform import parse_booleans, parse_integers, parse_numbers

    rows = rec["_row"]
    for f in run.kind.fields:
        if f.parser == "custom":
            continue
        value = run.values(raw, f.name)
        column = run.column_of(f.name)
        severity = ERROR if f.required else WARNING
        target = bad if f.required else None
        if f.required:
            run.flag(value == "", "REQUIRED", rows, value, column, bad)
        if f.parser == "text":
            rec[f.name] = value.str.slice(0, f.max_length) if f.max_length else value
            continue
        if f.parser == "boolean":
            parsed, problem = parse_booleans(value, run.ref.booleans)
            run.flag_problems(problem, rows, value, column, target, severity=severity)
            rec[f.name] = parsed
            continue
        parsed, problem = (parse_integers if f.parser == "integer" else parse_numbers)(value)
        if not f.required:
            problem[value == ""] = None
        run.flag_problems(problem, rows, value, column, target, severity=severity)
        parsed = parsed.where(problem.isna())
        scale = run.unit_scale(f)
        if scale is None:  # the column's unit is unusable: already reported once for the file
            parsed = pd.Series(np.nan, index=parsed.index)
            if f.required:
                bad[:] = True
        elif scale != 1.0:
            parsed = parsed * scale
        failed = apply_checks(run, f, parsed, rows, value, column, target, severity=severity)
        rec[f.name] = parsed.where(~failed)


def apply_checks(run: Run, f: Field, parsed: pd.Series, rows: pd.Series, raw: pd.Series, column: str | None,
                 bad: pd.Series | None, severity: str | None = None) -> pd.Series:
    """Run a field's declared checks on parsed values; returns the mask of values that failed one."""
    failed = pd.Series(False, index=parsed.index)
    for check in f.checks:
        fails = check.fails(parsed) & ~failed
        run.flag(fails, check.code, rows, raw, column, bad, severity=severity, range=range_text(f.checks),
                 limit=f"{check.bound:g}")
        failed |= fails
    return failed
