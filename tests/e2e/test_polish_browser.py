"""What a person sees, in headless Chromium: the API documentation, Chinese labels, colours, map, upload result.

Uses the fixtures of the dashboards' browser tests (a server of its own on a temporary SQLite database with
reference data, demo data, a target and three uploads); screenshots go to var/screenshots/.
"""

from __future__ import annotations

from selenium.webdriver.common.by import By

from app.presentation import CARRIER_COLOURS
from tests.e2e.test_dashboards_browser import (  # noqa: F401  (pytest fixtures)
    SCREENSHOTS,
    _console_errors,
    _css,
    _graphs_ready,
    _kpi,
    _login,
    _settle_and_shoot,
    _text_of,
    _upload,
    _upload_keep_flags,
    _wait,
    browser,
    server,
)
from tests.integration import dashboard_data

LAYOUT_OF = "return document.querySelector('#{id} .js-plotly-plot')._fullLayout.{path};"
DATA_OF = ("return document.querySelector('#{id} .js-plotly-plot').data"
           ".map(t => [t.name, t.type, t.marker && t.marker.color, t.subplot || 'map']);")


def test_swagger_ui_renders_the_openapi_31_operations(server, browser):
    base, _url = server
    browser.get(base + "/docs")
    operations = _wait(browser, _css(".opblock"), 60)
    text = browser.find_element(By.CSS_SELECTOR, ".swagger-ui").text
    assert "Unable to render" not in text and "valid version field" not in text
    paths = {e.text for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert "/api/v1/buildings" in paths and "/api/v1/uploads" in paths
    assert len(operations) >= 20
    assert "OAS 3.1" in browser.find_element(By.CSS_SELECTOR, ".info").text
    assert _console_errors(browser) == []
    _settle_and_shoot(browser, "polish-01-docs")


def test_redoc_renders_the_operations(server, browser):
    base, _url = server
    browser.get(base + "/redoc")
    _wait(browser, _css("[data-section-id^='operation/']"), 60)
    headings = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "[data-section-id^='operation/'] h2")]
    assert len(headings) >= 20 and all(headings)
    assert "Something went wrong" not in browser.find_element(By.TAG_NAME, "body").text
    browser.save_screenshot(str(SCREENSHOTS / "polish-02-redoc.png"))


HEADERS_CUT = """
const canvas = document.createElement('canvas').getContext('2d');
return Array.from(document.querySelectorAll('.ag-header-cell-text')).filter(e => {
  canvas.font = getComputedStyle(e).font;
  const words = e.innerText.split(/\\s+/).filter(w => /^[A-Za-z0-9²³·.%/-]+$/.test(w));
  return e.scrollWidth > e.clientWidth + 1 || words.some(w => canvas.measureText(w).width > e.clientWidth + 1);
}).map(e => e.innerText);
"""
# pixels of the grid body below its last row
EMPTY_SPACE = """
const rows = document.querySelectorAll('#{id} .ag-center-cols-container .ag-row');
const body = document.querySelector('#{id} .ag-body').getBoundingClientRect();
const last = rows[rows.length - 1].getBoundingClientRect();
return body.bottom - last.bottom;
"""


def _shoot_map(driver, name: str) -> None:
    """The map card alone, once the map has drawn its boundaries."""
    import time

    driver.execute_script("document.getElementById('overview-map').scrollIntoView({block: 'center'});")
    _wait(driver, lambda d: d.execute_script(
        "return document.querySelectorAll('#overview-map canvas.maplibregl-canvas').length") >= 1)
    time.sleep(2.5)
    driver.find_element(By.ID, "overview-map").screenshot(str(SCREENSHOTS / f"{name}.png"))


def _bar_colours(driver, graph_id: str) -> dict[str, str]:
    traces = driver.execute_script(DATA_OF.format(id=graph_id))
    return {name: colour for name, kind, colour, _subplot in traces if kind == "bar"}


def test_region_page_carrier_colours_are_the_same_in_both_languages(server, browser):
    base, _url = server
    _login(browser, base, "admin", "/dashboards/region?region=110000&year=2008&method=calorific")
    _wait(browser, _graphs_ready(6), 60)
    zh = _bar_colours(browser, "region-trend")
    _settle_and_shoot(browser, "polish-03-region-zh")
    browser.get(base + "/dashboards/_lang/en")
    browser.get(base + "/dashboards/region?region=110000&year=2008&method=calorific")
    _wait(browser, _graphs_ready(6), 60)
    en = _bar_colours(browser, "region-trend")
    _wait(browser, _css("#region-worst .ag-row"))
    # no truncated column headers: every header label fits its cell and no word is broken in two
    assert browser.execute_script(HEADERS_CUT) == []
    # a short table is as tall as its rows
    assert browser.execute_script(EMPTY_SPACE.format(id="region-worst")) <= 4
    _settle_and_shoot(browser, "polish-04-region-en")
    browser.get(base + "/dashboards/_lang/zh")
    assert zh["电力"] == en["Electricity"] == CARRIER_COLOURS["electricity"]
    assert zh["天然气"] == en["Natural gas"] == CARRIER_COLOURS["natural_gas"]
    assert zh["集中供热"] == en["District heat"] == CARRIER_COLOURS["district_heat"]


