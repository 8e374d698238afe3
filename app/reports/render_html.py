"""HTML rendering: one self-contained page (inline CSS and SVG charts, nothing fetched)."""

from __future__ import annotations

from html import escape

from app.reports.charts import report_charts, to_svg
from app.reports.formatting import format_value, is_numeric
from app.reports.model import AnnualReportData
from app.reports.tables import Table, report_tables

MEDIA_TYPE = "text/html; charset=utf-8"
NATIONAL_BUILDING_LIMIT = 1000

CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em auto;max-width:1200px;
color:#222;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em;text-wrap:balance}h1+p{color:#555;margin-top:0}
h2{border-bottom:2px solid #2f6f9f;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;width:100%;font-size:.85em}
th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
th{background:#dbe7f3;position:sticky;top:0}th small{display:block;font-weight:normal;color:#555}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr:nth-child(even) td{background:#f7f9fb}
.charts{display:grid;grid-template-columns:1fr;gap:1.5em}.charts figure{margin:0;max-width:1000px}
.meta{color:#555}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3em 1em}dt{font-weight:bold}
dd{white-space:pre-line;margin:0}
"""


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(c.zh)}<small>{escape(c.en)}</small></th>" for c in table.columns)
    body = []
    for row in table.rows():
        cells = []
        for value, column in zip(row, table.columns, strict=True):
            css = ' class="n"' if is_numeric(value) else ""
            cells.append(f"<td{css}>{escape(format_value(value, column))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(table.columns)}">无 None</td></tr>')
    return (
        f'<section id="{table.key}"><h2>{escape(table.title_zh)} <small>{escape(table.title_en)}</small></h2>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></section>"
    )


def render(data: AnnualReportData, progress=None) -> bytes:
    """The report as a self-contained HTML page."""
    limit = NATIONAL_BUILDING_LIMIT if data.is_national else None
    tables = report_tables(data, building_limit=limit)
    charts = "".join(f"<figure>{to_svg(chart)}</figure>" for chart in report_charts(data))
    if progress:
        progress("HTML: 图表 charts", 0.3)
    sections = [_table(t) for t in tables]
    notes = "".join(
        f"<dt>{escape(n.title_zh)} {escape(n.title_en)}</dt><dd>{escape(n.text_zh)}<br>"
        f'<span class="meta">{escape(n.text_en)}</span></dd>'
        for n in data.notes
    )
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(data.title_zh)}</title><style>{CSS}</style></head>
<body><header><h1>{escape(data.title_zh)}</h1><p>{escape(data.title_en)}</p>
<p class="meta">范围 Scope: {escape(data.scope_name_zh)} {escape(data.scope_name_en)} ({escape(data.scope_code)}) ·
年度 Year: {data.year} · 生成时间 Generated at: {escape(data.generated_at.isoformat(timespec="seconds"))}</p></header>
<main>{sections[0]}<section id="charts"><h2>图表 <small>Charts</small></h2><div class="charts">{charts}</div></section>
{"".join(sections[1:])}<section id="notes"><h2>方法说明 <small>Notes on method</small></h2><dl>{notes}</dl></section>
</main></body></html>
"""
    if progress:
        progress("HTML", 1.0)
    return page.encode("utf-8")
