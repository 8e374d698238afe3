"""The report's charts: a small format-neutral model, drawn as inline SVG or onto an fpdf2 page."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

import pandas as pd

from app.presentation import nice_ticks
from app.reports.model import AnnualReportData

PALETTE = ["#2f6f9f", "#d1495b", "#edae49", "#66a182", "#8d6a9f"]


@dataclass(frozen=True)
class Series:
    """One series over the chart's categories: bars, a line with markers, or level marks (a dash per category)."""

    name: str
    values: list[float | None]
    kind: str = "bar"
    colour: str = PALETTE[0]


@dataclass(frozen=True)
class Chart:
    """Categories on one axis, one or more series; horizontal charts hold bars only."""

    key: str
    title_zh: str
    title_en: str
    unit: str
    categories: list[str]
    series: list[Series] = field(default_factory=list)
    horizontal: bool = False

    @property
    def title(self) -> str:
        return f"{self.title_zh} {self.title_en}"

    @property
    def is_empty(self) -> bool:
        return not self.categories or all(v is None for s in self.series for v in s.values)


def _values(column: pd.Series) -> list[float | None]:
    return [None if pd.isna(v) else float(v) for v in column]


def class_intensity_chart(data: AnnualReportData) -> Chart:
    """Intensity of each building class against the GB/T 51161 constraint and guide values."""
    frame = data.class_intensity
    return Chart(
        "class_intensity", "分类能耗强度与标准对比", "Intensity by class vs benchmarks", "kWh/(m²·a)",
        [f"{c} {n}" for c, n in zip(frame["building_class"], frame["class_name_zh"], strict=True)],
        [
            Series("单位面积能耗 Intensity", _values(frame["intensity_kwh_m2"]), "bar", PALETTE[0]),
            Series("对标强度 Comparable", _values(frame["comparable_kwh_m2"]), "bar", PALETTE[4]),
            Series("约束值 Constraint", _values(frame["constraint_kwh_m2"]), "level", PALETTE[1]),
            Series("引导值 Guide", _values(frame["guide_kwh_m2"]), "level", PALETTE[3]),
        ],
    )


def target_path_chart(data: AnnualReportData) -> Chart:
    """Actual energy use each year against the target path, in tce."""
    frame = data.target_path
    return Chart(
        "target_path", "节能目标进度", "Progress against the target path", "tce",
        [str(int(y)) for y in frame["year"]],
        [
            Series("实际能耗 Actual", [None if v is None else v / 1000 for v in _values(frame["actual_kgce"])],
                   "bar", PALETTE[0]),
            Series("目标路径 Target path", [None if v is None else v / 1000 for v in _values(frame["path_kgce"])],
                   "line", PALETTE[1]),
        ],
    )


def top_consumers_chart(data: AnnualReportData, n: int = 10) -> Chart:
    """The ``n`` buildings with the largest total energy use, in tce."""
    # a year nobody reported leaves the column all-None (object dtype)
    energy = pd.to_numeric(data.buildings["kgce_calorific"], errors="coerce")
    top = data.buildings.assign(kgce_calorific=energy).dropna(subset=["kgce_calorific"]).nlargest(n, "kgce_calorific")
    return Chart(
        "top_consumers", f"能耗最高的 {n} 栋建筑", f"Top {n} consumers", "tce",
        [f"{code} {name}"[:28] for code, name in zip(top["code"], top["name"], strict=True)],
        [Series("总能耗 Total", [v / 1000 for v in _values(top["kgce_calorific"])], "bar", PALETTE[2])],
        horizontal=True,
    )


def report_charts(data: AnnualReportData) -> list[Chart]:
    """The report's charts in reading order."""
    return [class_intensity_chart(data), target_path_chart(data), top_consumers_chart(data)]


def _ticks(chart: Chart) -> list[float]:
    values = [v for s in chart.series for v in s.values if v is not None]
    return nice_ticks(max(values, default=0.0))


