"""Bytes to DataFrame chunks: format, encoding and delimiter sniffing, header-row detection.

Every chunk holds the file's cells as stripped strings under the header names, plus ``_row``:
the line (CSV) or row (XLSX) number the user sees.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

import pandas as pd

from etl.findings import FileRejected, FindingOut, make_finding

MAX_LINE_BYTES = 1 << 20
HEADER_SCAN_LINES = 30
DELIMITERS = (",", "\t", ";", "|")
ROW = "_row"
TOTAL_RE = re.compile(r"^\s*(合\s*计|总\s*计|小\s*计|total|totals|sum|grand total)\s*[:：]?\s*$", re.IGNORECASE)


@dataclass
class Table:
    """An opened survey table: its header and an iterator over row chunks."""

    columns: list[str]
    header_row: int
    format: str
    chunks: Iterator[pd.DataFrame]
    encoding: str | None = None
    delimiter: str | None = None
    notices: list[FindingOut] = field(default_factory=list)


def sniff_format(data: bytes, filename: str) -> str:
    """'xlsx' or 'csv'; raises FileRejected for empty, legacy-xls and binary content."""
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise FileRejected(make_finding("FILE_EMPTY"))
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileRejected(make_finding("FILE_XLS_UNSUPPORTED"))
    head = data[:65536]
    if b"\x00" in head:
        raise FileRejected(make_finding("FILE_BINARY"))
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    if controls > max(8, len(head) // 100):
        raise FileRejected(make_finding("FILE_BINARY"))
    return "csv"


def sniff_encoding(data: bytes) -> str:
    """utf-8-sig, utf-8 or gb18030, whichever decodes the whole file strictly."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ("utf-8-sig",)
    else:
        candidates = ("utf-8", "gb18030")
    for encoding in candidates:
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileRejected(make_finding("FILE_ENCODING"))


