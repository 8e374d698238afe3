"""PDF rendering with fpdf2: A4, embedded CJK font, cover, charts, tables, page numbers."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from app.domain.comparison import LABELS
from app.reports.charts import draw_pdf, report_charts
from app.reports.formatting import format_value, is_numeric
from app.reports.model import AnnualReportData
from app.reports.tables import Table, report_tables

MEDIA_TYPE = "application/pdf"
FONT_FAMILY = "JienengSansSC"
FONT_PATH = Path(__file__).with_name("fonts") / "JienengSansSC-Regular.ttf"
# Used only for glyphs outside the shipped GB 2312 subset, when the machine has them.
SYSTEM_FALLBACK_FONTS = [
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),
    (Path("/System/Library/Fonts/PingFang.ttc"), 0),
    (Path("C:/Windows/Fonts/msyh.ttc"), 0),
]
NATIONAL_BUILDING_LIMIT = 500
ROW_MM = 5.0
WIDE_TABLES = {"buildings", "regions"}

COMPLETE = LABELS["complete_year_total"]


class ReportFont(FileNotFoundError):
    """The report font is missing from the installation."""


class _Document(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report_title = title
        self.set_margins(10, 12, 10)
        self.set_auto_page_break(True, margin=14)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT_FAMILY, size=7)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, self.report_title, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"第 {self.page_no()} 页 / 共 {{nb}} 页  Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)


def _document(title: str) -> _Document:
    if not FONT_PATH.exists():
        raise ReportFont(f"报告字体缺失 report font missing: {FONT_PATH}")
    pdf = _Document(title)
    pdf.add_font(FONT_FAMILY, "", FONT_PATH)
    pdf.set_font(FONT_FAMILY, size=9)
    pdf.set_title(title)
    pdf.set_creator("jieneng")
    pdf.set_lang("zh-CN")
    return pdf


def _add_fallback_fonts(pdf: _Document, data: AnnualReportData) -> None:
    """Register a system CJK font for characters the shipped subset lacks, only when the data has any."""
    covered = set(pdf.current_font.cmap)
    texts = [data.title_zh, data.scope_name_zh, *data.buildings["name"].astype(str), *data.excluded["name"].astype(str)]
    if all(ord(c) in covered for c in set("".join(texts))):
        return
    fallbacks = []
    for k, (path, number) in enumerate(SYSTEM_FALLBACK_FONTS):
        if path.exists():
            name = f"fallback{k}"
            pdf.add_font(name, "", path, collection_font_number=number)
            fallbacks.append(name)
    if fallbacks:
        pdf.set_fallback_fonts(fallbacks)


# Where a long Chinese title may break: after the year, before the subject, before the closing "report".
TITLE_BREAKS = ("年度", "国家机关", "和大型", "能效状况")


def balanced_lines(text: str, width: float, measure) -> list[str]:
    """``text`` on one line if it fits, else on two lines of about equal width, broken at a natural point
    (TITLE_BREAKS) when one gives two lines that fit, so no character is left alone on a line."""
    if measure(text) <= width:
        return [text]
    candidates = []
    for marker in TITLE_BREAKS:
        at = text.find(marker)
        if at > 0:
            cut = at + len(marker) if marker == "年度" else at
            candidates.append(cut)
    natural = [c for c in candidates if max(measure(text[:c]), measure(text[c:])) <= width]
    cuts = natural or range(1, len(text))
    best = min(cuts, key=lambda c: max(measure(text[:c]), measure(text[c:])))
    return [text[:best], text[best:]]


def _cover(pdf: _Document, data: AnnualReportData) -> None:
    pdf.add_page()
    pdf.set_y(70)
    pdf.set_font_size(20)
    for line in balanced_lines(data.title_zh, pdf.epw - 10, pdf.get_string_width):
        pdf.cell(0, 11, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(12)
    pdf.multi_cell(0, 7, data.title_en, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(20)
    pdf.set_font_size(11)
    lines = [
        ("范围 Scope", f"{data.scope_name_zh} {data.scope_name_en} ({data.scope_code})"),
        ("年度 Year", str(data.year)),
        (f"{COMPLETE[0]}（当量值）{COMPLETE[1]} (calorific)", f"{data.total_tce_calorific:,.2f} tce"),
        (f"{COMPLETE[0]}（等价值）{COMPLETE[1]} (generation)", f"{data.total_tce_generation:,.2f} tce"),
        ("生成时间 Generated at", data.generated_at.strftime("%Y-%m-%d %H:%M:%S %Z").strip()),
    ]
    for label, value in lines:
        pdf.set_x(35)
        pdf.cell(70, 8, label)
        pdf.cell(0, 8, value, new_x="LMARGIN", new_y="NEXT")


class _Measure:
    """String widths from cached per-character widths, and which texts the shipped font covers."""

    def __init__(self, pdf: _Document) -> None:
        self.pdf = pdf
        self.size = pdf.font_size_pt
        self.covered = set(pdf.current_font.cmap)
        self.covered_chars = {chr(c) for c in self.covered}
        self.widths: dict[str, float] = {}

    def width(self, text: str) -> float:
        widths = self.widths
        total = 0.0
        for char in text:
            w = widths.get(char)
            if w is None:
                w = widths[char] = self.pdf.get_string_width(char)
            total += w
        return total

    def is_covered(self, text: str) -> bool:
        return all(ord(c) in self.covered for c in text)

    def covers_all(self, texts: list[str]) -> bool:
        return self.covered_chars.issuperset("".join(texts))

    def fit(self, text: str, width: float) -> str:
        if self.width(text) <= width:
            return text
        while text and self.width(text + "…") > width:
            text = text[:-1]
        return text + "…"


def _widths(pdf: _Document, table: Table, rows: list[list[object]]) -> list[float]:
    """Column widths over the page width, each at least as wide as its header's longest word."""
    sample = rows[:200]
    weights = []
    for j, column in enumerate(table.columns):
        header = max(pdf.get_string_width(column.zh), pdf.get_string_width(column.en) * 0.8)
        content = max((pdf.get_string_width(format_value(r[j], column)) for r in sample), default=0)
        weights.append(max(min(content, 60), header * 0.55, 8) + 2)
    usable = pdf.epw
    widths = [w * usable / sum(weights) for w in weights]
    floors = _header_word_widths(pdf, table)
    if sum(floors) >= usable:
        return [f * usable / sum(floors) for f in floors]
    # raise narrow columns to their floor, taking the difference from the columns with room to spare
    for _ in range(len(widths)):
        short = [j for j, (w, f) in enumerate(zip(widths, floors, strict=True)) if w < f - 1e-6]
        if not short:
            break
        deficit = sum(floors[j] - widths[j] for j in short)
        for j in short:
            widths[j] = floors[j]
        spare = {j: widths[j] - floors[j] for j in range(len(widths)) if j not in short and widths[j] > floors[j]}
        room = sum(spare.values())
        for j, extra in spare.items():
            widths[j] -= deficit * extra / room
    return widths


