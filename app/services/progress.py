"""Progress of long imports, shared by every process serving one data directory.

The process running an import writes ``done``/``total`` rows to a small JSON file named by a random
token the browser chose; whichever process answers the browser's next poll reads it back.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from app.config import get_settings

TOKEN = re.compile(r"[0-9a-f]{32}")


def _path(token: str) -> Path:
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        raise ValueError("a progress token is 32 lowercase hex digits")
    return get_settings().data_dir / "progress" / f"{token}.json"


def is_token(value) -> bool:
    return isinstance(value, str) and TOKEN.fullmatch(value) is not None


def report(token: str, done: int, total: int) -> None:
    """Record that ``done`` of ``total`` rows are read (written atomically)."""
    path = _path(token)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps({"done": int(done), "total": int(total), "at": time.time()}), encoding="utf-8")
    os.replace(partial, path)


def read(token: str) -> dict | None:
    """{"done", "total", "at"} of an import under way, or None."""
    try:
        return json.loads(_path(token).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def finish(token: str) -> None:
    """Forget an import's progress once its report is shown."""
    _path(token).unlink(missing_ok=True)
