"""One neutralising writer for every CSV and XLSX the platform produces.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return
before one of them) as a formula: ``=HYPERLINK(...)`` typed by an auditor would become a live link in
the reader's Excel. Text cells that start so are written with a leading ``'``, which Excel and
LibreOffice show as the text it guards; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
from collections.abc import Iterable
from typing import Any

# ASCII and full-width forms (Excel in Chinese locales accepts both)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def neutralise(text: str) -> str:
    """Make a text inert in spreadsheets: prefix ' when it would start a formula."""
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def cell(value: Any) -> Any:
    """A value as written to a CSV or XLSX cell: text neutralised, finite numbers kept, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return neutralise(str(value))
    if isinstance(value, numbers.Real):
        return value if math.isfinite(value) else ""
    return neutralise(str(value))


class SafeCsvWriter:
    """``csv.writer`` whose rows are neutralised cell by cell."""

    def __init__(self, stream, **kwargs: Any):
        kwargs.setdefault("lineterminator", "\r\n")
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_bytes(header: Iterable[Any], rows: Iterable[Iterable[Any]], *, bom: bool = True) -> bytes:
    """A whole CSV (UTF-8, with a BOM so Excel reads Chinese) from a header and rows."""
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def write_xlsx_text(sheet, row: int, column: int, value: Any, fmt=None) -> None:
    """Write a text cell to an xlsxwriter sheet, neutralised."""
    sheet.write_string(row, column, neutralise("" if value is None else str(value)), fmt)
