"""Mapping profiles read safely: size limits before and after parsing, YAML aliases refused, the result normalised.

A YAML anchor with aliases can expand a few hundred bytes into millions of characters ("billion
laughs"); profiles have no use for aliases, so the loader refuses them outright. What is stored with
an upload is the normalised profile (``normalise``), never the raw text.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from etl.findings import FileRejected
from etl.mapping import parse_profile

MAX_PROFILE_BYTES = 64 * 1024  # text in, and the normalised profile as JSON out
MAX_PROFILE_ENTRIES = 2_000


class ProfileError(ValueError):
    """A mapping profile that cannot be used; the message says why (Chinese / English)."""


class _NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing aliases (``*name``) before anything is expanded."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise ProfileError(f"映射配置不能使用 YAML 别名（第 {mark.line + 1} 行）/ "
                               f"YAML aliases are not allowed in a mapping profile (line {mark.line + 1})")
        return super().compose_node(parent, index)


def _scalar(value: Any, where: str) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value.strip()
    raise ProfileError(f"{where}：应为文字或数字 / {where}: expected text or a number")


def normalise(mapping: dict | None) -> dict[str, Any] | None:
    """The profile reduced to its known keys with plain values; ProfileError when its shape is wrong."""
    if mapping is None:
        return None
    try:
        profile = parse_profile(mapping)
    except FileRejected as exc:
        raise ProfileError(exc.finding.message) from exc
    fields: dict[str, Any] = {}
    for name, spec in profile["fields"].items():
        if isinstance(spec, dict):
            fields[str(name)] = {k: _scalar(spec[k], f"fields.{name}.{k}") for k in ("column", "constant", "unit") if k in spec}
        else:
            fields[str(name)] = _scalar(spec, f"fields.{name}")
    wide: dict[str, Any] = {}
    for column, spec in profile["wide"].items():
        wide[str(column)] = {k: _scalar(spec[k], f"wide.{column}.{k}") for k in ("carrier", "unit", "sub_item") if k in spec}
    values: dict[str, dict[str, Any]] = {}
    for name, table in profile["values"].items():
        if not isinstance(table, dict):
            raise ProfileError(f"values.{name}：应为对照表 / values.{name}: expected a table of value aliases")
        values[str(name)] = {str(k): _scalar(v, f"values.{name}.{k}") for k, v in table.items()}
    units: dict[str, dict[str, Any]] = {}
    for symbol, spec in profile["units"].items():
        units[str(symbol)] = {k: _scalar(spec[k], f"units.{symbol}.{k}") for k in ("base", "factor", "heating_value")
                              if k in spec}
    ignore = [str(_scalar(c, "ignore")) for c in profile["ignore"]]
    entries = len(fields) + len(wide) + sum(len(v) for v in values.values()) + len(units) + len(ignore)
    if entries > MAX_PROFILE_ENTRIES:
        raise ProfileError(f"映射配置条目过多（{entries}）/ the mapping profile has too many entries ({entries})")
    out: dict[str, Any] = {"fields": fields, "wide": wide, "values": values, "header_row": profile["header_row"]}
    # the etl engine's keys, kept only when given so that older stored profiles compare equal
    if units:
        out["units"] = units
    if ignore:
        out["ignore"] = ignore
    for key in ("date_order", "building_key"):
        if profile[key] is not None:
            out[key] = profile[key]
    if profile["assign_codes"]:
        out["assign_codes"] = True
    if profile["external_source"] is not None:
        out["external_source"] = _scalar(profile["external_source"], "external_source")
    if len(json.dumps(out, ensure_ascii=False).encode("utf-8")) > MAX_PROFILE_BYTES:
        raise ProfileError(f"映射配置超过 {MAX_PROFILE_BYTES // 1024} KB / the mapping profile exceeds {MAX_PROFILE_BYTES // 1024} KB")
    return out


def read_profile(text: str | bytes | None) -> dict[str, Any] | None:
    """A profile from YAML or JSON text, checked and normalised; None for no text."""
    if text is None:
        return None
    if isinstance(text, bytes):
        if len(text) > MAX_PROFILE_BYTES:
            raise ProfileError(f"映射配置超过 {MAX_PROFILE_BYTES // 1024} KB / the mapping profile exceeds {MAX_PROFILE_BYTES // 1024} KB")
        text = text.decode("utf-8-sig", errors="replace")
    if len(text.encode("utf-8")) > MAX_PROFILE_BYTES:
        raise ProfileError(f"映射配置超过 {MAX_PROFILE_BYTES // 1024} KB / the mapping profile exceeds {MAX_PROFILE_BYTES // 1024} KB")
    if not text.strip():
        return None
    try:
        loaded = yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ProfileError(f"映射配置不是有效的 YAML/JSON / the mapping profile is not valid YAML/JSON: {exc}"[:300]) from exc
    if not isinstance(loaded, dict):
        raise ProfileError("映射配置应为键值对象 / the mapping profile must be an object")
    return normalise(loaded)
