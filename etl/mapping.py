"""Header aliases (Chinese and English), value aliases and saved mapping profiles."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from rapidfuzz import fuzz, process

from etl.findings import FileRejected, make_finding

ALIASES_FILE = Path(__file__).with_name("aliases.yaml")
_BRACKET = re.compile(r"^(.*?)\s*[(\[]\s*([^()\[\]]*?)\s*[)\]]\s*$")
_STRIP = re.compile(r"[\s_\-·:：/、.]+")
_CJK = re.compile(r"([\u3400-\u9fff])")
_PUNCT = re.compile(r"[\s_\-·:：/、.,，()（）\[\]【】]+")
# A fuzzy header match at or above this confidence is used (and reported as a notice); below it, the
# best candidates are named in the missing-column finding.
FUZZY_THRESHOLD = 0.85
FUZZY_CANDIDATE = 0.5
_SUFFIXES = ("消耗量", "耗量", "用量", "消耗", "量", "consumption", "use", "usage")

def norm(text: Any) -> str:
    """Case-, width- and punctuation-insensitive form of a header or value."""
    s = unicodedata.normalize("NFKC", str(text)).lower()
    return _STRIP.sub("", s)


@dataclass(frozen=True)
class Aliases:
    headers: dict[str, str]  # normalised alias -> canonical field
    carriers: dict[str, str]  # normalised alias -> carrier code
    sub_items: dict[str, str]
    classes: dict[str, str]
    booleans: dict[str, bool]
    units: dict[str, str]


def _invert(table: dict[str, list], keep_key: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for canonical, aliases in table.items():
        if keep_key:
            out[norm(canonical)] = canonical
        for alias in aliases:
            out.setdefault(norm(alias), canonical)
    return out


@lru_cache
def load_alias_names() -> dict[str, tuple[str, ...]]:
    """Header aliases of each field as written in etl/aliases.yaml."""
    raw = yaml.safe_load(ALIASES_FILE.read_text(encoding="utf-8"))
    return {name: tuple(str(a) for a in values) for name, values in raw["headers"].items()}


@lru_cache
def load_aliases() -> Aliases:
    """The alias tables shipped in etl/aliases.yaml."""
    raw = yaml.safe_load(ALIASES_FILE.read_text(encoding="utf-8"))
    booleans = {norm(a): key == "true" for key, values in raw["booleans"].items() for a in values}
    return Aliases(headers=_invert(raw["headers"]), carriers=_invert(raw["carriers"]), sub_items=_invert(raw["sub_items"]),
                   classes=_invert(raw["building_classes"]), booleans=booleans, units=_invert(raw["units"]))


def header_score(cells: list[str]) -> int:
    """How many cells of a candidate header row are known field or carrier names."""
    aliases = load_aliases()
    score = 0
    for cell in cells:
        if not str(cell).strip():
            continue
        if _field_of(cell, aliases)[0] or _carrier_of(cell, aliases, {})[0]:
            score += 1
        elif _WORDY.search(str(cell)) and _fuzzy_known(tokens(_split_unit(str(cell))[0])):
            score += 1
    return score


_WORDY = re.compile(r"[^\W\d_]{2,}")


@lru_cache(maxsize=4096)
def _fuzzy_known(query: str) -> bool:
    """Whether a header cell resembles some field's alias closely enough to be used."""
    if not query:
        return False
    return bool((_similarity_matrix([query], _all_alias_tokens()) >= FUZZY_THRESHOLD * 100).any())


@lru_cache
def _all_alias_tokens() -> list[str]:
    return sorted({tokens(a) for written in load_alias_names().values() for a in written} - {""})


def _split_unit(header: str) -> tuple[str, str | None]:
    text = unicodedata.normalize("NFKC", header).strip()
    m = _BRACKET.match(text)
    if m and m.group(1):
        return m.group(1), m.group(2)
    return text, None


def _field_of(header: str, aliases: Aliases) -> tuple[str | None, str | None]:
    key = norm(header)
    if key in aliases.headers:
        return aliases.headers[key], _split_unit(header)[1]
    name, unit = _split_unit(header)
    key = norm(name)
    if unit is not None and key in aliases.headers:
        return aliases.headers[key], unit
    return None, None


def _strip_suffix(key: str) -> str:
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def _carrier_of(header: str, aliases: Aliases, extra: dict[str, str]) -> tuple[str | None, str | None, str | None]:
    """(carrier code, sub-item, unit) of a wide-layout column header."""
    name, unit = _split_unit(header)
    key = norm(name)
    for candidate in (key, _strip_suffix(key)):
        if candidate in extra:
            return extra[candidate], "", unit
        if candidate in aliases.carriers:
            return aliases.carriers[candidate], "", unit
        if candidate in aliases.sub_items:
            return "electricity", aliases.sub_items[candidate], unit
    return None, None, None


