"""XLSX rendering: one formatted sheet per table, native charts, numbers stored as numbers."""

from __future__ import annotations

import io
import math
import numbers

import pandas as pd
import xlsxwriter

from app.domain.comparison import LABELS
from app.reports.charts import Chart, report_charts
from app.reports.model import AnnualReportData
from app.export import XLSX_OPTIONS, neutralise
from app.reports.tables import Column, Table, report_tables

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COMPLETE = LABELS["complete_year_total"]


def _display_width(values: pd.Series) -> int:
    text = values.dropna().astype(str)
    if text.empty:
        return 0
    # CJK characters take two columns.
    return int((text.str.len() + text.str.count(r"[^\x00-\x7f]")).max())


def _number_format(column: Column) -> str:
    if column.kind == "year":
        return "0"
    if column.kind == "int":
        return "#,##0"
    return "#,##0" if column.digits == 0 else "#,##0." + "0" * column.digits


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _write_table(book, table: Table, progress=None) -> None:
    sheet = book.add_worksheet(table.sheet)
    head_zh = book.add_format({"bold": True, "bg_color": "#dbe7f3", "border": 1, "text_wrap": True, "valign": "top"})
    head_en = book.add_format({"italic": True, "bg_color": "#eef3f8", "border": 1, "text_wrap": True, "valign": "top"})
    formats = {c.key: book.add_format({"num_format": _number_format(c)}) for c in table.columns}
    # constant_memory mode: every row must be complete before the next one starts.
    for j, column in enumerate(table.columns):
        sheet.write_string(0, j, column.zh, head_zh)
    for j, column in enumerate(table.columns):
        sheet.write_string(1, j, column.en, head_en)
    sheet.freeze_panes(2, 0)
    rows = table.rows()
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row):
            if value is None:
                continue
            if _is_number(value):
                sheet.write_number(i, j, value, formats[table.columns[j].key])
            else:
                sheet.write_string(i, j, neutralise(str(value)))
    if rows:
        sheet.autofilter(1, 0, len(rows) + 1, len(table.columns) - 1)
    for j, column in enumerate(table.columns):
        content = _display_width(table.frame[column.key]) if not table.frame.empty else 0
        if column.kind in ("float", "int", "pct", "year"):
            content = max(content, 10)
        header = max(_display_width(pd.Series([column.zh])), len(column.en))
        sheet.set_column(j, j, min(max(content, header * 0.6, 8) + 2, 60))


def _write_cover(book, data: AnnualReportData) -> None:
    sheet = book.add_worksheet("封面 Cover")
    title = book.add_format({"bold": True, "font_size": 16})
    bold = book.add_format({"bold": True})
    tce = book.add_format({"num_format": "#,##0.00"})
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 60)
    sheet.write_string(0, 0, data.title_zh, title)
    sheet.write_string(1, 0, data.title_en)
    lines = [
        ("范围 Scope", f"{data.scope_name_zh} {data.scope_name_en} ({data.scope_code})"),
        ("年度 Year", data.year),
        ("生成时间 Generated at", data.generated_at.strftime("%Y-%m-%d %H:%M:%S %Z").strip()),
        (f"{COMPLETE[0]} (tce, 当量值) {COMPLETE[1]} (tce, calorific)", data.total_tce_calorific),
        (f"{COMPLETE[0]} (tce, 等价值) {COMPLETE[1]} (tce, generation)", data.total_tce_generation),
    ]
    for i, (label, value) in enumerate(lines, start=3):
        sheet.write_string(i, 0, label, bold)
        if _is_number(value):
            sheet.write_number(i, 1, value, tce)
        else:
            sheet.write_string(i, 1, neutralise(str(value)))


def _write_notes(book, data: AnnualReportData) -> None:
    sheet = book.add_worksheet("说明 Notes")
    bold = book.add_format({"bold": True, "bg_color": "#dbe7f3", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    for j, head in enumerate(["标题", "Title", "说明", "Note"]):
        sheet.write_string(0, j, head, bold)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 1, 24)
    sheet.set_column(2, 3, 70, wrap)
    for i, note in enumerate(data.notes, start=1):
        for j, text in enumerate([note.title_zh, note.title_en, note.text_zh, note.text_en]):
            sheet.write_string(i, j, neutralise(text))


def _write_charts(book, charts: list[Chart]) -> None:
    sheet = book.add_worksheet("图表 Charts")
    bold = book.add_format({"bold": True})
    cells: dict[tuple[int, int], tuple[object, object]] = {}
    placed = []
    col = 0
    for chart in charts:
        cells[0, col] = (chart.title, bold)
        cells[1, col] = ("类别 Category", bold)
        for i, label in enumerate(chart.categories, start=2):
            cells[i, col] = (neutralise(label), None)
        for j, series in enumerate(chart.series, start=1):
            cells[1, col + j] = (f"{series.name} ({chart.unit})", bold)
            for i, value in enumerate(series.values, start=2):
                if value is not None:
                    cells[i, col + j] = (value, None)
        placed.append((chart, col))
        col += len(chart.series) + 2
    # constant_memory mode writes row by row.
    for (row, column), (value, fmt) in sorted(cells.items()):
        if isinstance(value, str):
            sheet.write_string(row, column, value, fmt)
        else:
            sheet.write_number(row, column, value)
    sheet.set_column(0, col, 16)
    for k, (chart, col) in enumerate(placed):
        if not chart.categories:
            continue
        last = len(chart.categories) + 1
        kinds = {s.kind for s in chart.series}
        main = book.add_chart({"type": "bar" if chart.horizontal else "column"})
        line = book.add_chart({"type": "line"}) if kinds & {"line", "level"} and not chart.horizontal else None
        for j, series in enumerate(chart.series, start=1):
            spec = {
                "name": ["图表 Charts", 1, col + j],
                "categories": ["图表 Charts", 2, col, last, col],
                "values": ["图表 Charts", 2, col + j, last, col + j],
            }
            if series.kind == "line" and line is not None:
                spec |= {"line": {"color": series.colour, "width": 2}, "marker": {"type": "circle"}}
                line.add_series(spec)
            elif series.kind == "level" and line is not None:
                spec |= {"line": {"none": True}, "marker": {"type": "dash", "size": 12,
                         "fill": {"color": series.colour}, "border": {"color": series.colour}}}
                line.add_series(spec)
            else:
                spec |= {"fill": {"color": series.colour}}
                main.add_series(spec)
        if line is not None:
            main.combine(line)
        main.set_title({"name": chart.title})
        if chart.horizontal:
            main.set_x_axis({"name": chart.unit})
            main.set_y_axis({"reverse": True})
        else:
            main.set_y_axis({"name": chart.unit})
        main.set_size({"width": 760, "height": 340})
        sheet.insert_chart(k * 18, 14, main)


def render(data: AnnualReportData, progress=None) -> bytes:
    """The report as an XLSX workbook."""
    buffer = io.BytesIO()
    options = {"constant_memory": True, **XLSX_OPTIONS, "nan_inf_to_errors": True}
    with xlsxwriter.Workbook(buffer, options) as book:
        book.set_properties({"title": data.title_zh, "subject": data.title_en, "company": "jieneng"})
        _write_cover(book, data)
        tables = report_tables(data)
        for k, table in enumerate(tables):
            _write_table(book, table)
            if progress:
                progress(f"XLSX: {table.title_zh} {table.title_en}", (k + 1) / (len(tables) + 2))
        _write_charts(book, report_charts(data))
        _write_notes(book, data)
    return buffer.getvalue()
