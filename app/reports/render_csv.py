"""CSV rendering: UTF-8 with BOM, one section per table, a bilingual header row each."""

from __future__ import annotations

import io
import math
import numbers

from app.export import SafeCsvWriter, neutralise
from app.reports.model import AnnualReportData
from app.reports.tables import report_tables

MEDIA_TYPE = "text/csv; charset=utf-8"


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return neutralise("是" if value else "否")
    if isinstance(value, numbers.Real):
        return "" if not math.isfinite(value) else (int(value) if float(value).is_integer() else round(float(value), 6))
    return neutralise(str(value))


def render(data: AnnualReportData, progress=None) -> bytes:
    """The report as one CSV with a titled section per table."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow([neutralise(data.title_zh)])
    writer.writerow([neutralise(data.title_en)])
    writer.writerow(["范围 Scope", data.scope_code, neutralise(data.scope_name_zh), neutralise(data.scope_name_en)])
    writer.writerow(["年度 Year", data.year])
    writer.writerow(["生成时间 Generated at", data.generated_at.isoformat(timespec="seconds")])
    tables = report_tables(data)
    for k, table in enumerate(tables):
        writer.writerow([])
        writer.writerow([f"[{table.title_zh} {table.title_en}]"])
        writer.writerow([f"{c.zh} {c.en}" if c.zh != c.en else c.zh for c in table.columns])
        writer.writerows([_cell(v) for v in row] for row in table.rows())
        if progress:
            progress(f"CSV: {table.title_zh}", (k + 1) / (len(tables) + 1))
    writer.writerow([])
    writer.writerow(["[说明 Notes]"])
    writer.writerow(["标题", "Title", "说明", "Note"])
    for note in data.notes:
        writer.writerow([neutralise(t) for t in (note.title_zh, note.title_en, note.text_zh, note.text_en)])
    return out.getvalue().encode("utf-8-sig")
