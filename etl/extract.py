"""Bytes to DataFrame chunks: format, encoding and delimiter sniffing, header-row detection.

Every chunk holds the file's cells as stripped strings under the header names, plus ``_row``:
the line (CSV) or row (XLSX) number the user sees.

Hostile input is refused before it is parsed: an XLSX is inflated once as a stream, entry by entry,
counting bytes, rows and cells against ``Limits`` (a zip bomb stops at the first limit it crosses);
a CSV's lines and header width are counted on the raw bytes.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

import pandas as pd

from etl.findings import FileRejected, FindingOut, make_finding

MAX_LINE_BYTES = 1 << 20
XLSX_MAX_SHEET_ROWS = 1_048_576  # what a worksheet can hold (ECMA-376, Excel)
INFLATE_BLOCK = 1 << 20
TEXT = "str"  # the dtype CSV chunks have (Arrow-backed strings in pandas 3)
HEADER_SCAN_LINES = 30
DELIMITERS = (",", "\t", ";", "|")
ROW = "_row"
TOTAL_RE = re.compile(r"^\s*(合\s*计|总\s*计|小\s*计|total|totals|sum|grand total)\s*[:：]?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    """What a file may hold; checked before its rows are parsed."""

    max_rows: int = 5_000_000
    max_columns: int = 500
    xlsx_max_uncompressed_bytes: int = 1 << 30
    xlsx_max_ratio: float = 200.0
    xlsx_max_cells: int = 20_000_000


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


_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f"*:<>?|\\/]+')


def display_name(filename: str | None) -> str:
    """The uploaded file's name as stored and shown: its last path part, without control or path characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = _UNSAFE_NAME.sub("_", name).strip(" ._")
    return name[:255] or "upload"


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


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def sniff_encoding(data: bytes) -> str:
    """utf-8-sig, utf-8 or gb18030, whichever decodes the whole file strictly.

    A file that is UTF-8 up to one line written in another encoding is refused naming that line.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileRejected(make_finding("FILE_ENCODING_LINE", row=_line_of(data, exc.start), encoding="UTF-8")) from exc
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # whole lines of non-ASCII UTF-8 before the first error: a UTF-8 file with a foreign line
    if not data[:data.rfind(b"\n", 0, utf8_error.start) + 1].isascii():
        raise FileRejected(make_finding("FILE_ENCODING_LINE", row=_line_of(data, utf8_error.start), encoding="UTF-8"))
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError as exc:
        if not data[:data.rfind(b"\n", 0, exc.start) + 1].isascii():
            raise FileRejected(make_finding("FILE_ENCODING_LINE", row=_line_of(data, exc.start), encoding="GBK/GB18030")) from exc
    raise FileRejected(make_finding("FILE_ENCODING"))


def from_utf16(data: bytes) -> bytes:
    """Excel's "Unicode text" (UTF-16 with a byte-order mark) as UTF-8 bytes; other data unchanged."""
    if not data.startswith(UTF16_BOMS):
        return data
    try:
        text = data.decode("utf-16")
    except UnicodeDecodeError as exc:
        raise FileRejected(make_finding("FILE_ENCODING_LINE", row=data[:exc.start].decode("utf-16", "replace").count("\n") + 1,
                                        encoding="UTF-16")) from exc
    return text.encode("utf-8")


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


def _check_width(width: int, limits: Limits) -> None:
    if width > limits.max_columns:
        raise FileRejected(make_finding("FILE_TOO_MANY_COLUMNS", found=width, limit=limits.max_columns))


def unbalanced_quote_line(data: bytes, start_line: int = 1) -> int | None:
    """The line whose opening double quote is never closed (a quote inside a field is written twice)."""
    inside, opened = False, None
    for number, line in enumerate(data.split(b"\n"), start=1):
        if number < start_line:
            continue
        if line.count(b'"') % 2:
            inside = not inside
            opened = number if inside else None
    return opened if inside else None


_FIELDS_RE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _parser_finding(exc: Exception, data: bytes, header_line: int) -> FindingOut:
    """The user's words for what pandas' CSV parser could not read."""
    text = str(exc)
    line = unbalanced_quote_line(data, header_line)
    if line is not None:
        return make_finding("FILE_QUOTE_UNBALANCED", row=line)
    match = _FIELDS_RE.search(text)
    if match:
        expected, row, found = (int(g) for g in match.groups())
        return make_finding("FILE_FIELDS_MISMATCH", row=row, expected=expected, found=found)
    if isinstance(exc, UnicodeDecodeError):
        return make_finding("FILE_ENCODING_LINE", row=_line_of(data, exc.start), encoding=exc.encoding)
    detail = text.strip().removeprefix("Error tokenizing data. C error: ")
    return make_finding("FILE_UNREADABLE", detail=detail[:300])


