"""Shared pieces of every page: header, filter bar, KPI cards, cards, tables, messages."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import dash_ag_grid as dag
from dash import dcc, html

from dashboards.auth import Viewer
from dashboards.i18n import t

PREFIX = "/dashboards/"
NAV = (
    ("overview", ""),
    ("region", "region"),
    ("targets", "targets"),
    ("quality", "quality"),
    ("upload", "upload"),
    ("reports", "reports"),
)
# The chart toolbar keeps only "download as image" and "reset view" (dragging still zooms, the wheel still
# scrolls the page); dashboards/assets/a11y.js takes its buttons out of the Tab order, so a keyboard user
# goes from the filters to the tables without a stop per button. "responsive" redraws a chart when its card
# changes width (a phone turned sideways, a window resized).
GRAPH_CONFIG = {"displaylogo": False, "responsive": True, "scrollZoom": False, "toImageButtonOptions": {"scale": 2},
                "modeBarButtonsToRemove": ["lasso2d", "select2d", "zoom2d", "pan2d", "zoomIn2d", "zoomOut2d",
                                           "autoScale2d", "hoverClosestCartesian", "hoverCompareCartesian",
                                           "toggleSpikelines", "zoomInGeo", "zoomOutGeo", "hoverClosestGeo",
                                           "zoomInMap", "zoomOutMap", "hoverClosestPie"]}


def fid(name: str) -> dict[str, str]:
    """The id of a filter control; every filter writes its value into the URL query string."""
    return {"type": "filter", "name": name}


def header(viewer: Viewer | None, lang: str, prefix: str, region_name: str | None) -> html.Header:
    """The top bar: title, navigation, the user's scope, language switch and sign-out."""
    links = []
    for key, path in NAV:
        if key == "upload" and (viewer is None or not viewer.may_upload):
            continue
        links.append(dcc.Link(t(f"nav.{key}", lang), href=prefix + path, className="nav-link", id=f"nav-{key}"))
    other = "en" if lang == "zh" else "zh"
    user_bits = []
    if viewer is not None:
        scope = region_name or t("scope.national", lang)
        user_bits = [
            html.Span(f"{viewer.username} · {t('role.' + viewer.role, lang)} · {scope}", className="user", id="user-badge"),
        ]
    # On a narrow screen the bar wraps (dashboards/assets/style.css): brand, language and sign-out on the first
    # line, the navigation on the lines below it; nothing is hidden behind a menu.
    return html.Header(className="topbar", children=[
        html.Div(className="brand", children=[
            html.Div(t("app.title", lang), className="brand-title"),
            html.Div(t("app.subtitle", lang), className="brand-sub"),
        ]),
        html.Nav(links, className="nav", **{"aria-label": t("a11y.nav", lang)}),
        html.Div(className="topbar-right", role="group", **{"aria-label": t("a11y.account", lang)}, children=[
            *user_bits,
            html.A(t("nav.lang", lang), href=f"{prefix}_lang/{other}", className="lang-switch", id="lang-switch",
                   lang="en" if other == "en" else "zh-CN"),
            html.Form(action="/auth/logout", method="post", className="logout-form",
                      children=html.Button(t("nav.logout", lang), type="submit", className="btn-link", id="logout")),
        ]),
    ])


def _checked(value: str | None) -> list[str]:
    return ["1"] if value in ("1", "true", "yes") else []


