"""Annual energy-efficiency reports: data from the analytics services, rendered as XLSX, PDF, CSV or HTML."""

from __future__ import annotations

from collections.abc import Callable

from app.reports import render_csv, render_html, render_pdf, render_xlsx
from app.reports.model import AnnualReportData, Note

Progress = Callable[[str, float], None]

RENDERERS = {
    "xlsx": (render_xlsx.render, render_xlsx.MEDIA_TYPE),
    "pdf": (render_pdf.render, render_pdf.MEDIA_TYPE),
    "csv": (render_csv.render, render_csv.MEDIA_TYPE),
    "html": (render_html.render, render_html.MEDIA_TYPE),
}
FORMATS = tuple(RENDERERS)


def report_filename(data: AnnualReportData, fmt: str) -> str:
    """The download name, e.g. ``jieneng-annual-2010-110000.xlsx``."""
    return f"jieneng-annual-{data.year}-{data.scope_code}.{fmt}"


def render_report(data: AnnualReportData, fmt: str, progress: Progress | None = None) -> tuple[bytes, str, str]:
    """Render assembled report data; returns (content, media_type, filename)."""
    if fmt not in RENDERERS:
        raise ValueError(f"未知格式 unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    render, media_type = RENDERERS[fmt]
    content = render(data, progress)
    if progress:
        progress(f"{fmt.upper()} 完成 done", 1.0)
    return content, media_type, report_filename(data, fmt)


def build_annual_report(
    *, session, year: int, region_code: str | None = None, fmt: str, progress: Progress | None = None
) -> tuple[bytes, str, str]:
    """Assemble and render the annual report of a year for the nation or one region."""
    from app.reports.data import collect_report_data

    if fmt not in RENDERERS:
        raise ValueError(f"未知格式 unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")

    def stage(base: float, span: float) -> Progress | None:
        if progress is None:
            return None
        return lambda message, fraction: progress(message, base + span * fraction)

    data = collect_report_data(session=session, year=year, region_code=region_code, progress=stage(0.0, 0.4))
    return render_report(data, fmt, stage(0.4, 0.6))


__all__ = ["FORMATS", "AnnualReportData", "Note", "build_annual_report", "render_report", "report_filename"]