def _header_word_widths(pdf: _Document, table: Table) -> list[float]:
    """The narrowest width of each column that keeps every English header word whole (CJK may wrap anywhere)."""
    pdf.set_font_size(6.5)
    floors = []
    for column in table.columns:
        words = column.en.split() or [""]
        cjk = max((pdf.get_string_width(ch) for ch in column.zh), default=0)
        # multi_cell keeps c_margin on both sides, and the header is drawn 0.4 mm narrower than its column
        floors.append(max(max(pdf.get_string_width(w) for w in words), cjk * 2) + 2 * pdf.c_margin + 0.8)
    pdf.set_font_size(7)
    return floors


HEADER_LINE_MM = 3.0


def _header_lines(pdf: _Document, table: Table, widths: list[float]) -> list[list[str]]:
    """Each column's header wrapped to its width, computed once per table."""
    pdf.set_font_size(6.5)
    lines = [
        pdf.multi_cell(w - 0.4, HEADER_LINE_MM, f"{column.zh}\n{column.en}", dry_run=True, output="LINES")
        for column, w in zip(table.columns, widths, strict=True)
    ]
    pdf.set_font_size(7)
    return lines


def _header(pdf: _Document, lines: list[list[str]], widths: list[float]) -> None:
    pdf.set_fill_color(219, 231, 243)
    pdf.set_draw_color(150, 150, 150)
    pdf.set_line_width(0.1)
    pdf.set_font_size(6.5)
    height = max(len(column) for column in lines) * HEADER_LINE_MM + 0.8
    y = pdf.get_y()
    x = pdf.l_margin
    for column, w in zip(lines, widths, strict=True):
        pdf.rect(x, y, w, height, style="DF")
        for k, line in enumerate(column):
            pdf.text(x + (w - pdf.get_string_width(line)) / 2, y + 0.4 + HEADER_LINE_MM * (k + 0.78), line)
        x += w
    pdf.set_fill_color(0, 0, 0)
    pdf.set_y(y + height)
    pdf.set_font_size(7)