def filter_bar(*, lang: str, options: dict, query: dict, fields: Sequence[str], viewer: Viewer) -> html.Div:
    """Filter controls seeded from the URL query string; only the fields a page uses."""
    controls = []
    years = options["years"]
    if "year" in fields:
        year = _int(query.get("year"), years[0] if years else None)
        controls.append(_labelled(t("filter.year", lang), "year", dcc.Dropdown(
            id=fid("year"), options=[{"label": str(y), "value": y} for y in years], value=year, clearable=False,
            className="dd dd-year")))
    if "region" in fields:
        regions = [r for r in options["regions"] if viewer.may_see(r["region_code"])]
        allowed = {r["region_code"] for r in regions}
        default = viewer.region_code or (regions[0]["region_code"] if regions else None)
        value = query.get("region") if query.get("region") in allowed else default
        controls.append(_labelled(t("filter.region", lang), "region", dcc.Dropdown(
            id=fid("region"), options=[{"label": r["name_en" if lang == "en" else "name_zh"], "value": r["region_code"]}
                                      for r in regions],
            value=value, clearable=False, className="dd dd-region")))
    if "class" in fields:
        classes = options["classes"]
        controls.append(_labelled(t("filter.class", lang), "class", dcc.Dropdown(
            id=fid("class"), options=[{"label": f"{c['code']} {c['name_en' if lang == 'en' else 'name_zh']}", "value": c["code"]}
                                      for c in classes],
            value=query.get("class") if query.get("class") in {c["code"] for c in classes} else None,
            placeholder=t("filter.all_classes", lang), className="dd dd-class")))
    if "method" in fields:
        method = query.get("method") if query.get("method") in ("calorific", "generation") else "calorific"
        controls.append(_labelled(t("filter.method", lang), "method", dcc.RadioItems(
            id=fid("method"), options=[{"label": t("method.calorific", lang), "value": "calorific"},
                                       {"label": t("method.generation", lang), "value": "generation"}],
            value=method, inline=True, className="radio")))
    if "government" in fields:
        controls.append(html.Div(className="filter", children=dcc.Checklist(
            id=fid("government"), options=[{"label": t("filter.government", lang), "value": "1"}],
            value=_checked(query.get("government")), className="check")))
    return html.Div(controls, className="filter-bar")


def _labelled(label: str, name: str, control) -> html.Div:
    return labelled(label, f"filter-{name}-label", control)


def labelled(label: str, label_id: str, control) -> html.Div:
    """A control under its visible label.

    Dash 4's dropdowns, radio items and checklists take no ``aria-labelledby``: dashboards/assets/a11y.js names
    the control inside ``.filter`` by the ``.filter-label`` with this id. A ``dcc.Input`` is labelled by
    ``htmlFor`` instead (see ``labelled_input``).
    """
    return html.Div(className="filter", children=[html.Label(label, className="filter-label", id=label_id), control])


def labelled_input(label: str, control) -> html.Div:
    """A ``dcc.Input`` under a ``<label for>`` naming it."""
    return html.Div(className="filter", children=[
        html.Label(label, className="filter-label", htmlFor=control.id, id=f"{control.id}-label"), control])


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def kpi(label: str, value: str, unit: str = "", note: str = "", *, kpi_id: str | None = None) -> html.Div:
    """A KPI card: label, big number with unit, a note under it."""
    return html.Div(className="kpi", id=kpi_id or {"type": "kpi", "label": label}, children=[
        html.Div(label, className="kpi-label"),
        html.Div([html.Span(value, className="kpi-value"), html.Span(unit, className="kpi-unit")]),
        html.Div(note, className="kpi-note"),
    ])


def card(children, *, title: str | None = None, class_name: str = "") -> html.Section:
    """A white card around a chart or a table."""
    body = [html.H3(title, className="card-title")] if title else []
    if isinstance(children, (list, tuple)):
        body.extend(children)
    else:
        body.append(children)
    return html.Section(body, className=f"card {class_name}".strip())


def graph(graph_id: str, figure=None) -> dcc.Loading:
    """A graph with the house config inside a loading indicator."""
    return dcc.Loading(dcc.Graph(id=graph_id, figure=figure or {"data": [], "layout": {"height": 360}},
                                 config=GRAPH_CONFIG, className="graph"), type="dot", color="#1f4e79")


def number_col(field: str, header_name: str, digits: int = 0, **extra) -> dict:
    """An AG Grid column of numbers right-aligned with thousands separators."""
    return {"field": field, "headerName": header_name, "type": "rightAligned", "filter": "agNumberColumnFilter",
            "valueFormatter": {"function": f"params.value == null ? '–' : d3.format(',.{digits}f')(params.value)"},
            **extra}


