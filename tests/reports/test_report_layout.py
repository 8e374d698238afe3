"""How the reports read: axis ticks, the cover title, PDF table headers, the size of HTML charts."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from app.reports import render_report
from app.reports.charts import nice_ticks, report_charts, tick_label, to_svg
from app.reports.render_pdf import _document, _header_lines, _widths, balanced_lines
from app.reports.tables import report_tables
from tests.reports.sample import sample_report


@pytest.mark.parametrize("top, expected", [
    (187.5, [0, 50, 100, 150, 200]),
    (250, [0, 50, 100, 150, 200, 250]),
    (1234, [0, 500, 1000, 1500]),
    (9.99, [0, 2, 4, 6, 8, 10]),
    (0.07, [0, 0.02, 0.04, 0.06, 0.08]),
])
def test_axis_ticks_are_round_numbers(top, expected):
    ticks = nice_ticks(top)
    assert ticks == pytest.approx(expected) and ticks[-1] >= top
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** __import__("math").floor(__import__("math").log10(step))
    assert round(mantissa, 6) in (1, 2, 5)


def test_chart_tick_labels_have_no_odd_fractions():
    for chart in report_charts(sample_report(national=True)):
        svg = to_svg(chart)
        labels = re.findall(r'text-anchor="end">([0-9.,]+)</text>', svg)
        assert all(not re.search(r"\.\d*5$", label) for label in labels), labels
    assert tick_label(1500.0, [0.0, 500.0, 1000.0, 1500.0]) == "1,500"
    assert tick_label(0.04, [0.0, 0.02, 0.04]) == "0.04"


def test_html_charts_are_large_with_readable_text():
    page = render_report(sample_report(), "html")[0].decode("utf-8")
    svgs = re.findall(r"<svg [^>]+>", page)
    assert svgs and all('viewBox="0 0 960 440"' in s and 'font-size="13"' in s for s in svgs)
    assert ".charts{display:grid;grid-template-columns:1fr" in page  # one chart per row, full width
    assert "text-wrap:balance" in page


def test_cover_title_never_leaves_one_character_alone():
    pdf = _document("t")
    pdf.set_font_size(20)
    data = sample_report()
    lines = balanced_lines(data.title_zh, pdf.epw - 10, pdf.get_string_width)
    assert "".join(lines) == data.title_zh
    assert len(lines) == 2 and min(len(line) for line in lines) >= 8
    assert all(pdf.get_string_width(line) <= pdf.epw - 10 for line in lines)
    assert balanced_lines("短标题", 100, pdf.get_string_width) == ["短标题"]
    # the rendered cover has the same two lines
    reader = PdfReader(__import__("io").BytesIO(render_report(data, "pdf")[0]))
    cover = reader.pages[0].extract_text().splitlines()
    assert cover[0] == lines[0] and cover[1] == lines[1]


def test_pdf_table_headers_keep_english_words_whole():
    data = sample_report(national=True)
    pdf = _document("t")
    for table in report_tables(data, building_limit=500):
        pdf.add_page(orientation="L" if table.key in ("buildings", "regions") else "P")
        rows = table.rows()
        widths = _widths(pdf, table, rows)
        assert sum(widths) == pytest.approx(pdf.epw)
        for column, lines in zip(table.columns, _header_lines(pdf, table, widths), strict=True):
            english = [w for w in column.en.split() if w.isascii()]
            wrapped = " ".join(lines).split()
            for word in english:
                assert word in wrapped, (table.key, column.en, lines)
