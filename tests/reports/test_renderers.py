"""Renderers against hand-built report data: numbers, totals, fonts and formula neutralisation."""

from __future__ import annotations

import csv
import io
import math
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.reports import FORMATS, render_report
from app.reports.charts import report_charts, to_svg
from app.reports.tables import neutralise
from tests.reports.sample import sample_report

INJECTED = '=HYPERLINK("http://x","y")'
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def data():
    return sample_report()


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"), ("+86 10", "'+86 10"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"), ("\rx", "'\rx"), ("北京 = 1", "北京 = 1"), ("", ""),
    ],
)
def test_neutralise(text, expected):
    assert neutralise(text) == expected


def test_unknown_format_is_refused(data):
    with pytest.raises(ValueError, match="unknown format"):
        render_report(data, "docx")


def test_filenames_and_media_types(data):
    media = {}
    for fmt in FORMATS:
        _, media_type, filename = render_report(data, fmt)
        assert filename == f"jieneng-annual-2010-110000.{fmt}"
        media[fmt] = media_type
    assert media["pdf"] == "application/pdf"
    assert media["csv"].startswith("text/csv")
    assert media["xlsx"].endswith("spreadsheetml.sheet")


def test_xlsx_numbers_headers_totals_and_inert_names(data):
    content, _, _ = render_report(data, "xlsx")
    book = load_workbook(io.BytesIO(content))
    assert "建筑 Buildings" in book.sheetnames and "摘要 Summary" in book.sheetnames
    sheet = book["建筑 Buildings"]
    assert sheet.freeze_panes == "A3"
    headers = [c.value for c in sheet[1]]
    assert "总能耗 (kgce, 当量值)" in headers and "建筑面积 (m²)" in headers
    assert [c.value for c in sheet[2]][headers.index("总能耗 (kgce, 当量值)")] == "Total (kgce, calorific)"
    kgce_col = headers.index("总能耗 (kgce, 当量值)")
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == len(data.buildings)
    assert all(isinstance(r[kgce_col], float | int) for r in rows)
    assert math.isclose(sum(r[kgce_col] for r in rows), data.total_tce_calorific * 1000, rel_tol=1e-12)
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["C"].width
    names = [r[headers.index("建筑名称")] for r in rows]
    assert "'" + INJECTED in names
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(TRIGGERS), (ws.title, cell.coordinate, cell.value)
    summary = book["摘要 Summary"]
    values = {r[1]: r[2] for r in summary.iter_rows(min_row=3, values_only=True)}
    assert values["Complete-year total (calorific)"] == pytest.approx(data.total_tce_calorific, rel=1e-12)
    assert values["Complete-year total (generation)"] == pytest.approx(data.total_tce_generation, rel=1e-12)
    assert book["图表 Charts"]._charts, "the workbook carries native charts"


def _csv_sections(content: bytes) -> dict[str, list[list[str]]]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sections, current = {}, None
    for row in rows:
        if len(row) == 1 and row[0].startswith("[") and row[0].endswith("]"):
            current = row[0][1:-1]
            sections[current] = []
        elif current and row:
            sections[current].append(row)
    return sections


def test_csv_has_bom_totals_and_inert_cells(data):
    content, _, _ = render_report(data, "csv")
    assert content.startswith(b"\xef\xbb\xbf")
    sections = _csv_sections(content)
    buildings = sections["建筑能效公示 Building disclosure"]
    header, body = buildings[0], buildings[1:]
    column = header.index("总能耗 (kgce, 当量值) Total (kgce, calorific)")
    assert sum(float(r[column]) for r in body) == pytest.approx(data.total_tce_calorific * 1000, rel=1e-12)
    assert "'" + INJECTED in [r[1] for r in body]
    summary = {r[1]: r[2] for r in sections["摘要 Summary"][1:]}
    assert float(summary["Complete-year total (generation)"]) == pytest.approx(data.total_tce_generation, rel=1e-9)
    for rows in sections.values():
        for row in rows:
            for cell in row:
                assert not cell.startswith(TRIGGERS) or _is_number(cell), cell


def test_html_is_self_contained_escaped_and_totalled(data):
    page = render_report(data, "html")[0].decode("utf-8")
    assert INJECTED not in page
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", page)
    assert "<script" not in page and "<link" not in page
    assert page.count("<svg") == 3
    assert f"{data.total_tce_calorific:,.2f}" in page and f"{data.total_tce_generation:,.2f}" in page
    assert "北京市" in page


def test_pdf_text_font_pages_and_no_links(data):
    content = render_report(data, "pdf")[0]
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "北京市" in text
    assert f"{data.total_tce_calorific:,.2f}" in text and f"{data.total_tce_generation:,.2f}" in text
    assert INJECTED in text  # shown as plain text
    assert f"第 1 页 / 共 {len(reader.pages)} 页" in text
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4
    assert all("/Annots" not in page for page in reader.pages)
    fonts = {
        font["/BaseFont"]
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
    }
    embedded = [f for f in fonts if "JienengSansSC" in str(f)]
    assert embedded, fonts
    descendant = next(
        font.get_object()["/DescendantFonts"][0].get_object()
        for page in reader.pages for font in page["/Resources"]["/Font"].values()
        if "JienengSansSC" in str(font.get_object()["/BaseFont"])
    )
    assert "/FontFile2" in descendant["/FontDescriptor"]


def test_national_report_has_region_table(data):
    national = sample_report(national=True)
    book = load_workbook(io.BytesIO(render_report(national, "xlsx")[0]))
    assert "地区 Regions" in book.sheetnames
    assert "地区 Regions" not in load_workbook(io.BytesIO(render_report(data, "xlsx")[0])).sheetnames
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_report(national, "pdf")[0])).pages)
    assert "各示范地区" in pdf_text and "全国" in pdf_text


def test_chart_labels_are_escaped(data):
    svgs = [to_svg(chart) for chart in report_charts(data)]
    top = svgs[2]
    assert "=HYPERLINK(&quot;http" in top and 'HYPERLINK("http' not in top
    assert all(s.startswith("<svg") and s.endswith("</svg>") for s in svgs)


def test_pdf_handles_characters_outside_the_shipped_subset(data):
    rare = data.buildings.copy()
    rare.loc[0, "name"] = "王堃喆大厦"  # 堃 and 喆 are not in GB 2312
    data_rare = sample_report()
    data_rare.buildings = rare
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_report(data_rare, "pdf")[0])).pages)
    assert "大厦" in text and "北京市东城区政务服务中心" not in text


def test_national_pdf_and_html_list_the_largest_consumers(monkeypatch):
    from app.reports import render_html, render_pdf

    national = sample_report(national=True)
    monkeypatch.setattr(render_pdf, "NATIONAL_BUILDING_LIMIT", 3)
    monkeypatch.setattr(render_html, "NATIONAL_BUILDING_LIMIT", 3)
    top = national.buildings.nlargest(3, "kgce_calorific")["code"]
    rest = national.buildings.nsmallest(2, "kgce_calorific")["code"]
    page = render_report(national, "html")[0].decode("utf-8")
    section = page[page.index('id="buildings"'):page.index('id="target_path"')]
    assert "top 3 consumers" in section and all(code in section for code in top)
    assert not any(code in section for code in rest)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_report(national, "pdf")[0])).pages)
    assert "能耗最高的 3 栋" in text
    book = load_workbook(io.BytesIO(render_report(national, "xlsx")[0]))
    assert book["建筑 Buildings"].max_row == 2 + len(national.buildings)