def tokens(text: Any) -> str:
    """Words of a header for fuzzy matching: NFKC, lower case, punctuation as spaces."""
    s = unicodedata.normalize("NFKC", str(text)).lower()
    return " ".join(_PUNCT.sub(" ", s).split())


def _fuzzy_choices(kind: Any, aliases: Aliases, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Tokenised alias -> field, for the fields ``kind`` declares (aliases.yaml, declarations, saved profiles)."""
    allowed = {f.name for f in kind.fields}
    raw = load_alias_names()
    out: dict[str, str] = {}
    for name, written in raw.items():  # aliases.yaml order decides between fields sharing an alias
        if name in allowed:
            for alias in written:
                out.setdefault(tokens(alias), name)
    for f in kind.fields:
        for alias in (f.name, f.name.replace("_", " "), *f.aliases):
            out.setdefault(tokens(alias), f.name)
    for column, name in (extra or {}).items():
        if name in allowed:
            out.setdefault(tokens(column), name)
    out.pop("", None)
    return out


def _similarity_matrix(queries: list[str], choices: list[str]) -> np.ndarray:
    """Similarity (0-100) of every query to every choice, computed natively (rapidfuzz.cdist): the best of
    whole-string similarity, word order ignored (CJK characters as words), and a contained phrase (an
    extra qualifier) at 90 % weight."""
    def nospace(xs):
        return [x.replace(" ", "") for x in xs]

    def cjk(xs):
        return [_CJK.sub(r" \1 ", x) for x in xs]

    whole = process.cdist(nospace(queries), nospace(choices), scorer=fuzz.ratio)
    order = process.cdist(cjk(queries), cjk(choices), scorer=fuzz.token_sort_ratio, processor=None)
    part = process.cdist(queries, choices, scorer=fuzz.partial_ratio) * 0.9
    long_enough = (np.array([len(q) for q in queries])[:, None] >= 4) & (np.array([len(c) for c in choices])[None, :] >= 4)
    return np.maximum(np.maximum(whole, order), np.where(long_enough, part, 0.0))


def fuzzy_scores(header: str, choices: dict[str, str], limit: int = 3) -> list[tuple[str, float]]:
    """Best distinct fields for a header with their confidence (0-1), best first."""
    return fuzzy_table([header], choices, limit)[header]


def fuzzy_table(headers: list[str], choices: dict[str, str], limit: int = 3) -> dict[str, list[tuple[str, float]]]:
    """For each header, its best distinct fields with their confidence (0-1), best first."""
    queries = [tokens(_split_unit(h)[0]) for h in headers]
    keys = list(choices)
    out: dict[str, list[tuple[str, float]]] = {h: [] for h in headers}
    if not keys or not any(queries):
        return out
    scores = _similarity_matrix(queries, keys)
    names = np.array([choices[k] for k in keys])
    for i, header in enumerate(headers):
        if not queries[i]:
            continue
        best: dict[str, float] = {}
        for j in np.argsort(-scores[i])[: limit * 6]:
            name = str(names[j])
            best[name] = max(best.get(name, 0.0), float(scores[i, j]) / 100)
        out[header] = sorted(best.items(), key=lambda kv: -kv[1])[:limit]
    return out


@dataclass
class FieldSource:
    column: str | None = None
    unit: str | None = None
    constant: Any = None


@dataclass
class WideColumn:
    column: str
    carrier: str
    sub_item: str
    unit: str | None


@dataclass
class Layout:
    """How the columns of one file map onto canonical fields."""

    kind: str
    fields: dict[str, FieldSource] = field(default_factory=dict)
    wide: list[WideColumn] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # columns the profile says to ignore
    fuzzy: dict[str, tuple[str, float]] = field(default_factory=dict)  # field -> (column, confidence)
    candidates: dict[str, list[tuple[str, float]]] = field(default_factory=dict)  # field -> [(column, confidence)]
    missing: list[str] = field(default_factory=list)  # columns the profile names that the file lacks
    date_order: str | None = None  # MDY or DMY for dates written 01/05/2012
    assign_codes: bool = False  # buildings without a valid code get one (district + class + sequence)
    building_key: str = "code"  # consumption/audits: "external_id" refers to buildings by their external ID
    external_source: str | None = None
    value_aliases: dict[str, dict[str, Any]] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self.fields


def parse_profile(mapping: dict | None) -> dict[str, Any]:
    """Check a mapping profile's shape; raises FileRejected with what is wrong."""
    if mapping is None:
        return {}
    if not isinstance(mapping, dict):
        raise FileRejected(make_finding("FILE_MAPPING_INVALID", detail="expected a mapping object"))
    fields = mapping.get("fields", {})
    wide = mapping.get("wide", {})
    values = mapping.get("values", {})
    header_row = mapping.get("header_row")
    if not isinstance(fields, dict) or not isinstance(wide, dict) or not isinstance(values, dict):
        raise FileRejected(make_finding("FILE_MAPPING_INVALID", detail="fields, wide and values must be objects"))
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        raise FileRejected(make_finding("FILE_MAPPING_INVALID", detail="header_row must be a positive integer"))
    for name, spec in fields.items():
        if isinstance(spec, dict):
            if not ({"column", "constant"} & spec.keys()):
                raise FileRejected(make_finding("FILE_MAPPING_INVALID", detail=f"field {name}: give column or constant"))
        elif not isinstance(spec, str | int | float):
            raise FileRejected(make_finding("FILE_MAPPING_INVALID", detail=f"field {name}: expected a column name"))
    for column, spec in wide.items():
        if not isinstance(spec, dict) or "carrier" not in spec:
            raise FileRejected(make_finding("FILE_MAPPING_INVALID", detail=f"wide column {column}: give a carrier"))
    units = mapping.get("units", {})
    if not isinstance(units, dict) or any(not isinstance(spec, dict) or "base" not in spec for spec in units.values()):
        raise FileRejected(make_finding("FILE_MAPPING_INVALID", detail="units: give each defined unit a base (and factor)"))
    for symbol, spec in units.items():
        try:
            float(spec.get("factor", 1))
        except (TypeError, ValueError):
            raise FileRejected(make_finding("FILE_MAPPING_INVALID", detail=f"unit {symbol}: factor must be a number")) from None
    ignore = mapping.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(c, str) for c in ignore):
        raise FileRejected(make_finding("FILE_MAPPING_INVALID", detail="ignore must be a list of column names"))
    date_order = mapping.get("date_order")
    if date_order not in (None, "MDY", "DMY"):
        raise FileRejected(make_finding("FILE_MAPPING_INVALID", detail="date_order must be MDY or DMY"))
    building_key = mapping.get("building_key")
    if building_key not in (None, "code", "external_id"):
        raise FileRejected(make_finding("FILE_MAPPING_INVALID", detail="building_key must be code or external_id"))
    return {"fields": fields, "wide": wide, "values": values, "header_row": header_row, "units": units, "ignore": ignore,
            "date_order": date_order, "assign_codes": bool(mapping.get("assign_codes")), "building_key": building_key,
            "external_source": mapping.get("external_source")}


