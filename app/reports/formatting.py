"""Number formatting shared by the PDF and HTML renderers."""

from __future__ import annotations

import math
import numbers

from app.reports.tables import Column


def format_value(value: object, column: Column) -> str:
    """A cell as display text: thousands separators, the column's digits, '—' when missing."""
    if value is None:
        return "—"
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        if not math.isfinite(value):
            return "—"
        if column.kind == "year":
            return str(int(value))
        if column.kind == "int" or (isinstance(value, numbers.Integral)):
            return f"{int(value):,}"
        text = f"{float(value):,.{column.digits}f}"
        return f"+{text}" if column.kind == "pct" and value > 0 else text
    return str(value)


def is_numeric(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)
