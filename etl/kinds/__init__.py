"""The survey kinds, one module each: its declared fields and its cross-field step."""

from __future__ import annotations

from etl.fields import SurveyKind
from etl.kinds import audits, buildings, consumption

KINDS: dict[str, SurveyKind] = {k.name: k for k in (buildings.KIND, consumption.KIND, audits.KIND)}
