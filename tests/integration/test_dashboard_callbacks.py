"""The dashboards' callbacks called as plain functions on a small committed database (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import json

import flask
import pandas as pd
import plotly.graph_objects as go
import pytest

from app.config import get_settings
from app.db import make_engine
from app.services import progress
from app.services.indicators import building_year_indicators
from app.services.summary import year_summary
from app.services.targets import target_progress
from dashboards import create_dash, data
from dashboards.auth import Viewer
from dashboards.pages import (
    building,
    overview,
    quality,
    region,
    reports,
    targets,
    upload,
    upload_report,
)
from tests.conftest import _recreate_postgres_database, postgres_url_or_skip
from tests.expected import region_totals
from tests.integration import dashboard_data

ADMIN = Viewer("admin", "admin", None)
OFFICIAL_LN = Viewer("ln", "official", "210000")
OFFICIAL_SY = Viewer("sy", "official", "210100")
AUDITOR = Viewer(dashboard_data.AUDITOR, "auditor", None)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def dash_engine(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('dash') / 'dash.db'}"
    else:
        from sqlalchemy.engine import make_url

        base = postgres_url_or_skip()
        url = _recreate_postgres_database(base, f"{make_url(base).database}_dash")
    dashboard_data.build(url)
    engine = make_engine(url)
    data.clear_cache()
    yield engine
    engine.dispose()
    data.clear_cache()


@pytest.fixture(scope="module")
def dash_app(dash_engine):
    return create_dash(engine=dash_engine, authenticate=lambda request: ADMIN, warm_cache=False)


@pytest.fixture
def as_user(dash_app):
    """Run the block inside a request of the dashboards' server with the given user signed in."""
    contexts = []

    def enter(viewer: Viewer, lang: str = "zh"):
        ctx = dash_app.server.test_request_context("/", headers={"Cookie": f"jieneng_lang={lang}"})
        ctx.push()
        flask.g.viewer = viewer
        contexts.append(ctx)
        return viewer

    yield enter
    for ctx in reversed(contexts):
        ctx.pop()