def tick_label(value: float, ticks: list[float]) -> str:
    """A tick as written on the axis: thousands separators, as many decimals as the step needs."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
    return f"{value:,.{decimals}f}"


def _fmt(value: float) -> str:
    if abs(value) >= 10 and float(value).is_integer() or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def to_svg(chart: Chart, width: int = 960, height: int = 440) -> str:
    """The chart as a standalone inline <svg> element; every label is escaped.

    Drawn for a page about 960 px wide, so text shows at about 13 px.
    """
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(chart.title)}" font-family="sans-serif" font-size="13">',
        f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="16" font-weight="bold">'
        f"{escape(chart.title)} ({escape(chart.unit)})</text>",
    ]
    if chart.is_empty:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">无数据 No data</text></svg>')
        return "".join(parts)
    ticks = _ticks(chart)
    top = ticks[-1]
    n = len(chart.categories)
    if chart.horizontal:
        left, right, y0, bottom = 290, 70, 36, 20
        plot_w, plot_h = width - left - right, height - y0 - bottom
        band = plot_h / n
        for i, (label, value) in enumerate(zip(chart.categories, chart.series[0].values, strict=True)):
            y = y0 + i * band
            w = 0 if value is None else plot_w * value / top
            parts.append(f'<text x="{left - 6}" y="{y + band / 2 + 5}" text-anchor="end">{escape(label)}</text>')
            parts.append(
                f'<rect x="{left}" y="{y + band * 0.15:.1f}" width="{w:.1f}" height="{band * 0.7:.1f}" '
                f'fill="{chart.series[0].colour}"><title>{escape(label)}: {_fmt(value or 0)}</title></rect>'
            )
            if value is not None:
                parts.append(f'<text x="{left + w + 4:.1f}" y="{y + band / 2 + 5}">{_fmt(value)}</text>')
        parts.append("</svg>")
        return "".join(parts)
    left, right, y0, bottom = 76, 20, 62, 56
    plot_w, plot_h = width - left - right, height - y0 - bottom
    band = plot_w / n
    for value in ticks:
        y = y0 + plot_h - plot_h * value / top
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick_label(value, ticks)}</text>')
    bars = [s for s in chart.series if s.kind == "bar"]
    bar_w = band * 0.7 / max(len(bars), 1)
    for j, series in enumerate(bars):
        for i, value in enumerate(series.values):
            if value is None:
                continue
            h = plot_h * value / top
            x = left + i * band + band * 0.15 + j * bar_w
            parts.append(
                f'<rect x="{x:.1f}" y="{y0 + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{series.colour}"><title>{escape(chart.categories[i])} {escape(series.name)}: '
                f"{_fmt(value)}</title></rect>"
            )
    for series in (s for s in chart.series if s.kind == "line"):
        points = [
            (left + (i + 0.5) * band, y0 + plot_h - plot_h * v / top)
            for i, v in enumerate(series.values) if v is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{series.colour}" stroke-width="2"/>')
        for x, y in points:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{series.colour}"/>')
    for series in (s for s in chart.series if s.kind == "level"):
        for i, value in enumerate(series.values):
            if value is None:
                continue
            y = y0 + plot_h - plot_h * value / top
            parts.append(
                f'<line x1="{left + i * band + band * 0.08:.1f}" x2="{left + (i + 1) * band - band * 0.08:.1f}" '
                f'y1="{y:.1f}" y2="{y:.1f}" stroke="{series.colour}" stroke-width="2.5" stroke-dasharray="6 3">'
                f"<title>{escape(chart.categories[i])} {escape(series.name)}: {_fmt(value)}</title></line>"
            )
    for i, label in enumerate(chart.categories):
        x = left + (i + 0.5) * band
        parts.append(f'<text x="{x:.1f}" y="{y0 + plot_h + 20}" text-anchor="middle">{escape(label[:14])}</text>')
    for j, series in enumerate(chart.series):
        x = left + j * 210
        parts.append(f'<rect x="{x}" y="32" width="13" height="13" fill="{series.colour}"/>')
        parts.append(f'<text x="{x + 18}" y="43">{escape(series.name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def draw_pdf(pdf, chart: Chart, x: float, y: float, w: float, h: float) -> None:
    """Draw the chart with fpdf2 primitives into the box (x, y, w, h), in mm; the font is already set."""
    pdf.set_font_size(10)
    pdf.set_xy(x, y)
    pdf.cell(w, 6, f"{chart.title} ({chart.unit})", align="C")
    pdf.set_font_size(7)
    if chart.is_empty:
        pdf.set_xy(x, y + h / 2)
        pdf.cell(w, 5, "无数据 No data", align="C")
        return
    ticks = _ticks(chart)
    top = ticks[-1]
    n = len(chart.categories)
    if chart.horizontal:
        left = 62
        plot_x, plot_y, plot_w, plot_h = x + left, y + 9, w - left - 18, h - 11
        band = plot_h / n
        series = chart.series[0]
        pdf.set_fill_color(*_rgb(series.colour))
        for i, (label, value) in enumerate(zip(chart.categories, series.values, strict=True)):
            by = plot_y + i * band
            pdf.set_xy(x, by)
            pdf.cell(left - 2, band, label, align="R")
            if value is None:
                continue
            bw = plot_w * value / top
            pdf.rect(plot_x, by + band * 0.15, max(bw, 0.1), band * 0.7, style="F")
            pdf.set_xy(plot_x + bw + 1, by)
            pdf.cell(16, band, _fmt(value))
        return
    left, legend = 14, 6
    plot_x, plot_y, plot_w, plot_h = x + left, y + 8 + legend, w - left - 2, h - 8 - legend - 8
    band = plot_w / n
    pdf.set_draw_color(220, 220, 220)
    pdf.set_line_width(0.1)
    for value in ticks:
        ly = plot_y + plot_h - plot_h * value / top
        pdf.line(plot_x, ly, plot_x + plot_w, ly)
        pdf.set_xy(x, ly - 2)
        pdf.cell(left - 1, 4, tick_label(value, ticks), align="R")
    bars = [s for s in chart.series if s.kind == "bar"]
    bar_w = band * 0.7 / max(len(bars), 1)
    for j, series in enumerate(bars):
        pdf.set_fill_color(*_rgb(series.colour))
        for i, value in enumerate(series.values):
            if value is None:
                continue
            bh = plot_h * value / top
            pdf.rect(plot_x + i * band + band * 0.15 + j * bar_w, plot_y + plot_h - bh, bar_w, max(bh, 0.1), style="F")
    for series in (s for s in chart.series if s.kind == "line"):
        pdf.set_draw_color(*_rgb(series.colour))
        pdf.set_fill_color(*_rgb(series.colour))
        pdf.set_line_width(0.5)
        points = [
            (plot_x + (i + 0.5) * band, plot_y + plot_h - plot_h * v / top)
            for i, v in enumerate(series.values) if v is not None
        ]
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            pdf.line(x1, y1, x2, y2)
        for px, py in points:
            pdf.circle(x=px, y=py, radius=0.9, style="F")
    for series in (s for s in chart.series if s.kind == "level"):
        pdf.set_draw_color(*_rgb(series.colour))
        pdf.set_line_width(0.6)
        for i, value in enumerate(series.values):
            if value is not None:
                ly = plot_y + plot_h - plot_h * value / top
                pdf.line(plot_x + i * band + band * 0.08, ly, plot_x + (i + 1) * band - band * 0.08, ly)
    for i, label in enumerate(chart.categories):
        pdf.set_xy(plot_x + i * band, plot_y + plot_h + 1)
        pdf.cell(band, 4, label[:8], align="C")
    for j, series in enumerate(chart.series):
        lx = x + left + j * 46
        pdf.set_fill_color(*_rgb(series.colour))
        pdf.rect(lx, y + 8, 3, 3, style="F")
        pdf.set_xy(lx + 4, y + 7.5)
        pdf.cell(42, 4, series.name)
    pdf.set_line_width(0.2)
    pdf.set_draw_color(0, 0, 0)
