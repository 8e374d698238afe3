"""One import: read, map, validate, transform, load and report. Serves the CLI, the API and the dashboard.

The engine is etl.engine; each survey kind is declared in etl/kinds/.
"""

from __future__ import annotations

from typing import Literal

from etl.engine import CHUNK_ROWS, kinds, run, store_raw

Kind = Literal["buildings", "consumption", "audits"]
KINDS = ("buildings", "consumption", "audits")

__all__ = ["CHUNK_ROWS", "KINDS", "Kind", "kinds", "run", "store_raw"]