def _open_csv(data: bytes, *, score, header_row, chunksize, limits: Limits) -> Table:
    encoding = sniff_encoding(data)
    raw_lines = _head_lines(data, HEADER_SCAN_LINES)
    text_lines = [line.decode(encoding, errors="replace").lstrip("\ufeff").rstrip("\r") for line in raw_lines]
    delimiter = sniff_delimiter(text_lines)
    rows = [_split(line, delimiter) for line in text_lines]
    h = _pick_header(rows, score, header_row)
    if h >= len(rows):
        raise FileRejected(make_finding("FILE_NO_ROWS"))
    _check_width(len(rows[h]), limits)
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if lines - (h + 1) > limits.max_rows:
        raise FileRejected(make_finding("FILE_TOO_MANY_ROWS", limit=limits.max_rows))
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
            raise FileRejected(_parser_finding(exc, data, h + 2)) from exc

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


def _count(block: bytes, tail: bytes, patterns: tuple[bytes, ...]) -> int:
    joined = tail + block
    return sum(joined.count(p) for p in patterns)


def inspect_xlsx(data: bytes, limits: Limits) -> bool:
    """Inflate every entry as a stream against the limits, before any parser sees it; True if a sheet has formulas.

    Declared sizes are checked first (an honest bomb stops at once); the bytes actually inflated are
    counted too, so lying headers stop at the same limits. Rows and cells are counted in each worksheet's
    XML as it streams.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRejected(make_finding("FILE_UNREADABLE", detail=f"xlsx: {exc}"[:300])) from exc
    limit = limits.xlsx_max_uncompressed_bytes
    too_large = make_finding("FILE_XLSX_TOO_LARGE", limit_mb=limit // (1 << 20))
    if sum(e.file_size for e in entries) > limit:
        raise FileRejected(too_large)
    total, formulas = 0, False
    rows_limit = min(limits.max_rows, XLSX_MAX_SHEET_ROWS)
    for entry in entries:
        if entry.is_dir():
            continue
        ratio_budget = max(entry.compress_size, 1) * limits.xlsx_max_ratio + (1 << 20)  # small parts may be dense
        if entry.file_size > ratio_budget:
            raise FileRejected(make_finding("FILE_XLSX_RATIO", value=entry.filename, limit=int(limits.xlsx_max_ratio)))
        is_sheet = entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml")
        inflated = rows = cells = 0
        tail = b""
        row_tags = cell_tags = formula_tags = ()
        try:
            with archive.open(entry) as stream:
                while block := stream.read(INFLATE_BLOCK):
                    inflated += len(block)
                    total += len(block)
                    if total > limit:
                        raise FileRejected(too_large)
                    if inflated > ratio_budget:
                        raise FileRejected(make_finding("FILE_XLSX_RATIO", value=entry.filename,
                                                        limit=int(limits.xlsx_max_ratio)))
                    if not is_sheet:
                        continue
                    if not row_tags:
                        match = re.search(rb"<(\w+:)?(sheetData|worksheet)\b", block)
                        prefix = match.group(1) or b"" if match else b""
                        row_tags = (b"<" + prefix + b"row ", b"<" + prefix + b"row>")
                        cell_tags = (b"<" + prefix + b"c ", b"<" + prefix + b"c>")
                        formula_tags = (b"<" + prefix + b"f>", b"<" + prefix + b"f ")
                    rows += _count(block, tail, row_tags)
                    cells += _count(block, tail, cell_tags)
                    formulas = formulas or _count(block, tail, formula_tags) > 0
                    tail = block[-8:]
                    if rows > rows_limit + 1:  # the header row is not a data row
                        raise FileRejected(make_finding("FILE_TOO_MANY_ROWS", limit=rows_limit))
                    if cells > limits.xlsx_max_cells:
                        raise FileRejected(make_finding("FILE_TOO_MANY_CELLS", limit=limits.xlsx_max_cells))
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
            raise FileRejected(make_finding("FILE_UNREADABLE", detail=f"xlsx: {exc}"[:300])) from exc
    return formulas


@dataclass
class _Sheet:
    rows: Iterator[list]
    first_row: int  # 1-based row number of the first row ``rows`` yields
    width: int
    close: Callable[[], None]


def _calamine_sheet(data: bytes, sheet: str | None) -> _Sheet:
    """The sheet's rows through calamine (Rust): fast, but formulas show their cached values."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = workbook.sheet_names
        if sheet is not None and sheet not in names:
            raise FileRejected(make_finding("FILE_SHEET_MISSING", sheet=sheet, sheets="、".join(names)))
        ws = workbook.get_sheet_by_name(sheet) if sheet is not None else workbook.get_sheet_by_index(0)
        # rows come from the sheet's first row on; columns from the first used one
        return _Sheet(rows=iter(ws.iter_rows()), first_row=1, width=ws.width, close=workbook.close)
    except FileRejected:
        raise
    except Exception as exc:  # calamine reports every malformed part as its own error type
        raise FileRejected(make_finding("FILE_UNREADABLE", detail=f"xlsx: {exc}"[:300])) from exc


