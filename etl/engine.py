"""The engine: read a file, resolve its headers, parse and check each declared field, hand clean rows to the kind.

Serves the CLI, the API and the dashboard through etl.pipeline.run. What a kind's fields are, and how
its rows are checked across fields and loaded, lives in that kind's module under etl/kinds/.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import get_settings
from app.domain.regions import NATION_CODE
from app.models import Benchmark, Building, BuildingClass, ElectricitySubItem, EnergyCarrier, Region, Unit, Upload
from app.services.profiles import header_hints
from app.services.reference import climate_zone_prefixes, conversion_tables
from etl import load as loader
from etl.extract import ROW, Limits, display_name, open_table
from etl.fields import SurveyKind, parse_declared
from etl.units import UnitBook
from etl.units import _key as _ukey
from etl.findings import ERROR, MESSAGES, WARNING, FileRejected, FindingLog, FindingOut, ImportReport, make_finding
from etl.mapping import Layout, guess_kind, header_score, load_aliases, missing_columns, norm, parse_profile, resolve
from etl.profiles import ProfileError
from etl.profiles import normalise as normalise_profile

CHUNK_ROWS = 250_000
# An intensity beyond these multiples of the GB/T 51161 constraint value is implausible.
INTENSITY_HIGH, INTENSITY_LOW = 3.0, 0.05


def kinds() -> dict[str, SurveyKind]:
    """Every declared survey kind by name."""
    from etl.kinds import KINDS

    return KINDS


# --------------------------------------------------------------------------------------------- context
@dataclass
class Reference:
    """Reference data one run needs, read once."""

    tables: Any
    carriers: dict[str, str]  # normalised name/code -> carrier code
    carrier_codes: set[str]
    units: dict[str, str]
    booleans: dict[str, bool]
    classes: dict[str, str]
    sub_items: dict[str, str]
    zones: dict[str, str]
    benchmarks: dict[tuple[str, str, str | None], float]

    @classmethod
    def read(cls, session: Session) -> Reference:
        aliases = load_aliases()
        carriers = dict(aliases.carriers)
        rows = session.execute(select(EnergyCarrier.code, EnergyCarrier.name_zh, EnergyCarrier.name_en)).all()
        codes = {r.code for r in rows}
        for r in rows:
            for name in (r.code, r.name_zh, r.name_en):
                carriers[norm(name)] = r.code
        carriers = {k: v for k, v in carriers.items() if v in codes}
        units = dict(aliases.units)
        for r in session.execute(select(Unit.code, Unit.name_zh, Unit.name_en)).all():
            for name in (r.code, r.name_zh, r.name_en):
                units[norm(name)] = r.code
        classes = dict(aliases.classes)
        for r in session.execute(select(BuildingClass.code, BuildingClass.name_zh, BuildingClass.name_en)).all():
            for name in (r.code, r.name_zh, r.name_en):
                classes[norm(name)] = r.code
        sub_items = dict(aliases.sub_items)
        for r in session.execute(select(ElectricitySubItem.code, ElectricitySubItem.name_zh, ElectricitySubItem.name_en)).all():
            for name in (r.code, r.name_zh, r.name_en):
                sub_items[norm(name)] = r.code
        benchmarks: dict[tuple[str, str, str | None], float] = {}
        for b in session.scalars(select(Benchmark)):
            for bc in (b.benchmark_class, None):
                key = (b.building_class, b.climate_zone, bc)
                benchmarks[key] = max(benchmarks.get(key, 0.0), b.constraint_kwh_m2)
        return cls(tables=conversion_tables(session=session), carriers=carriers, carrier_codes=codes, units=units,
                   booleans=aliases.booleans,
                   classes=classes, sub_items=sub_items, zones=climate_zone_prefixes(session=session), benchmarks=benchmarks)



@dataclass
class Run:
    """State of one run across chunks."""

    session: Session
    kind: SurveyKind
    ref: Reference
    layout: Layout
    region_scope: str | None
    units: UnitBook = field(default_factory=UnitBook)
    header_line: int = 1
    findings: FindingLog = field(default_factory=FindingLog)
    rows_read: int = 0
    rejected_rows: int = 0
    warned_rows: set[int] = field(default_factory=set)
    seen_keys: dict = field(default_factory=dict)
    seen_chunks: list = field(default_factory=list)
    seen_series: dict = field(default_factory=dict)
    interned: dict = field(default_factory=dict)
    scales: dict = field(default_factory=dict)
    intervals: list = field(default_factory=list)  # interval readings held until the file is read
    daily: bool = False  # dates in the period column are daily readings
    sequences: dict = field(default_factory=dict)  # district + class -> last sequence number assigned

    def intern(self, series: pd.Series) -> np.ndarray:
        """Small stable integers for the strings of a low-cardinality column."""
        for u in pd.unique(series.to_numpy()):
            self.interned.setdefault(u, len(self.interned))
        return series.map(self.interned).to_numpy(dtype=np.int64)

    def values(self, raw: pd.DataFrame, name: str) -> pd.Series:
        """The raw text cells of a field (its column, its profile constant, or blanks)."""
        source = self.layout.fields.get(name)
        if source is None:
            return pd.Series("", index=raw.index, dtype=object)
        if source.column is not None:
            return raw[source.column].astype(object)
        return pd.Series("" if source.constant is None else str(source.constant).strip(), index=raw.index, dtype=object)

    def unit_scale(self, f: Any) -> float | None:
        """Factor from the column's unit to the field's canonical unit (None when the unit is unusable).

        The unit comes from the header's bracket or the profile. An unknown unit, or one of another
        dimension, is reported once for the column: it rejects the file for a required field and leaves
        an optional field empty (a warning).
        """
        if f.name in self.scales:
            return self.scales[f.name]
        source = self.layout.fields.get(f.name)
        unit = source.unit if source is not None else None
        scale: float | None = 1.0
        if f.dimension and unit:
            scale, problem = self.units.factor(unit, f.unit, f.dimension)
            if problem:
                finding = make_finding(problem, row=self.header_line, column=self.column_of(f.name), value=unit,
                                       severity=ERROR if f.required else WARNING, field=f.name, unit=f.unit,
                                       dimension=f.dimension, found=self.units.dimension_of(unit) or "?")
                if f.required:
                    raise FileRejected(finding)
                self.findings.append(finding)
        self.scales[f.name] = scale
        return scale

    def carrier_units(self, unit_raw: pd.Series, unit: pd.Series, carrier: pd.Series,
                      quantity: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
        """Units outside the reference table (or defined by the profile) brought to a unit it has.

        Returns (unit code, quantity in that unit, problem). Energy units of a carrier measured in energy
        convert directly; energy of a fuel goes through kgce (the carrier's calorific factor) unless the
        profile gives the unit a heating value; a unit of another dimension is UNIT_MISMATCH.
        """
        problem = pd.Series(None, index=unit_raw.index, dtype="object")
        todo = (unit_raw != "") & unit.isna()
        if self.units.defined:
            own = {u for u in pd.unique(unit_raw.to_numpy()) if _ukey(u) in self.units.defined}
            todo |= unit_raw.isin(own)
        if not todo.any():
            return unit, quantity, problem
        canonical = dict(zip(self.ref.tables.carriers["code"], self.ref.tables.carriers["canonical_unit"], strict=True))
        pairs = pd.DataFrame({"u": unit_raw[todo], "c": carrier[todo].fillna("")})
        resolved: dict[tuple[str, str], tuple[str | None, float, str | None]] = {}
        for u, c in pairs.drop_duplicates().itertuples(index=False):
            resolved[(u, c)] = self._carrier_unit(u, canonical.get(c))
        keys = list(zip(pairs["u"], pairs["c"], strict=True))
        unit = unit.copy()
        quantity = quantity.copy()
        unit.loc[pairs.index] = [resolved[k][0] for k in keys]
        quantity.loc[pairs.index] = quantity.loc[pairs.index].to_numpy() * np.array([resolved[k][1] for k in keys])
        problem.loc[pairs.index] = [resolved[k][2] for k in keys]
        return unit, quantity, problem

    def _carrier_unit(self, text: str, canonical: str | None) -> tuple[str | None, float, str | None]:
        book = self.units
        q = book.quantity(text)
        if q is None:
            return None, np.nan, "UNIT_UNKNOWN"
        if canonical is None:  # unknown carrier: reported on its own
            return None, np.nan, None
        target = {"m3": "m3", "kWh": "kWh", "kg": "kg", "MJ": "MJ", "L": "L"}.get(canonical, canonical)
        dim = book.dimension_of(target)
        factor, problem = book.factor(text, target, dim) if dim else (None, "UNIT_MISMATCH")
        if factor is not None:
            return canonical, factor, None
        own = book.dimension_of(text)
        if own == "energy":
            return "kgce", book.factor(text, "kgce", "energy")[0], None
        if own == "volume" and dim == "mass":
            return "L", book.factor(text, "L", "volume")[0], None
        return None, np.nan, "UNIT_MISMATCH"

    def column_of(self, name: str) -> str:
        source = self.layout.fields.get(name)
        return source.column if source is not None and source.column else name

    def flag(self, mask: pd.Series, code: str, rows: pd.Series, values: pd.Series | None, column: str | None,
             bad: pd.Series | None = None, *, severity: str | None = None, **params: Any) -> None:
        """Add one finding per masked record (the first ``findings.per_code`` of a code kept, all counted).

        Severity is what happens to the row: a finding that rejects (``bad`` given) is an error, one that
        leaves the row loading (no ``bad``, or ``severity=WARNING``) is a warning. Every masked row is
        marked bad or warned, whether or not its finding is kept.
        """
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        idx = mask[mask].index
        level = severity or MESSAGES[code][0]
        if level == ERROR and bad is None:
            level = WARNING
        if bad is not None and level == ERROR:
            bad.loc[idx] = True
        if level == WARNING:
            self.warned_rows.update(rows.loc[idx].astype(int).tolist())
        idx = idx[:self.findings.room(code, len(idx), severity=level)]  # the first findings of each code are kept
        if not len(idx):
            return
        row_values = rows.loc[idx].tolist()
        raw = values.loc[idx].tolist() if values is not None else [None] * len(idx)
        per_row = {k: v.loc[idx].tolist() for k, v in params.items() if isinstance(v, pd.Series)}
        fixed = {k: v for k, v in params.items() if not isinstance(v, pd.Series)}
        for i, (row, value) in enumerate(zip(row_values, raw, strict=True)):
            extra = {k: v[i] for k, v in per_row.items()}
            list.append(self.findings, make_finding(code, row=int(row), column=column, value=value, severity=level,
                                                    **fixed, **extra))

    def flag_problems(self, problems: pd.Series, rows: pd.Series, values: pd.Series, column: str | None,
                      bad: pd.Series | None, *, severity: str | None = None, **params: Any) -> None:
        for code in problems.dropna().unique():
            self.flag(problems == code, code, rows, values, column, bad, severity=severity, **params)

    def scope_names(self) -> dict[str, str]:
        """The region scope as people read it in messages: 沈阳（210100）, Shenyang (210100)."""
        code = self.region_scope or ""
        region = self.session.get(Region, code) if code else None
        if region is None:
            return {"scope_zh": code, "scope_en": code}
        return {"scope_zh": f"{region.name_zh}（{code}）", "scope_en": f"{region.name_en} ({code})"}

    def in_scope(self, district: pd.Series) -> pd.Series:
        scope = self.region_scope
        if not scope or scope == NATION_CODE:
            return pd.Series(True, index=district.index)
        if scope.endswith("0000"):
            return district.str[:2] == scope[:2]
        if scope.endswith("00"):
            return district.str[:4] == scope[:4]
        return district == scope



def codes(series: pd.Series) -> pd.Series:
    uniques = pd.unique(series.to_numpy())
    return series.map({u: unicodedata.normalize("NFKC", u).strip().upper() if u else u for u in uniques})


def lookup_buildings(session: Session, codes: pd.Series) -> pd.DataFrame:
    """id, district, class, floor area, zone and benchmark class of the coded buildings (one query per chunk)."""
    unique = [c for c in codes.unique().tolist() if c]
    rows = []
    for batch in loader.batched(unique):
        rows += session.execute(select(Building.code, Building.id, Building.district_code, Building.building_class,
                                       Building.floor_area_m2, Building.climate_zone, Building.benchmark_class)
                                .where(Building.code.in_(batch))).all()
    return pd.DataFrame(rows, columns=["code", "building_id", "district_code", "building_class", "floor_area_m2",
                                       "climate_zone", "benchmark_class"]).set_index("code")


def check_buildings(run: Run, rec: pd.DataFrame, bad: pd.Series, column: str) -> pd.DataFrame:
    """Join building attributes onto records; unknown and out-of-scope buildings are errors."""
    info = lookup_buildings(run.session, rec["building_code"])
    joined = info.reindex(rec["building_code"]).set_index(rec.index)
    unknown = joined["building_id"].isna() & (rec["building_code"] != "")
    run.flag(unknown, "BUILDING_UNKNOWN", rec[ROW], rec["building_code"], column, bad)
    outside = joined["building_id"].notna() & ~run.in_scope(joined["district_code"].fillna(""))
    run.flag(outside, "BUILDING_OUT_OF_SCOPE", rec[ROW], rec["building_code"], column, bad, **run.scope_names())
    return joined


def benchmark_limit(run: Run, joined: pd.DataFrame) -> pd.Series:
    attrs = joined[["building_class", "climate_zone", "benchmark_class"]].astype(object)
    key = attrs["building_class"].fillna("") + "|" + attrs["climate_zone"].fillna("") + "|" + attrs["benchmark_class"].fillna("")
    table = {}
    for k in pd.unique(key.to_numpy()):
        cls, zone, bc = k.split("|")
        table[k] = run.ref.benchmarks.get((cls, zone, bc if bc in ("A", "B") else None), np.nan)
    return key.map(table).astype("float64")


def key_code(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    return pd.Series(list(zip(*[frame[c] for c in columns], strict=True)), index=frame.index)


def duplicates(run: Run, rec: pd.DataFrame, key_columns: list[str], ok: pd.Series, bad: pd.Series, code: str,
                column: str | None, values: pd.Series) -> None:
    """Second and later records with a key already seen in this file (this or an earlier chunk)."""
    sub = rec.loc[ok, key_columns]
    if sub.empty:
        return
    keys = key_code(sub, key_columns)
    first_in_chunk = ~keys.duplicated(keep="first")
    earlier = keys.map(run.seen_keys)
    first_row = earlier.copy()
    dup_chunk = ~first_in_chunk
    if dup_chunk.any():
        first_rows = rec.loc[sub.index, ROW].groupby(keys).transform("first")
        first_row[dup_chunk & earlier.isna()] = first_rows[dup_chunk & earlier.isna()]
    dup = earlier.notna() | dup_chunk
    run.flag(dup.reindex(rec.index, fill_value=False), code, rec[ROW], values, column, bad,
             first_row=first_row.reindex(rec.index).fillna(0).astype(int))
    new = first_in_chunk & earlier.isna()
    run.seen_keys.update(zip(keys[new], rec.loc[keys[new].index, ROW], strict=True))


def record_keys(run: Run, frame: pd.DataFrame, with_period: bool = True) -> np.ndarray:
    """int64 key of (building, carrier, year[, month, sub_item]) for consumption records."""
    key = frame["building_id"].to_numpy(dtype=np.int64) * 64 + run.intern(frame["carrier_code"]) % 64
    key = key * 512 + (frame["year"].to_numpy(dtype=np.int64) - 1800)
    if with_period:
        key = (key * 16 + frame["month"].to_numpy(dtype=np.int64)) * 8 + run.intern(frame["sub_item"]) % 8
    return key


def record_duplicates(run: Run, rec: pd.DataFrame, ok: pd.Series, bad: pd.Series) -> None:
    """Consumption records whose key appeared earlier in the file; sorted key arrays per chunk bound memory."""
    sub = rec.loc[ok]
    if sub.empty:
        return
    keys = record_keys(run, sub)
    rows = sub[ROW].to_numpy(dtype=np.int64)
    first = np.full(len(keys), -1, dtype=np.int64)
    for seen, seen_rows in run.seen_chunks:
        pos = np.minimum(np.searchsorted(seen, keys), len(seen) - 1)
        hit = (seen[pos] == keys) & (first < 0)
        first[hit] = seen_rows[pos[hit]]
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    repeat = np.zeros(len(keys), dtype=bool)
    repeat[order[1:]] = sorted_keys[1:] == sorted_keys[:-1]
    if repeat.any():
        firsts = pd.Series(rows).groupby(keys).transform("first").to_numpy()
        first = np.where((first < 0) & repeat, firsts, first)
    dup = pd.Series(first >= 0, index=sub.index)
    run.flag(dup.reindex(rec.index, fill_value=False), "DUPLICATE_KEY", rec[ROW], rec["code_raw"], None, bad,
             first_row=pd.Series(first, index=sub.index).reindex(rec.index).fillna(0).astype(int))
    fresh = first < 0
    uniq_keys, idx = np.unique(keys[fresh], return_index=True)
    if len(uniq_keys):  # a chunk of repeats only adds no keys; an empty array cannot be searched
        run.seen_chunks.append((uniq_keys, rows[fresh][idx]))



# --------------------------------------------------------------------------------------------- run
def limits() -> Limits:
    """The file limits of the settings (JIENENG_MAX_ROWS, JIENENG_XLSX_MAX_RATIO, ...)."""
    s = get_settings()
    return Limits(max_rows=s.max_rows, max_columns=s.max_columns, xlsx_max_uncompressed_bytes=s.xlsx_max_uncompressed_mb << 20,
                  xlsx_max_ratio=s.xlsx_max_ratio, xlsx_max_cells=s.xlsx_max_cells)


def store_raw(data: bytes, sha256: str) -> Path:
    """Keep the uploaded bytes under raw_dir/<sha[:2]>/<sha>; an existing file is never overwritten."""
    target = get_settings().raw_dir / sha256[:2] / sha256
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        try:
            os.link(tmp, target)
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)
    return target


def _report(upload: Upload, findings: list[FindingOut]) -> ImportReport:
    return ImportReport(upload_id=upload.id, status=upload.status, kind=upload.kind, filename=upload.filename,
                        rows_read=upload.rows_read, rows_accepted=upload.rows_accepted, rows_rejected=upload.rows_rejected,
                        rows_changed=upload.rows_changed, warnings=upload.warnings, findings=findings,
                        content_sha256=upload.content_sha256)


def run(*, session: Session, data: bytes, filename: str, kind: str, mapping: dict | None = None, sheet: str | None = None,
        all_or_nothing: bool = False, dry_run: bool = False, uploaded_by: str | None = None,
        region_scope: str | None = None, progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import one survey file; commits the upload record and its findings whatever happens to the rows."""
    if kind not in kinds():
        raise ValueError(f"kind must be one of {tuple(kinds())}")
    sha = hashlib.sha256(data).hexdigest()
    profile_error = None
    try:  # the normalised profile (a saved one is resolved to its dict by the caller) is stored and compared
        stored_mapping = mapping = normalise_profile(mapping)
    except ProfileError as exc:
        stored_mapping, profile_error = None, make_finding("FILE_MAPPING_INVALID", detail=str(exc)[:300])
    upload = Upload(filename=display_name(filename), content_sha256=sha, size_bytes=len(data), kind=kind,
                    uploaded_by=uploaded_by, status="processing",
                    options={"all_or_nothing": all_or_nothing, "dry_run": dry_run, "sheet": sheet,
                             "region_scope": region_scope, "mapping": stored_mapping})
    session.add(upload)
    session.flush()
    store_raw(data, sha)
    findings: list[FindingOut] = []
    prior = None
    if not dry_run and profile_error is None:
        same = session.execute(select(Upload.id, Upload.options).where(
            Upload.content_sha256 == sha, Upload.kind == kind, Upload.status.in_(("loaded", "partial")), Upload.id != upload.id)
            .order_by(Upload.id)).all()
        prior = next((i for i, o in same if (o or {}).get("sheet") == sheet and (o or {}).get("mapping") == stored_mapping
                      and (o or {}).get("region_scope") == region_scope), None)
    if profile_error is not None:
        findings, upload.status, upload.error_message = [profile_error], "rejected", profile_error.message
    elif prior is not None:
        findings.append(make_finding("FILE_DUPLICATE", upload_id=prior))
        upload.status = "duplicate"
    else:
        findings = _process(session, upload, data, kind=kind, mapping=mapping, sheet=sheet, all_or_nothing=all_or_nothing,
                            dry_run=dry_run, region_scope=region_scope, progress=progress)
    upload.finished_at = datetime.now(UTC)
    loader.store_findings(session, upload.id, findings)
    session.commit()
    return _report(upload, findings)


def profile_columns(mapping: dict | None) -> list[str]:
    """The file columns a mapping profile names (fields read from a column, and wide columns)."""
    if not isinstance(mapping, dict):
        return []
    fields = mapping.get("fields") or {}
    named = [spec["column"] if isinstance(spec, dict) else spec for spec in fields.values()
             if not (isinstance(spec, dict) and "column" not in spec)]
    return [str(c) for c in named] + [str(c) for c in (mapping.get("wide") or {})]


def chunk_records(state: Run, chunk: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The chunk's rows with every engine-parsed field parsed and checked, and the rows rejected so far."""
    rec = pd.DataFrame({ROW: chunk[ROW]})
    bad = pd.Series(False, index=rec.index)
    parse_declared(state, chunk, rec, bad)
    return rec, bad


def _open(session: Session, upload: Upload, data: bytes, *, kind: SurveyKind, mapping, sheet, region_scope):
    profile = parse_profile(mapping)
    table = open_table(data, upload.filename, sheet=sheet, score=header_score, header_row=profile.get("header_row"),
                       chunksize=CHUNK_ROWS, limits=limits())
    ref = Reference.read(session)
    layout = resolve(table.columns, kind, profile, ref.carriers, kinds(), header_hints(session=session, kind=kind.name))
    return table, Run(session=session, kind=kind, ref=ref, layout=layout, region_scope=region_scope,
                      units=UnitBook(profile.get("units")), header_line=table.header_row,
                      findings=FindingLog(per_code=get_settings().findings_per_code))


def _process(session: Session, upload: Upload, data: bytes, *, kind, mapping, sheet, all_or_nothing, dry_run,
             region_scope, progress) -> list[FindingOut]:
    findings: list[FindingOut] = []
    savepoint = session.begin_nested()
    stage = None
    survey = kinds()[kind]
    try:
        table, state = _open(session, upload, data, kind=survey, mapping=mapping, sheet=sheet, region_scope=region_scope)
        layout = state.layout
        named = len(profile_columns(mapping))
        if named and len(layout.missing) == named:
            raise FileRejected(make_finding("FILE_PROFILE_MISFIT", columns=", ".join(layout.missing[:10])))
        for column in layout.missing:
            state.findings.append(make_finding("PROFILE_COLUMN_MISSING", row=table.header_row, column=column, value=column))
        for column in layout.ignored:
            state.findings.append(make_finding("COLUMN_IGNORED", row=table.header_row, column=column, value=column))
        for name, (column, confidence) in layout.fuzzy.items():
            state.findings.append(make_finding("HEADER_FUZZY", row=table.header_row, column=column, value=column,
                                               field=name, confidence=f"{confidence:.2f}"))
        missing = missing_columns(layout, survey)
        if missing:
            found = guess_kind(layout, kinds())
            if found and found != kind:
                raise FileRejected(make_finding("FILE_WRONG_KIND", found=found, expected=kind))
            hints = [f"{name}: " + ", ".join(f"“{c}” {v:.2f}" for c, v in layout.candidates[name][:3])
                     for name in missing if layout.candidates.get(name)]
            if hints:
                raise FileRejected(make_finding("FILE_MISSING_COLUMNS_CANDIDATES", row=table.header_row,
                                                columns=", ".join(missing), candidates="; ".join(hints)))
            raise FileRejected(make_finding("FILE_MISSING_COLUMNS", columns=", ".join(missing)))
        if layout.unknown:  # one finding naming the first few
            shown = "、".join(layout.unknown[:5]) + ("…" if len(layout.unknown) > 5 else "")
            state.findings.append(make_finding("COLUMN_UNKNOWN", column=layout.unknown[0], value=shown,
                                               count=len(layout.unknown)))
        total = max(data.count(b"\n") - table.header_row, 1) if table.format == "csv" else 0
        rejected = changed = 0
        if survey.staged:
            stage = loader.ConsumptionStage(session)
        hold = dry_run or (all_or_nothing and not survey.staged)
        for chunk in table.chunks:
            state.rows_read += len(chunk)
            if chunk.empty:
                continue
            rec, bad = chunk_records(state, chunk)
            n_bad, n_changed = survey.process(state, chunk, rec, bad, hold=hold, upload_id=upload.id, stage=stage)
            changed += n_changed
            rejected += n_bad
            if progress is not None:
                progress(state.rows_read, max(total, state.rows_read))
        if state.rows_read == 0:
            raise FileRejected(make_finding("FILE_NO_ROWS"))
        if survey.finish is not None:
            rejected += survey.finish(state, hold=hold, stage=stage)
        findings = _unique(table.notices + state.findings + state.findings.capped())
        upload.rows_read = state.rows_read
        upload.rows_rejected = rejected
        upload.rows_accepted = state.rows_read - rejected
        upload.warnings = state.findings.severities[WARNING]  # every warning counted, listed or not
        if all_or_nothing and rejected and not dry_run:
            upload.rows_accepted = 0
            upload.status = "rejected"
        elif dry_run:
            upload.status = "dry_run"
        else:
            if all_or_nothing and not survey.staged:
                # rows were held back until the whole file was known to be clean: load them now
                return _reload_clean(session, upload, data, savepoint, findings, kind=survey, mapping=mapping, sheet=sheet,
                                     region_scope=region_scope)
            if stage is not None:
                changed = stage.merge(upload.id)
            upload.status = "partial" if rejected else "loaded"
            if upload.rows_accepted == 0:
                upload.status = "rejected"
        upload.rows_changed = changed
        if stage is not None:
            stage.drop()
        savepoint.commit()
        return findings
    except FileRejected as exc:
        savepoint.rollback()
        upload.status = "rejected"
        upload.error_message = exc.finding.message
        return [exc.finding, *findings]
    except Exception as exc:
        savepoint.rollback()
        upload.status = "rejected"
        finding = make_finding("IMPORT_FAILED", detail=f"{type(exc).__name__}: {exc}"[:300])
        upload.error_message = finding.message
        return [finding]


def _unique(findings: list[FindingOut]) -> list[FindingOut]:
    seen, out = set(), []
    for f in findings:
        key = (f.row, f.column, f.code, f.value)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _reload_clean(session, upload, data, savepoint, findings, *, kind, mapping, sheet, region_scope) -> list[FindingOut]:
    """Second pass of an all-or-nothing buildings/audits import, once every row is known to be valid."""
    table, state = _open(session, upload, data, kind=kind, mapping=mapping, sheet=sheet, region_scope=region_scope)
    changed = 0
    for chunk in table.chunks:
        if chunk.empty:
            continue
        rec, bad = chunk_records(state, chunk)
        changed += kind.process(state, chunk, rec, bad, hold=False, upload_id=upload.id, stage=None)[1]
    upload.rows_changed = changed
    upload.status = "loaded"
    savepoint.commit()
    return findings