def test_national_map_has_the_islands_inset_and_a_scoped_map_is_zoomed(server, browser):
    base, _url = server
    _login(browser, base, "admin")
    _wait(browser, _graphs_ready(3), 60)
    assert browser.execute_script(LAYOUT_OF.format(id="overview-map", path="map2.center.lat")) < 15
    assert browser.execute_script(LAYOUT_OF.format(id="overview-map", path="map.zoom")) < 3.5
    assert "南海诸岛" in browser.find_element(By.ID, "overview-map").text
    # a table with few rows is as tall as its rows, not a fixed block of empty space
    assert browser.execute_script(EMPTY_SPACE.format(id="overview-table")) <= 4
    _shoot_map(browser, "polish-05-map-national")

    _login(browser, base, "liaoning")
    _wait(browser, _graphs_ready(3), 60)
    zoom = browser.execute_script(LAYOUT_OF.format(id="overview-map", path="map.zoom"))
    lat = browser.execute_script(LAYOUT_OF.format(id="overview-map", path="map.center.lat"))
    lon = browser.execute_script(LAYOUT_OF.format(id="overview-map", path="map.center.lon"))
    assert zoom > 4.5 and 38 < lat < 44 and 118 < lon < 126
    assert "南海诸岛" not in browser.find_element(By.ID, "overview-map").text
    _shoot_map(browser, "polish-06-map-liaoning")


def test_quality_chart_names_findings_in_chinese(server, browser):
    base, _url = server
    _login(browser, base, "admin", "/dashboards/quality?year=2008")
    _wait(browser, _graphs_ready(3), 60)
    labels = browser.execute_script(
        "return Array.from(document.querySelector('#quality-findings .js-plotly-plot').data[0].y);")
    assert set(labels) == {"月份无效", "未知计量单位", "负数", "建筑编号不存在"}
    ticks = browser.find_element(By.ID, "quality-findings").text
    assert "未知计量单位" in ticks and "UNIT_UNKNOWN" not in ticks
    counts = browser.execute_script(
        "return Array.from(document.querySelectorAll('#quality-findings .xtick text')).map(e => e.textContent);")
    assert counts and len(counts) == len(set(counts))  # 0, 1 — not 0, 0, 0, 1, 1, 1
    assert browser.find_element(By.CSS_SELECTOR, "#kpi-accepted .kpi-unit").text == "行"
    assert _console_errors(browser) == []
    _settle_and_shoot(browser, "polish-07-quality")


def test_upload_result_links_counts_and_lists_replaced_values(server, browser):
    base, url = server
    _login(browser, base, dashboard_data.AUDITOR, "/dashboards/upload")
    status = _upload(browser, base, "consumption_corrected.csv")
    assert "全部导入" in status
    # three electricity values replaced, three district-heat months added
    assert _kpi(browser, "report-changed") == "6"
    _wait(browser, _css("#report-changed .ag-row"))
    changed = browser.execute_script(
        "return Array.from(document.querySelectorAll('#report-changed .ag-center-cols-container .ag-row'))"
        ".map(r => Array.from(r.querySelectorAll('.ag-cell')).map(c => c.innerText));")
    assert len(changed) == 3
    assert all(row[0] == "110105A901" and row[1] == "电力" for row in changed)
    assert {row[2] for row in changed} == {"2008-01", "2008-02", "2008-03"}
    assert any("180,000.00 kWh" in row[4] and "181,500.00 kWh" in row[5] for row in changed)
    saved = browser.find_element(By.ID, "report-saved-link")
    upload_id = saved.get_attribute("href").rsplit("/", 1)[1]
    assert f"#{upload_id}" in saved.text
    assert _console_errors(browser) == []
    _settle_and_shoot(browser, "polish-08-upload-changed")

    status = _upload(browser, base, "consumption_corrected.csv")
    assert "重复文件" in status
    duplicate = browser.find_element(By.ID, "report-duplicate-link")
    assert duplicate.get_attribute("href").endswith(f"/dashboards/uploads/{upload_id}")
    duplicate.click()
    _wait(browser, lambda d: d.current_url.endswith(f"/uploads/{upload_id}"))
    _wait(browser, _css("#report-changed .ag-row"))  # the saved report lists the replaced values too
    _settle_and_shoot(browser, "polish-09-saved-report")

    browser.get(base + "/dashboards/upload")
    _wait(browser, _css("#upload-file input[type=file]"))
    browser.find_element(By.XPATH, "//*[@id='upload-flags']//label[contains(., '仅校验')]").click()
    assert "校验完成" in _upload_keep_flags(browser, "consumption_bad.csv")  # loaded before: validate only
    _wait(browser, _css("#report-findings .ag-row"))
    rows = browser.execute_script(
        "return Array.from(document.querySelectorAll('#report-findings .ag-center-cols-container .ag-row'))"
        ".map(r => ({finding: r.querySelector('[col-id=finding]').innerText,"
        " severity: r.querySelector('[col-id=severity_text]').innerText,"
        " accepted: r.querySelector('[col-id=accepted]').innerText}));")
    rejected = [r for r in rows if r["severity"].startswith("错误")]
    assert len(rejected) == 4 and all(r["accepted"] for r in rejected)
    unit = next(r for r in rejected if "UNIT_UNKNOWN" in r["finding"])
    assert unit["finding"].startswith("未知计量单位") and "天然气、焦炉煤气：m³、万m³" in unit["accepted"]
    assert not any(r["severity"] in ("error", "notice", "warning") for r in rows)
    _settle_and_shoot(browser, "polish-10-upload-rejections")

    # the building's value history names the carrier, and district heat is shown in GJ
    browser.get(base + "/dashboards/buildings/110105A901")
    _wait(browser, _graphs_ready(3), 60)
    _wait(browser, _css("#building-history .ag-row"))
    carriers = browser.execute_script(
        "return Array.from(document.querySelectorAll('#building-history .ag-row [col-id=carrier]')).map(c => c.innerText);")
    assert carriers and set(carriers) == {"电力"}
    monthly = browser.find_element(By.ID, "building-monthly").text
    assert "集中供热" in monthly and "GJ" in monthly and "MJ" not in monthly
    _settle_and_shoot(browser, "polish-11-building")