def resolve(columns: list[str], kind: Any, profile: dict[str, Any], carrier_names: dict[str, str],
            kinds: dict[str, Any], extra_aliases: dict[str, str] | None = None) -> Layout:
    """Map file columns to the fields ``kind`` declares: the profile first, then aliases, then wide carrier columns."""
    aliases = load_aliases()
    layout = Layout(kind=kind.name, date_order=profile.get("date_order"), assign_codes=bool(profile.get("assign_codes")),
                    building_key=profile.get("building_key") or "code", external_source=profile.get("external_source"),
                    value_aliases={k: {norm(a): v for a, v in m.items()} for k, m in profile.get("values", {}).items()})
    used: set[str] = set()
    by_norm = {norm(c): c for c in columns}
    for name, spec in profile.get("fields", {}).items():
        spec = spec if isinstance(spec, dict) else {"column": spec}
        if "constant" in spec:
            layout.fields[name] = FieldSource(constant=spec["constant"], unit=spec.get("unit"))
            continue
        column = by_norm.get(norm(spec["column"]))
        if column is not None:
            layout.fields[name] = FieldSource(column=column, unit=spec.get("unit") or _split_unit(column)[1])
            used.add(column)
        else:
            layout.missing.append(str(spec["column"]))
    for column, spec in profile.get("wide", {}).items():
        actual = by_norm.get(norm(column))
        if actual is not None:
            layout.wide.append(WideColumn(actual, str(spec["carrier"]), str(spec.get("sub_item", "") or ""),
                                          spec.get("unit") or _split_unit(actual)[1]))
            used.add(actual)
        else:
            layout.missing.append(str(column))
    ignored = {norm(c) for c in profile.get("ignore", [])}
    named_wide = bool(profile.get("wide"))
    allowed = {f.name for f in kind.fields}
    other = {f.name for k in kinds.values() if k.name != kind.name for f in k.fields} - allowed
    declared = {norm(a): f.name for f in kind.fields for a in f.aliases}
    for column in columns:
        if column in used:
            continue
        if norm(column) in ignored:
            layout.ignored.append(column)
            continue
        name, unit = _field_of(column, aliases)
        if name is None:
            bare, bracket = _split_unit(column)
            name = declared.get(norm(column)) or declared.get(norm(bare))
            unit = bracket if name and norm(column) not in declared else None
        if name in allowed and name not in layout.fields:
            layout.fields[name] = FieldSource(column=column, unit=unit)
            continue
        if kind.extra.get("wide_carriers") and not named_wide:
            carrier, sub_item, unit = _carrier_of(column, aliases, carrier_names)
            if carrier is not None and name not in ("carrier", "quantity", "unit"):
                layout.wide.append(WideColumn(column, carrier, sub_item or "", unit))
                continue
        if name in other:
            layout.fields.setdefault(f"_other_{name}", FieldSource(column=column))
        layout.unknown.append(column)
    _fuzzy(layout, kind, aliases, extra_aliases)
    return layout


