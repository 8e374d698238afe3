"""Hostile survey files for the hardening benchmark and tests: an XLSX zip bomb, wide and invalid CSVs."""

from __future__ import annotations

import io
import zipfile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="能耗" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
HEADER = ("建筑编号", "统计期", "能源品种", "用量", "单位")


def _inline(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def zip_bomb_xlsx(rows: int = 2_000_000, row: tuple[str, ...] = ("999999Z999", "2007-01", "电", "1", "kWh")) -> bytes:
    """An XLSX whose one sheet holds ``rows`` identical data rows: small on disk, huge inflated.

    Rows and cells carry no references (they are optional), so every row is the same bytes and
    deflate shrinks them about a thousand times.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            sheet.write(("<row>" + "".join(_inline(h) for h in HEADER) + "</row>").encode())
            line = ("<row>" + "".join(_inline(v) for v in row) + "</row>").encode()
            for start in range(0, rows, 10_000):
                sheet.write(line * min(10_000, rows - start))
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def wide_csv(columns: int = 20_000) -> bytes:
    """A consumption file with ``columns`` extra, unknown columns."""
    extra = [f"x{i}" for i in range(columns)]
    head = ",".join(["建筑编号", "统计期", "能源品种", "用量", "单位", *extra])
    line = ",".join(["110105A001", "2007-01", "电", "1", "kWh", *["" for _ in extra]])
    return (head + "\n" + line + "\n").encode()


def invalid_rows_csv(rows: int = 1_000_000) -> bytes:
    """A long consumption file whose every row names a building that does not exist."""
    lines = [",".join(HEADER)]
    lines += [f"999999Z{i % 1000:03d},{2005 + i // 12 % 4}-{i % 12 + 1:02d},电,{i % 997},kWh" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()
