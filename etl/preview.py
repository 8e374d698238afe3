"""What the mapping step shows before an import: the first rows, the proposed field of each column
with its confidence and unit, and the value mappings (classes, carriers, yes/no) — and the profile
built back from the auditor's corrections."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from app.services.profiles import header_hints
from etl.engine import Reference, kinds, limits
from etl.extract import ROW, open_table
from etl.findings import FileRejected
from etl.mapping import header_score, load_aliases, norm, parse_profile, resolve

PREVIEW_ROWS = 10
VALUE_FIELDS = {"building_class": "classes", "carrier": "carriers", "is_government_office": "booleans",
                "is_large_public": "booleans"}
IGNORE = "__ignore__"
MAX_VALUES = 20


def reference(*, session: Session, kind: str) -> tuple[Reference, dict[str, str]]:
    """What a proposal reads from the database (read once, then the session can be let go)."""
    return Reference.read(session), header_hints(session=session, kind=kind)


def propose(*, session: Session | None, data: bytes, filename: str, kind: str, mapping: dict | None = None,
            sheet: str | None = None, read: tuple[Reference, dict[str, str]] | None = None) -> dict[str, Any]:
    """The first rows of the file and a proposal per column; ``error`` holds a file-level finding instead.

    ``read`` is what ``reference`` returned, for a caller that ends its transaction before the file is parsed.
    """
    survey = kinds()[kind]
    ref, hints = read if read is not None else reference(session=session, kind=kind)
    try:
        profile = parse_profile(mapping)
        table = open_table(data, filename, sheet=sheet, score=header_score, header_row=profile.get("header_row"),
                           chunksize=PREVIEW_ROWS * 20, limits=limits())  # the import's limits, checked before parsing
        first = next(iter(table.chunks), pd.DataFrame(columns=[ROW, *table.columns]))
    except FileRejected as exc:
        return {"error": exc.finding.to_dict(), "columns": [], "rows": []}
    layout = resolve(table.columns, survey, profile, ref.carriers, kinds(), hints)
    by_column: dict[str, dict[str, Any]] = {}
    for name, source in layout.fields.items():
        if source.column is not None and not name.startswith("_other_"):
            confidence = layout.fuzzy.get(name, (None, 1.0))[1]
            by_column[source.column] = {"field": name, "confidence": confidence, "unit": source.unit or ""}
    for wide in layout.wide:
        by_column[wide.column] = {"field": f"carrier:{wide.carrier}" + (f":{wide.sub_item}" if wide.sub_item else ""),
                                  "confidence": 1.0, "unit": wide.unit or ""}
    columns = []
    for column in table.columns:
        proposal = by_column.get(column) or {"field": IGNORE if column in layout.ignored else "", "confidence": 0.0,
                                             "unit": ""}
        candidates = [(name, score) for name, found in layout.candidates.items() for c, score in found if c == column]
        columns.append({"column": column, **proposal, "candidates": sorted(candidates, key=lambda t: -t[1])[:3]})
    rows = first.head(PREVIEW_ROWS).drop(columns=[ROW], errors="ignore").astype(str).to_dict("records")
    aliases = load_aliases()
    tables = {"classes": ref.classes, "carriers": ref.carriers, "booleans": aliases.booleans}
    values = []
    for item in columns:
        table_name = VALUE_FIELDS.get(item["field"])
        if not table_name:
            continue
        own = layout.value_aliases.get(item["field"], {})
        for raw in pd.unique(first[item["column"]].astype(str))[:MAX_VALUES]:
            if raw == "":
                continue
            mapped = own.get(norm(raw), tables[table_name].get(norm(raw)))
            values.append({"field": item["field"], "value": raw, "mapped": "" if mapped is None else str(mapped)})
    fields = [f.name for f in survey.fields]
    carriers = sorted(ref.carrier_codes) if survey.extra.get("wide_carriers") else []
    return {"columns": columns, "rows": rows, "values": values, "fields": fields, "carriers": carriers, "error": None}


def build_profile(proposal: dict[str, Any], fields: list[str], units: list[str], values: dict[str, str],
                  base: dict | None = None) -> dict[str, Any] | None:
    """The mapping profile of the auditor's choices: a column whose field, unit or values changed is named
    in it, a column set to be ignored is listed; None when nothing differs from the proposal."""
    spec: dict[str, Any] = {k: v for k, v in (base or {}).items()}
    spec_fields = dict(spec.get("fields", {}))
    wide = dict(spec.get("wide", {}))
    ignore = list(spec.get("ignore", []))
    changed = False
    for item, field, unit in zip(proposal.get("columns", []), fields, units, strict=False):
        column, field, unit = item["column"], field or "", (unit or "").strip()
        if field == item["field"] and unit == (item["unit"] or ""):
            continue
        changed = True
        if field == IGNORE or field == "":
            ignore.append(column)
        elif field.startswith("carrier:"):
            _, carrier, *sub = field.split(":")
            wide[column] = {"carrier": carrier, **({"sub_item": sub[0]} if sub else {}), **({"unit": unit} if unit else {})}
        else:
            spec_fields[field] = {"column": column, **({"unit": unit} if unit else {})}
    mapped_values: dict[str, dict[str, str]] = {k: dict(v) for k, v in spec.get("values", {}).items()}
    for item in proposal.get("values", []):
        new = (values.get(f"{item['field']}|{item['value']}") or "").strip()
        if new and new != item["mapped"]:
            changed = True
            mapped_values.setdefault(item["field"], {})[item["value"]] = new
    if not changed:
        return base
    if wide:  # a profile naming wide columns uses those alone: keep the ones proposed as well
        for item in proposal.get("columns", []):
            if item["field"].startswith("carrier:") and item["column"] not in wide and item["column"] not in ignore:
                _, carrier, *sub = item["field"].split(":")
                wide[item["column"]] = {"carrier": carrier, **({"sub_item": sub[0]} if sub else {}),
                                        **({"unit": item["unit"]} if item["unit"] else {})}
    for key, value in (("fields", spec_fields), ("wide", wide), ("ignore", ignore), ("values", mapped_values)):
        if value:
            spec[key] = value
    return spec