def _table(pdf: _Document, table: Table, progress=None, share: float = 0.0, start: float = 0.0) -> None:
    orientation = "L" if table.key in WIDE_TABLES else "P"
    if orientation == "L" or pdf.cur_orientation != "P" or pdf.get_y() > pdf.page_break_trigger - 40:
        pdf.add_page(orientation=orientation)
    pdf.set_font_size(12)
    pdf.cell(0, 8, f"{table.title_zh}  {table.title_en}", new_x="LMARGIN", new_y="NEXT")
    rows = table.rows()
    widths = _widths(pdf, table, rows)
    header = _header_lines(pdf, table, widths)
    _header(pdf, header, widths)
    if not rows:
        pdf.cell(sum(widths), ROW_MM, "无 None", border=1, new_x="LMARGIN", new_y="NEXT")
        return
    measure = _Measure(pdf)
    lefts = [pdf.l_margin + sum(widths[:j]) for j in range(len(widths))]
    right = pdf.l_margin + sum(widths)
    top = pdf.get_y()
    fallback: list[tuple[float, float, float, str, bool]] = []

    def close_grid(bottom: float) -> None:
        for x in [*lefts, right]:
            pdf.line(x, top, x, bottom)

    # One text object per row, written directly, and a grid drawn once per page: fpdf2's cell() and
    # text() cost tens of microseconds per call, which a disclosure of ten thousand buildings feels.
    # The page's header (drawn with text()) has already registered the font on every page.
    font, k, page_h = pdf.current_font, pdf.k, pdf.h
    for i, row in enumerate(rows):
        y = pdf.get_y()
        if y + ROW_MM > pdf.page_break_trigger:
            close_grid(y)
            pdf.add_page(orientation=orientation)
            _header(pdf, header, widths)
            top = y = pdf.get_y()
        if i % 2:
            pdf.set_fill_color(244, 247, 250)
            pdf.rect(pdf.l_margin, y, right - pdf.l_margin, ROW_MM, style="F")
            pdf.set_fill_color(0, 0, 0)
        baseline = (page_h - y - ROW_MM * 0.72) * k
        ops = [f"BT /F{font.i} {pdf.font_size_pt:.2f} Tf"]
        texts = [format_value(value, column) for value, column in zip(row, table.columns, strict=True)]
        covered = measure.covers_all(texts)
        for value, text, x, w in zip(row, texts, lefts, widths, strict=True):
            if not covered and not measure.is_covered(text):
                fallback.append((x, y, w, text, is_numeric(value)))
                continue
            if is_numeric(value):
                x = x + w - 0.8 - measure.width(text)
            else:
                x, text = x + 0.8, measure.fit(text, w - 1.6)
            ops.append(f"1 0 0 1 {x * k:.2f} {baseline:.2f} Tm {font.encode_text(text)}")
        ops.append("ET")
        pdf._out(" ".join(ops))
        for fx, fy, fw, ftext, numeric in fallback:
            pdf.set_xy(fx, fy)
            pdf.cell(fw, ROW_MM, ftext, align="R" if numeric else "L")
        fallback.clear()
        pdf.line(pdf.l_margin, y + ROW_MM, right, y + ROW_MM)
        pdf.set_y(y + ROW_MM)
        if progress and i % 2000 == 1999:
            progress(f"PDF: {table.title_zh} {i + 1}/{len(rows)}", start + share * (i + 1) / len(rows))
    close_grid(pdf.get_y())
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.2)


def _charts(pdf: _Document, data: AnnualReportData) -> None:
    pdf.add_page(orientation="P")
    pdf.set_font_size(12)
    pdf.cell(0, 8, "图表  Charts", new_x="LMARGIN", new_y="NEXT")
    y = pdf.get_y() + 2
    for chart in report_charts(data):
        draw_pdf(pdf, chart, pdf.l_margin, y, pdf.epw, 78)
        y += 86
    pdf.set_font_size(9)


def _notes(pdf: _Document, data: AnnualReportData) -> None:
    pdf.add_page(orientation="P")
    pdf.set_font_size(12)
    pdf.cell(0, 8, "方法说明  Notes on method", new_x="LMARGIN", new_y="NEXT")
    for note in data.notes:
        pdf.set_font_size(10)
        pdf.multi_cell(0, 6, f"{note.title_zh}  {note.title_en}", align="L", new_x="LMARGIN",
                       new_y="NEXT")
        pdf.set_font_size(8.5)
        pdf.multi_cell(0, 4.6, note.text_zh, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(90, 90, 90)
        pdf.multi_cell(0, 4.2, note.text_en, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(2)


def render(data: AnnualReportData, progress=None) -> bytes:
    """The report as an A4 PDF."""
    pdf = _document(data.title_zh)
    _add_fallback_fonts(pdf, data)
    _cover(pdf, data)
    tables = report_tables(data, building_limit=NATIONAL_BUILDING_LIMIT if data.is_national else None)
    _table(pdf, tables[0])
    _charts(pdf, data)
    if progress:
        progress("PDF: 图表 charts", 0.1)
    for k, table in enumerate(tables[1:], start=1):
        _table(pdf, table, progress, share=0.8 / len(tables), start=0.1 + 0.8 * k / len(tables))
    _notes(pdf, data)
    content = bytes(pdf.output())
    if progress:
        progress("PDF", 1.0)
    return content