def _texts(component) -> list[str]:
    """Every string inside a Dash component tree."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, (list, tuple)):
            for item in node:
                walk(item)
        elif hasattr(node, "children"):
            walk(node.children)

    walk(component)
    return found


def _kpi_value(kpis, kpi_id: str) -> str:
    card = next(k for k in kpis if getattr(k, "id", None) == kpi_id)
    return card.children[1].children[0].children


def _kpi_unit(kpis, kpi_id: str) -> str:
    card = next(k for k in kpis if getattr(k, "id", None) == kpi_id)
    return card.children[1].children[1].children


def _with(session_engine, fn):
    from sqlalchemy.orm import Session

    with Session(session_engine) as session:
        return fn(session)


def test_overview_kpis_match_the_services(dash_engine, as_user):
    as_user(ADMIN)
    kpis, map_fig, ranking, trend, table = overview.update.unguarded(2008, None, "calorific", [], "progress", "zh")
    # expectations summed here from the stored consumption records
    nation = _with(dash_engine, lambda s: region_totals(s, year=2008, region_code="000000"))
    assert nation.buildings_complete > 0
    assert _kpi_value(kpis, "kpi-buildings") == f"{nation.buildings_reporting:,}"
    assert _kpi_value(kpis, "kpi-energy") == f"{nation.kgce_calorific / 1000:,.0f}"
    assert _kpi_value(kpis, "kpi-intensity") == f"{nation.kgce_calorific_m2:,.2f}"
    progress = _with(dash_engine, lambda s: target_progress(session=s, year=2008))
    nation_progress = progress[progress.region_code == "000000"].iloc[0]
    assert _kpi_value(kpis, "kpi-saving") == f"{nation_progress.saving_kgce / 1000:,.0f}"
    # 21 regions ranked, each bar the service's percent of target
    bars = next(tr for tr in ranking.data if tr.type == "bar" and tr.x is not None and len(tr.x) > 1)
    assert len(bars.y) == 21
    expected = progress[progress.region_code != "000000"].set_index("name_zh")["percent_of_target"]
    for name, pct in zip(bars.y, bars.x, strict=True):
        assert pct == pytest.approx(expected[name])
    # the map colours the 21 regions; the trend compares 2008 with the 2005 baseline
    coloured = [tr for tr in map_fig.data if tr.type == "choroplethmap" and tr.showscale is not False]
    assert len(coloured[-1].locations) == 21 and coloured[-1].geojson == "/dashboards/_geo/regions.json"
    assert {tr.name for tr in trend.data} == {"2008", "基准年 2005"}
    assert isinstance(table.rowData, list) and len(table.rowData) == 21


def test_overview_switches_method_class_and_language(dash_engine, as_user):
    as_user(ADMIN, "en")
    kpis, map_fig, _ranking, trend, _grid = overview.update.unguarded(2008, "A", "generation", ["1"], "intensity", "en")
    offices = _with(dash_engine, lambda s: region_totals(s, year=2008, region_code="000000",
                                                                   building_class="A", government_only=True))
    everything = _with(dash_engine, lambda s: region_totals(s, year=2008, region_code="000000"))
    assert 0 < offices.kgce_generation < everything.kgce_generation
    assert _kpi_value(kpis, "kpi-energy") == f"{offices.kgce_generation / 1000:,.0f}"
    assert "Intensity" in map_fig.layout.title.text
    assert trend.layout.yaxis.title.text == "Energy (tce)"


def test_official_sees_only_their_region(dash_engine, as_user):
    as_user(OFFICIAL_LN)
    kpis, _map, ranking, _trend, table = overview.update.unguarded(2008, None, "calorific", [], "progress", "zh")
    assert sorted(r["region"].split("]")[0].lstrip("[") for r in table.rowData) == ["沈阳", "辽宁"]
    liaoning = _with(dash_engine, lambda s: region_totals(s, year=2008, region_code="210000"))
    assert _kpi_value(kpis, "kpi-buildings") == f"{liaoning.buildings_reporting:,}"
    bars = next(tr for tr in ranking.data if tr.type == "bar" and tr.x is not None and len(tr.x) > 1)
    assert sorted(bars.y) == sorted(["辽宁", "沈阳"])
    # asking for another region falls back to their own
    out = region.update.unguarded("110000", 2008, None, "calorific", [], "zh")
    assert out[0].startswith("辽宁")
    # a city official may not widen to the province
    as_user(OFFICIAL_SY)
    assert region.update.unguarded("210000", 2008, None, "calorific", [], "zh")[0].startswith("沈阳")


def test_region_page_figures_and_tables(dash_engine, as_user):
    as_user(ADMIN)
    (title, kpis, trend, by_class, by_owner, dist, largest, worst, path, assessment_fig,
     assessment_table) = region.update.unguarded("210100", 2008, None, "calorific", [], "zh")
    assert title == "沈阳 · 2008"
    frame = _with(dash_engine, lambda s: building_year_indicators(session=s, year=2008, region_code="210100"))
    complete = frame[frame.is_complete]
    assert _kpi_value(kpis, "kpi-energy") == f"{complete.energy_kgce.sum() / 1000:,.0f}"
    # by-class bars add up to the region's total
    assert sum(by_class.data[0].y) == pytest.approx(complete.energy_kgce.sum() / 1000)
    assert sum(by_owner.data[0].y) == pytest.approx(complete.energy_kgce.sum() / 1000)
    # trend: one stacked bar per carrier plus the baseline line, values in tce
    carriers = {tr.name for tr in trend.data if tr.type == "bar"}
    assert "电力" in carriers and any(tr.name == "基准年 2005" for tr in trend.data)
    assert trend.layout.yaxis.title.text == "能耗（吨标准煤）"
    # largest consumers sorted by energy, linking to the building page
    rows = largest.rowData
    assert rows[0]["code"].startswith("[") and "/dashboards/buildings/" in rows[0]["code"]
    assert [r["energy_tce"] for r in rows] == sorted((r["energy_tce"] for r in rows), reverse=True)
    assert all(col.get("sortable", True) for col in largest.columnDefs)
    # worst performers: the furthest above the constraint first
    ratios = [r["comparable_kwh_m2"] / r["constraint_kwh_m2"] for r in worst.rowData]
    assert ratios == sorted(ratios, reverse=True)
    # target path: the baseline-year point of the path equals the stored baseline
    assert path.data[0].y[0] > 0 and len(path.data[1].x) == 4
    # 2006 on the path: the stored baseline moved by the like-for-like change 2005 -> 2006
    summary = _with(dash_engine, lambda s: year_summary(session=s, year=2006, region_code="210100"))
    change = summary.change_vs_last_year
    assert list(path.data[1].y)[1] == pytest.approx(list(path.data[1].y)[0] * change["kgce_later"] / change["kgce_earlier"])
    # assessment: sub-scores with their maximum, total in the title
    assert "/ 100" in assessment_fig.layout.title.text
    assert len(assessment_table.children[1].rowData) == len(assessment_fig.data[0].y)
    assert dist.layout.yaxis.title.text.endswith("kWh/(m²·a)")


def test_building_page(dash_engine, as_user):
    as_user(ADMIN)
    body = building.render.unguarded("110105A901", "zh")
    texts = _texts(body)
    assert "朝阳区机关办公楼" in texts and "110105A901" in texts
    graphs = [c for c in _walk(body) if getattr(c, "id", None) == "building-monthly"]
    fig = graphs[0].figure
    electricity = [tr for tr in fig.data if tr.name == "2008" and "电力" in tr.hovertemplate]
    assert list(electricity[0].y) == [180000, 170000, 150000, 140000, 150000, 190000, 230000, 235000, 185000,
                                      150000, 150000, 175000]
    uploads = next(c for c in _walk(body) if getattr(c, "id", None) == "building-uploads")
    assert {r["filename"] for r in uploads.rowData} == {"buildings_upload.csv", "consumption_good.csv", "consumption_bad.csv"}
    missing = building.render.unguarded("000000X000", "zh")
    assert "未找到该建筑：000000X000" in _texts(missing)
    as_user(OFFICIAL_LN)
    assert "您无权查看该地区的数据。" in _texts(building.render.unguarded("110105A901", "zh"))


def _walk(node):
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, (list, tuple)):
        for child in children:
            yield from _walk(child)
    elif children is not None and not isinstance(children, str):
        yield from _walk(children)


def test_quality_page(as_user):
    as_user(ADMIN)
    kpis, uploads_fig, findings_fig, heat, table = quality.update.unguarded(2008, "zh")
    assert _kpi_value(kpis, "kpi-uploads") == "3"
    assert _kpi_value(kpis, "kpi-rejected") == "4"
    assert sum(uploads_fig.data[0].y) == 2 + 24 + 2
    # findings are named in Chinese on the chart; the codes stay in the hover
    labels = dict(zip(findings_fig.data[0].y, findings_fig.data[0].x, strict=True))
    assert labels == {"月份无效": 1, "未知计量单位": 1, "负数": 1, "建筑编号不存在": 1}
    assert {c for c, _m in findings_fig.data[0].customdata} == {"MONTH_OUT_OF_RANGE", "UNIT_UNKNOWN", "NEGATIVE",
                                                                "BUILDING_UNKNOWN"}
    assert _kpi_unit(kpis, "kpi-accepted") == "行"
    assert heat.data[0].z.shape == (21, 12)
    assert len(table.rowData) == 3 and "/dashboards/uploads/" in table.rowData[0]["report"]


def test_upload_runs_the_pipeline_and_reports_rejected_rows(as_user):
    as_user(AUDITOR)
    payload = (dashboard_data.DATA / "consumption_bad.csv").read_bytes()
    contents = "data:text/csv;base64," + base64.b64encode(payload).decode()
    view, report = upload.run_import.unguarded(1, contents, "again_bad.csv", "consumption", None, None, ["dry_run"], "zh")
    assert report["status"] == "dry_run" and report["rows_rejected"] == 4
    grid = next(c for c in _walk(view) if getattr(c, "id", None) == "report-findings")
    assert {r["code"] for r in grid.rowData} == {"MONTH_OUT_OF_RANGE", "UNIT_UNKNOWN", "NEGATIVE", "BUILDING_UNKNOWN"}
    rows = {r["code"]: r for r in grid.rowData}
    # Chinese names and severities instead of codes, and for each rejection what the field accepts
    assert rows["UNIT_UNKNOWN"]["finding"] == "未知计量单位 (UNIT_UNKNOWN)"
    assert rows["UNIT_UNKNOWN"]["severity_text"] == "错误（已拒绝）"
    assert "天然气" in rows["UNIT_UNKNOWN"]["accepted"] and "万m³" in rows["UNIT_UNKNOWN"]["accepted"]
    assert rows["MONTH_OUT_OF_RANGE"]["accepted"] == "月份 1–12"
    assert "先导入建筑表" in rows["BUILDING_UNKNOWN"]["accepted"]
    assert [r["row"] for r in grid.rowData] == sorted(r["row"] for r in grid.rowData)
    saved = next(c for c in _walk(view) if getattr(c, "id", None) == "report-saved-link")
    assert saved.href == f"/dashboards/uploads/{report['upload_id']}"
    csv = upload.download(1, report)
    frame = pd.read_csv(pd.io.common.BytesIO(base64.b64decode(csv["content"])), encoding="utf-8-sig")
    assert len(frame) == 4 and set(frame.columns) >= {"row", "code", "message_zh", "message_en"}
    as_user(OFFICIAL_LN)
    refused, nothing = upload.run_import.unguarded(1, contents, "x.csv", "consumption", None, None, [], "zh")
    assert nothing is None and "只有审计员和管理员可以上传数据。" in _texts(refused)


def test_upload_publishes_its_progress_under_the_browser_token(as_user, tmp_path, monkeypatch):
    monkeypatch.setenv("JIENENG_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    as_user(AUDITOR)
    token, shown = "ab" * 16, []
    publish = progress.report

    def spy(tok, done, total):
        publish(tok, done, total)
        shown.append(_texts(upload.show_progress(1, tok, "en")))

    monkeypatch.setattr(progress, "report", spy)
    payload = (dashboard_data.DATA / "consumption_bad.csv").read_bytes()
    contents = "data:text/csv;base64," + base64.b64encode(payload).decode()
    try:
        _, report = upload.run_import.unguarded(token, contents, "again_bad.csv", "consumption", None, None, ["dry_run"], "en")
    finally:
        get_settings.cache_clear()
    read = report["rows_read"]
    assert shown and any(f"All {read} rows read, writing to the database" in text for text in shown[-1])
    progress.report(token, 5, 20)
    assert any("5 of 20 rows read (25 %)" in text for text in _texts(upload.show_progress(1, token, "en")))
    progress.finish(token)
    assert progress.read(token) is None and upload.show_progress(1, token, "en") == ""  # forgotten once shown
    with pytest.raises(ValueError):
        progress.report("../../etc/passwd", 1, 1)


def test_upload_rejects_a_broken_mapping_profile(as_user):
    as_user(AUDITOR)
    contents = "data:text/csv;base64," + base64.b64encode(b"a,b\n1,2\n").decode()
    profile = "data:text/yaml;base64," + base64.b64encode(b"- just\n- a list\n").decode()
    view, report = upload.run_import.unguarded(1, contents, "x.csv", "consumption", profile, "p.yaml", [], "en")
    assert report is None and any("mapping file cannot be read" in s for s in _texts(view))


def test_stored_report_page(dash_engine, as_user):
    as_user(AUDITOR)
    recent = data.quality_view(year=2008, region_codes=(), uploaded_by=None)["recent"]
    bad_id = int(recent[recent.filename == "consumption_bad.csv"].upload_id.iloc[0])
    page = upload_report.layout(upload_id=str(bad_id))
    store = next(c for c in _walk(page) if getattr(c, "id", None) == "stored-report")
    assert store.data["rows_rejected"] == 4
    as_user(Viewer("other", "auditor", None))
    assert "您无权查看该地区的数据。" in _texts(upload_report.layout(upload_id=str(bad_id)))


def test_targets_table_and_what_if_preview(dash_engine, as_user):
    as_user(ADMIN)
    view = targets.current.unguarded(2008, "zh")
    grid = next(c for c in _walk(view) if getattr(c, "id", None) == "targets-grid")
    assert len(grid.rowData) == 22 and grid.rowData[0]["region"] == "全国"
    assert grid.rowData[0]["cut_percent"] == pytest.approx(20.0)
    with dash_app_context(as_user):
        preview = targets.what_if.unguarded(1, 0, "equal", None, 10, 2005, 2010, "zh")
    rows = next(c for c in _walk(preview) if getattr(c, "id", None) == "whatif-grid").rowData
    assert rows[0]["target_tce"] == pytest.approx(rows[0]["baseline_tce"] * 0.10, rel=1e-6)
    from app.services.targets import decompose

    service = _with(dash_engine, lambda s: decompose(session=s, cut_percent=10, baseline_year=2005, target_year=2010,
                                                     method="equal", preview=True).rows)
    service = service[service.scope_level != "building"]
    assert [r["target_tce"] for r in rows] == pytest.approx(list(service.saving_kgce / 1000))
    # the stored plan cut 20%, so the nation's preview is 10% of the baseline lower
    assert rows[0]["diff_tce"] == pytest.approx(-rows[0]["baseline_tce"] * 0.10, rel=1e-4)
    # nothing was stored by the preview
    assert targets.current.unguarded(2008, "zh") is not None
    after = data.targets_view(year=2008, region_code=None)["targets"]
    assert after["saving_target_kgce"].iloc[0] == pytest.approx(after["baseline_kgce"].iloc[0] * 0.2)


class dash_app_context:
    """The what-if callback reads dash.ctx.triggered_id; give it a triggered preview button."""

    def __init__(self, _as_user):
        from dash._callback_context import context_value

        self._var = context_value
        self._token = None

    def __enter__(self):
        from dash._utils import AttributeDict

        self._token = self._var.set(AttributeDict(triggered_inputs=[{"prop_id": "whatif-preview.n_clicks", "value": 1}]))

    def __exit__(self, *exc):
        self._var.reset(self._token)


def test_official_cannot_apply_a_decomposition(as_user):
    as_user(OFFICIAL_LN)
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    token = context_value.set(AttributeDict(triggered_inputs=[{"prop_id": "whatif-apply.n_clicks", "value": 1}]))
    try:
        out = targets.what_if.unguarded(0, 1, "equal", None, 10, 2005, 2010, "zh")
    finally:
        context_value.reset(token)
    assert "仅管理员可以应用分解方案" in _texts(out)


def test_report_download_matches_the_reports_package(dash_engine, as_user):
    as_user(OFFICIAL_LN)
    sent, message = reports.download.unguarded(1, 2008, "210000", "csv", "zh")
    assert sent["filename"] == "jieneng-annual-2008-210000.csv" and message == ""
    _nothing, warning = reports.download.unguarded(1, 2008, "110000", "csv", "zh")
    assert "您无权查看该地区的数据。" in _texts(warning)


@pytest.mark.parametrize(("region_code", "building_class", "government_only"),
                         [("210000", None, False), ("210100", "A", False), (None, None, True), ("440300", "B", False)])
def test_filtering_the_national_frame_equals_the_filtered_service(dash_engine, region_code, building_class,
                                                                   government_only):
    def both(session):
        national = data.national_frame(session, year=2008, method="calorific")
        mine = data.select_buildings(national, region_code=region_code, building_class=building_class,
                                     government_only=government_only)
        theirs = building_year_indicators(session=session, year=2008, region_code=region_code,
                                          building_class=building_class, government_only=government_only)
        return mine, theirs

    mine, theirs = _with(dash_engine, both)
    assert len(mine) > 0
    def plain(frame):
        frame = frame.reset_index(drop=True).astype(object)
        return frame.where(frame.notna(), None)

    pd.testing.assert_frame_equal(plain(mine), plain(theirs))


@pytest.mark.parametrize("region_code", [None, "210000", "210100", "440300"])
def test_area_rollup_matches_the_trend_and_summary_services(dash_engine, region_code):
    from app.services.indicators import monthly_trend
    from app.services.rollups import (
        area_month_totals,
        monthly_trend_from,
        year_totals_from,
    )

    def both(session):
        totals = area_month_totals(session=session)
        for method in ("calorific", "generation"):
            for by in ("carrier", None):
                mine = monthly_trend_from(totals, region_code=region_code, years=[2005, 2008], by=by, method=method)
                theirs = monthly_trend(session=session, region_code=region_code, years=[2005, 2008], by=by, method=method)
                keys = ["year", "month"] + (["carrier_code"] if by else [])
                theirs = theirs.sort_values(keys, ignore_index=True)
                assert list(mine[keys].itertuples(index=False)) == list(theirs[keys].itertuples(index=False))
                assert list(mine["kgce"]) == pytest.approx(list(theirs["kgce"]))
            by_year = year_totals_from(totals, region_code=region_code, method=method)
            for year in (2005, 2006, 2007, 2008):
                summary = year_summary(session=session, year=year, region_code=region_code)
                assert by_year[year] == pytest.approx(getattr(summary, f"all_reported_kgce_{method}"), abs=0.01)

    _with(dash_engine, both)


def test_boundaries_are_served_to_the_browser(dash_app):
    client = dash_app.server.test_client()
    provinces = client.get("/_geo/provinces.json")
    assert provinces.status_code == 200 and "max-age" in provinces.headers["Cache-Control"]
    assert {"110000", "210000", "460000"} <= {f["id"] for f in provinces.get_json()["features"]}
    regions = client.get("/_geo/regions.json").get_json()
    assert len(regions["features"]) == 21
    assert client.get("/_geo/secrets.json").status_code == 404


def test_guarded_callbacks_show_a_message_instead_of_a_traceback(as_user, monkeypatch):
    as_user(ADMIN, "en")

    def broken(**_kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(data, "region_view", broken)
    out = region.update("210000", 2008, None, "calorific", [], "en")
    assert "The data cannot be shown right now" in json.dumps(out[1].to_plotly_json())
    assert all(isinstance(fig, go.Figure) for fig in (out[2], out[3], out[8]))
    with pytest.raises(RuntimeError):
        region.update.unguarded("210000", 2008, None, "calorific", [], "en")


def test_report_view_links_a_duplicate_to_the_upload_it_repeats(as_user):
    as_user(AUDITOR)
    duplicate = {"upload_id": 41, "status": "duplicate", "rows_read": 0, "rows_accepted": 0, "rows_rejected": 0,
                 "rows_changed": 0, "warnings": 0,
                 "findings": [{"row": None, "column": None, "value": None, "code": "FILE_DUPLICATE", "severity": "notice",
                               "message_zh": "相同内容的文件已于第 7 号上传中导入，未做任何更改。",
                               "message_en": "A file with identical content was already loaded as upload 7; nothing changed."}]}
    view = upload.report_view(duplicate, "en")
    links = {c.id: c for c in _walk(view) if getattr(c, "id", None) in ("report-saved-link", "report-duplicate-link")}
    assert links["report-duplicate-link"].href == "/dashboards/uploads/7"
    assert links["report-saved-link"].href == "/dashboards/uploads/41"
    grid = next(c for c in _walk(view) if getattr(c, "id", None) == "report-findings")
    assert grid.rowData[0]["severity_text"] == "Notice" and grid.rowData[0]["accepted"] == ""
    stored = upload.report_view(duplicate, "en", link_saved=False)
    assert not any(getattr(c, "id", None) == "report-saved-link" for c in _walk(stored))