def text_col(field: str, header_name: str, **extra) -> dict:
    return {"field": field, "headerName": header_name, "filter": "agTextColumnFilter", **extra}


def link_col(field: str, header_name: str, **extra) -> dict:
    """A column whose cells are markdown links (rendered by AG Grid's markdown cell renderer)."""
    return {"field": field, "headerName": header_name, "cellRenderer": "markdown", "filter": "agTextColumnFilter",
            **extra}


# AG Grid's own labels (paging, filters) in Chinese; English is its default.
GRID_LOCALE_ZH = {
    "page": "第", "of": "/", "to": "至", "more": "更多", "next": "下一页", "last": "末页", "first": "首页",
    "previous": "上一页", "loadingOoo": "加载中…", "noRowsToShow": "暂无数据", "filterOoo": "筛选…",
    "equals": "等于", "notEqual": "不等于", "contains": "包含", "notContains": "不包含", "startsWith": "开头是",
    "endsWith": "结尾是", "blank": "为空", "notBlank": "不为空", "lessThan": "小于", "greaterThan": "大于",
    "lessThanOrEqual": "小于等于", "greaterThanOrEqual": "大于等于", "inRange": "介于", "inRangeStart": "从",
    "inRangeEnd": "到", "andCondition": "且", "orCondition": "或", "applyFilter": "应用", "resetFilter": "重置",
    "clearFilter": "清除", "cancelFilter": "取消", "pageSizeSelectorLabel": "每页", "ariaPageSizeSelectorLabel": "每页",
    "pageLastRowUnknown": "?",
}


def grid(grid_id: str, column_defs: list[dict], rows: Iterable[dict] | None = None, *, page_size: int = 20) -> dag.AgGrid:
    """A sortable, filterable AG Grid with the house look.

    The grid is as tall as its rows (up to a page of ``page_size``), so a short table leaves no empty space, and
    long column headers wrap instead of being cut.
    """
    from dashboards import current_lang

    locale = GRID_LOCALE_ZH if current_lang() == "zh" else {}
    return dag.AgGrid(
        id=grid_id, columnDefs=[_fit_header(c) for c in column_defs], rowData=list(rows or []),
        defaultColDef={"sortable": True, "filter": True, "resizable": True, "minWidth": 90,
                       "wrapHeaderText": True, "autoHeaderHeight": True},
        columnSize="responsiveSizeToFit",
        # Tab leaves the grid instead of walking every cell; the arrow keys move inside it.
        dashGridOptions={"pagination": True, "paginationPageSize": page_size, "paginationPageSizeSelector": False,
                         "domLayout": "autoHeight",
                         "animateRows": False, "enableCellTextSelection": True, "localeText": locale,
                         "tabToNextCell": {"function": "false"}, "tabToNextHeader": {"function": "false"},
                         "theme": {"function": "themeQuartz.withParams({ accentColor: '#1f4e79', headerBackgroundColor: '#f2f5f9', fontFamily: 'inherit', fontSize: 13 })"}},
        style={"width": "100%"}, className="grid",
    )


LATIN_WORD = re.compile(r"[A-Za-z0-9²³·.%/-]+")


def _fit_header(column: dict) -> dict:
    """Wide enough that the header's longest Latin word stays whole when the header wraps (CJK wraps anywhere)."""
    words = LATIN_WORD.findall(str(column.get("headerName", "")))
    longest = max((len(w) for w in words), default=0)
    needed = 8 * longest + 58  # about 8 px a character at 13 px, plus padding, sort and filter icons
    if needed <= column.get("minWidth", 90):
        return column
    fitted = {**column, "minWidth": needed}
    if fitted.get("maxWidth", needed) < needed:
        fitted["maxWidth"] = needed
    return fitted


def message(text: str, kind: str = "info", *, element_id: str | None = None) -> html.Div:
    """A notice (info, warning, error, success) in the page."""
    props = {"id": element_id} if element_id else {}
    return html.Div(text, className=f"notice notice-{kind}", role="status", **props)