def _fuzzy(layout: Layout, kind: Any, aliases: Aliases, extra_aliases: dict[str, str] | None) -> None:
    """Columns no alias matched: fields whose aliases they resemble closely enough, else candidates."""
    pending = [c for c in layout.unknown if not any(s.column == c for s in layout.fields.values())]
    if not pending:
        return
    choices = _fuzzy_choices(kind, aliases, extra_aliases)
    scored = fuzzy_table(pending, choices)
    # strongest matches first, each field and column used once; a tie between two fields is not a match
    ranked = sorted(((score, c, name, i) for c, best in scored.items() for i, (name, score) in enumerate(best)),
                    key=lambda t: (-t[0], t[3]))
    taken: set[str] = set()
    for score, column, name, _ in ranked:
        best = scored[column]
        tie = len(best) > 1 and best[0][1] - best[1][1] < 0.03
        if score < FUZZY_THRESHOLD or tie or column in taken or name in layout.fields:
            continue
        layout.fields[name] = FieldSource(column=column, unit=_split_unit(column)[1])
        layout.fuzzy[name] = (column, round(score, 2))
        layout.unknown.remove(column)
        taken.add(column)
    for column, best in scored.items():
        if column in taken:
            continue
        for name, score in best:
            if score >= FUZZY_CANDIDATE and name not in layout.fields:
                layout.candidates.setdefault(name, []).append((column, round(score, 2)))
    for name in layout.candidates:
        layout.candidates[name].sort(key=lambda t: -t[1])


def missing_columns(layout: Layout, kind: Any) -> list[str]:
    """Required fields the layout lacks (period or year, quantity or wide carrier columns)."""
    missing = [f for f in kind.required if f not in layout.fields
               and not (f == "building_code" and (layout.assign_codes or layout.building_key == "external_id"))]
    if layout.building_key == "external_id" and "external_id" not in layout.fields and "building_code" not in layout.fields:
        missing.append("external_id")
    if layout.kind == "consumption":
        if layout.has("interval_start") != layout.has("interval_end"):
            missing.append("interval_end" if layout.has("interval_start") else "interval_start")
        if not (layout.has("period") or layout.has("year") or layout.has("interval_start")):
            missing.append("period")
        if not layout.wide:
            for name in ("carrier", "quantity"):
                if not layout.has(name):
                    missing.append(name)
            if not layout.has("unit") and not (layout.has("quantity") and layout.fields["quantity"].unit):
                missing.append("unit")
    return missing


def guess_kind(layout: Layout, kinds: dict[str, Any]) -> str | None:
    """The survey kind the columns look like, when it differs clearly from the requested one."""
    present = {n.removeprefix("_other_") for n in layout.fields}
    if layout.wide:
        present.add("quantity")
    scores = {name: len(k.markers & present) for name, k in kinds.items()}
    best = max(scores, key=scores.get)
    if scores[best] >= 2 and scores[layout.kind] == 0:
        return best
    return None


def map_values(series: pd.Series, table: dict[str, Any], extra: dict[str, Any] | None = None) -> pd.Series:
    """Map raw cells to canonical values through an alias table; unmatched cells become NA."""
    uniques = pd.Series(series.unique())
    keys = uniques.map(norm)
    lookup = {**table, **(extra or {})}
    mapped = keys.map(lambda k: lookup.get(k))
    return series.map(dict(zip(uniques, mapped, strict=True)))