def _openpyxl_sheet(data: bytes, sheet: str | None) -> _Sheet:
    """The sheet's rows through openpyxl, which shows formula cells as their formula text."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise FileRejected(make_finding("FILE_UNREADABLE", detail=f"xlsx: {exc}"[:300])) from exc
    if sheet is not None and sheet not in workbook.sheetnames:
        raise FileRejected(make_finding("FILE_SHEET_MISSING", sheet=sheet, sheets="、".join(workbook.sheetnames)))
    ws = workbook[sheet] if sheet is not None else workbook.worksheets[0]
    return _Sheet(rows=ws.iter_rows(values_only=True), first_row=1, width=0, close=workbook.close)


def _open_xlsx(data: bytes, *, sheet, score, header_row, chunksize, limits: Limits) -> Table:
    has_formulas = inspect_xlsx(data, limits)
    source = _openpyxl_sheet(data, sheet) if has_formulas else _calamine_sheet(data, sheet)
    _check_width(source.width, limits)
    rows_iter: Iterable = source.rows
    offset = source.first_row - 1
    head: list[list[str]] = []
    for values in rows_iter:
        _check_width(len(values), limits)
        head.append([_cell_text(v) for v in values])
        if len(head) >= HEADER_SCAN_LINES:
            break
    if not head:
        raise FileRejected(make_finding("FILE_EMPTY"))
    h = _pick_header(head, score, None if header_row is None else header_row - offset)
    if h < 0 or h >= len(head):
        raise FileRejected(make_finding("FILE_NO_ROWS"))
    names = _header_names(head[h])
    if not names:
        raise FileRejected(make_finding("FILE_EMPTY"))
    width = len(names)
    header_line = offset + h + 1
    notices = [make_finding("HEADER_ROW", row=header_line)] if header_line > 1 else []

    def frame_of(block: list, first_row: int) -> pd.DataFrame:
        """Cells of any type as text, column by column: strings pass through, the rest via _cell_text."""
        raw = pd.DataFrame(block, dtype=object).reindex(columns=range(width))
        frame = pd.DataFrame(index=raw.index)
        for i, name in enumerate(names):
            column = raw[i]
            other = column.map(type) != str
            if other.any():
                column = column.copy()
                column[other] = [_cell_text(None if v != v else v) for v in column[other]]
            frame[name] = column.astype(TEXT)
        frame[ROW] = range(first_row, first_row + len(frame))
        return _finish_chunk(frame, notices)

    check_rows = not source.width  # openpyxl does not know the width before the rows are read

    def chunks() -> Iterator[pd.DataFrame]:
        block: list = head[h + 1:]
        first = header_line + 1
        for values in rows_iter:
            if check_rows:
                _check_width(len(values), limits)
            block.append(values)
            if len(block) >= chunksize:
                yield frame_of(block, first)
                first += len(block)
                block = []
        if block:
            yield frame_of(block, first)
        source.close()

    return Table(columns=names, header_row=header_line, format="xlsx", chunks=chunks(), notices=notices)


def open_table(data: bytes, filename: str, *, sheet: str | None = None, score: Callable[[list[str]], int] = lambda r: 0,
               header_row: int | None = None, chunksize: int = 200_000, limits: Limits | None = None) -> Table:
    """Open CSV or XLSX bytes; ``score`` rates a candidate header row (known aliases it holds)."""
    limits = limits or Limits()
    utf16 = data.startswith(UTF16_BOMS)
    data = from_utf16(data)
    fmt = sniff_format(data, filename)
    if fmt == "xlsx":
        return _open_xlsx(data, sheet=sheet, score=score, header_row=header_row, chunksize=chunksize, limits=limits)
    table = _open_csv(data, score=score, header_row=header_row, chunksize=chunksize, limits=limits)
    if utf16:
        table.encoding = "utf-16"
    return table