def _head_lines(data: bytes, limit: int) -> list[bytes]:
    lines: list[bytes] = []
    pos = 0
    while len(lines) < limit and pos < len(data):
        end = data.find(b"\n", pos)
        if end < 0:
            end = len(data)
        if end - pos > MAX_LINE_BYTES:
            raise FileRejected(make_finding("FILE_LINE_TOO_LONG", row=len(lines) + 1, limit=MAX_LINE_BYTES))
        lines.append(data[pos:end])
        pos = end + 1
    return lines


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the most lines into the same number of fields."""
    best, best_score = ",", -1
    for delim in DELIMITERS:
        counts = [line.count(delim) for line in lines if line.strip()]
        positive = [c for c in counts if c > 0]
        if not positive:
            continue
        mode = max(set(positive), key=positive.count)
        score = positive.count(mode) * 1000 + mode
        if score > best_score:
            best, best_score = delim, score
    return best


def _pick_header(rows: list[list[str]], score: Callable[[list[str]], int], header_row: int | None) -> int:
    if header_row is not None:
        return header_row - 1
    scores = [score(r) if any(c.strip() for c in r) else -1 for r in rows]
    best = max(scores, default=-1)
    if best > 0:
        return scores.index(best)
    for i, r in enumerate(rows):
        if any(c.strip() for c in r):
            return i
    raise FileRejected(make_finding("FILE_EMPTY"))


def _header_names(cells: list[str]) -> list[str]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = str(cell).strip().replace("\n", " ") or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    while names and names[-1].startswith("column_"):
        names.pop()
    return names


def _strip(values) -> list:
    return [v.strip() if isinstance(v, str) else ("" if v is None or v != v else str(v).strip()) for v in values]


def _finish_chunk(frame: pd.DataFrame, notices: list[FindingOut]) -> pd.DataFrame:
    """Strip cells, drop blank rows and skip totals rows (with a notice)."""
    cols = [c for c in frame.columns if c != ROW]
    if not cols:
        return frame.iloc[0:0]
    blank = None
    for c in cols:
        if pd.api.types.is_string_dtype(frame[c].dtype) and not pd.api.types.is_object_dtype(frame[c].dtype):
            stripped = frame[c].fillna("").str.strip()  # Arrow strings from CSV: vectorised
        else:  # cells of any type (XLSX): one by one
            stripped = pd.Series(_strip(frame[c].to_numpy(dtype=object)), index=frame.index, dtype=object)
        frame[c] = stripped
        empty = stripped == ""
        blank = empty if blank is None else blank & empty
    is_total = pd.Series(False, index=frame.index)
    for c in cols[: min(3, len(cols))]:
        totals = [u for u in pd.unique(frame[c].to_numpy()) if u and len(u) < 20 and TOTAL_RE.match(u)]
        if totals:
            is_total |= frame[c].isin(totals)
    for row in frame.loc[is_total & ~blank, ROW]:
        notices.append(make_finding("TOTAL_ROW_SKIPPED", row=int(row)))
    return frame.loc[~blank & ~is_total]


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line.replace("\r", " ")], delimiter=delimiter), [])
    except csv.Error:
        return line.split(delimiter)


def _open_csv(data: bytes, *, score, header_row, chunksize) -> Table:
    encoding = sniff_encoding(data)
    raw_lines = _head_lines(data, HEADER_SCAN_LINES)
    text_lines = [line.decode(encoding, errors="replace").lstrip("\ufeff").rstrip("\r") for line in raw_lines]
    delimiter = sniff_delimiter(text_lines)
    rows = [_split(line, delimiter) for line in text_lines]
    h = _pick_header(rows, score, header_row)
    if h >= len(rows):
        raise FileRejected(make_finding("FILE_NO_ROWS"))
    names = _header_names(rows[h])
    if not names:
        raise FileRejected(make_finding("FILE_EMPTY"))
    notices = [make_finding("HEADER_ROW", row=h + 1)] if h else []

    def chunks() -> Iterator[pd.DataFrame]:
        try:
            reader = pd.read_csv(
                io.BytesIO(data), encoding=encoding, sep=delimiter, header=None, names=names,
                usecols=range(len(names)), skiprows=h + 1, dtype="str", na_filter=False,
                skip_blank_lines=False, chunksize=chunksize, engine="c", quoting=csv.QUOTE_MINIMAL,
                index_col=False,
            )
            start = h + 2
            for frame in reader:
                frame[ROW] = range(start, start + len(frame))
                start += len(frame)
                yield _finish_chunk(frame, notices)
        except (pd.errors.ParserError, ValueError, UnicodeDecodeError, csv.Error, OverflowError) as exc:
            raise FileRejected(make_finding("FILE_UNREADABLE", detail=str(exc).strip()[:300])) from exc

    return Table(columns=names, header_row=h + 1, format="csv", chunks=chunks(), encoding=encoding,
                 delimiter=delimiter, notices=notices)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _open_xlsx(data: bytes, *, sheet, score, header_row, chunksize) -> Table:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise FileRejected(make_finding("FILE_UNREADABLE", detail=f"xlsx: {exc}"[:300])) from exc
    if sheet is not None and sheet not in workbook.sheetnames:
        raise FileRejected(make_finding("FILE_SHEET_MISSING", sheet=sheet, sheets="、".join(workbook.sheetnames)))
    ws = workbook[sheet] if sheet is not None else workbook.worksheets[0]
    rows_iter = ws.iter_rows(values_only=True)
    head: list[list[str]] = []
    for values in rows_iter:
        head.append([_cell_text(v) for v in values])
        if len(head) >= HEADER_SCAN_LINES:
            break
    if not head:
        raise FileRejected(make_finding("FILE_EMPTY"))
    h = _pick_header(head, score, header_row)
    if h >= len(head):
        raise FileRejected(make_finding("FILE_NO_ROWS"))
    names = _header_names(head[h])
    if not names:
        raise FileRejected(make_finding("FILE_EMPTY"))
    width = len(names)
    notices = [make_finding("HEADER_ROW", row=h + 1)] if h else []

    def frame_of(block: list[list[str]], first_row: int) -> pd.DataFrame:
        block = [(r + [""] * width)[:width] for r in block]
        frame = pd.DataFrame(block, columns=names, dtype=object)
        frame[ROW] = range(first_row, first_row + len(frame))
        return _finish_chunk(frame, notices)

    def chunks() -> Iterator[pd.DataFrame]:
        block = head[h + 1:]
        first = h + 2
        for values in rows_iter:
            block.append([_cell_text(v) for v in values])
            if len(block) >= chunksize:
                yield frame_of(block, first)
                first += len(block)
                block = []
        if block:
            yield frame_of(block, first)
        workbook.close()

    return Table(columns=names, header_row=h + 1, format="xlsx", chunks=chunks(), notices=notices)


def open_table(data: bytes, filename: str, *, sheet: str | None = None, score: Callable[[list[str]], int] = lambda r: 0,
               header_row: int | None = None, chunksize: int = 200_000) -> Table:
    """Open CSV or XLSX bytes; ``score`` rates a candidate header row (known aliases it holds)."""
    fmt = sniff_format(data, filename)
    if fmt == "xlsx":
        return _open_xlsx(data, sheet=sheet, score=score, header_row=header_row, chunksize=chunksize)
    return _open_csv(data, score=score, header_row=header_row, chunksize=chunksize)
