"""The dashboards in headless Chromium against the real server: login, every page, figures, console, uploads.

Runs ``jieneng``'s ASGI app (uvicorn in a subprocess) on a temporary SQLite database filled with reference
data, demo data, a target and three uploads. Screenshots of every page go to var/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from app.db import make_engine, session_scope
from app.services.targets import target_progress
from app.services.users import create_user
from tests.expected import region_totals
from tests.integration import dashboard_data

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
PASSWORD = "correct-horse-battery"
USERS = (("admin", "admin", None), ("liaoning", "official", "210000"), (dashboard_data.AUDITOR, "auditor", None))


def _browser_or_skip() -> None:
    if Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists():
        return
    if os.environ.get("JIENENG_REQUIRE_BROWSER"):
        pytest.fail(f"JIENENG_REQUIRE_BROWSER is set but chromium/chromedriver are missing ({CHROMIUM}, {CHROMEDRIVER})")
    pytest.skip("headless Chromium not installed (apt-get install chromium chromium-driver)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Base URL of a running server and its database URL."""
    _browser_or_skip()
    work = tmp_path_factory.mktemp("e2e")
    url = f"sqlite:///{work / 'jieneng.db'}"
    dashboard_data.build(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        for username, role, region in USERS:
            create_user(session=session, username=username, password=PASSWORD, role=role, region_code=region)
    engine.dispose()
    port = _free_port()
    env = {**os.environ, "JIENENG_DATABASE_URL": url, "JIENENG_DATA_DIR": str(work / "var"),
           "JIENENG_SECRET_KEY": "e2e-secret-key-for-the-browser-tests", "PYTHONPATH": str(ROOT)}
    log = (work / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.api.main:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/login", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        process.terminate()
        raise RuntimeError((work / "server.log").read_text())
    yield base, url
    process.terminate()
    process.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def browser(server):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--window-size=1440,1000",
                 "--enable-unsafe-swiftshader", "--lang=zh-CN"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def _wait(driver, condition, timeout: float = 30.0):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(condition)


def _css(selector):
    from selenium.webdriver.common.by import By

    return lambda d: d.find_elements(By.CSS_SELECTOR, selector)


def _text_of(driver, selector: str) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector).text


def _login(driver, base: str, username: str, path: str = "/dashboards/") -> None:
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(base + path)
    _wait(driver, lambda d: "/login" in d.current_url)
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit], form input[type=submit]").click()
    _wait(driver, lambda d: "/dashboards" in d.current_url)
    driver.get_log("browser")  # forget the login page's messages


def _graphs_ready(count: int):
    """At least ``count`` Plotly graphs drawn and no loading spinner left."""
    def ready(driver):
        drawn = driver.execute_script(
            "return Array.from(document.querySelectorAll('.js-plotly-plot')).filter(g => g._fullLayout).length;")
        loading = driver.execute_script("return document.querySelectorAll('[data-dash-is-loading=\"true\"]').length;")
        return drawn >= count and loading == 0
    return ready


def _settle_and_shoot(driver, name: str) -> None:
    time.sleep(0.8)
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1440, max(900, min(height + 40, 7000)))
    time.sleep(0.8)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
    driver.set_window_size(1440, 1000)


def _console_errors(driver) -> list[dict]:
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def _kpi(driver, kpi_id: str) -> str:
    return _text_of(driver, f"#{kpi_id} .kpi-value")


def _services(url: str, fn):
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return fn(session)
    finally:
        engine.dispose()


def test_anonymous_visitor_is_sent_to_login(server):
    base, _url = server
    response = httpx.get(base + "/dashboards/region?year=2008", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/dashboards/region")


def test_admin_sees_every_page_with_the_services_figures(server, browser):
    base, url = server
    _login(browser, base, "admin")
    _wait(browser, _graphs_ready(3), 60)
    # expectations summed here from the stored consumption records
    nation = _services(url, lambda s: region_totals(s, year=2008, region_code="000000"))
    assert nation.buildings_complete > 0
    assert _kpi(browser, "kpi-buildings") == f"{nation.buildings_reporting:,}"
    assert _kpi(browser, "kpi-energy") == f"{nation.kgce_calorific / 1000:,.0f}"
    progress = _services(url, lambda s: target_progress(session=s, year=2008))
    saving = progress[progress.region_code == "000000"].saving_kgce.iloc[0]
    assert _kpi(browser, "kpi-saving") == f"{saving / 1000:,.0f}"
    # the filters were written into the URL, so this link reproduces the view
    assert "year=2008" in browser.current_url and "method=calorific" in browser.current_url
    assert browser.execute_script("return document.querySelectorAll('.ag-row').length") > 0
    assert _console_errors(browser) == []
    _settle_and_shoot(browser, "01-overview")

    # each page: its graphs, a marker element, and a text that only the right content shows
    pages = [
        ("02-region", "/dashboards/region?region=210000&year=2008&method=calorific", 6, "#region-largest .ag-row",
         "#region-title", "辽宁"),
        ("03-building", "/dashboards/buildings/110105A901", 3, "#building-uploads .ag-row", "body", "110105A901"),
        ("04-targets", "/dashboards/targets?year=2008", 0, "#targets-grid .ag-row", "#targets-grid", "辽宁"),
        ("05-quality", "/dashboards/quality?year=2008", 3, "#quality-uploads-grid .ag-row", "#quality-uploads-grid",
         "consumption_good.csv"),
        ("06-upload", "/dashboards/upload", 0, "#upload-file", "body", "CSV"),
        ("07-reports", "/dashboards/reports", 0, "#report-download-btn", "body", "2008"),
    ]
    for name, path, graphs, marker, where, text in pages:
        browser.get(base + path)
        _wait(browser, _graphs_ready(graphs), 60)
        _wait(browser, _css(marker), 30)
        assert text in _text_of(browser, where), (name, text)
        assert _console_errors(browser) == [], name
        _settle_and_shoot(browser, name)
    # region page: the title and the largest consumer match the indicators
    browser.get(base + "/dashboards/region?region=210000&year=2008")
    _wait(browser, _graphs_ready(6), 60)
    assert _text_of(browser, "#region-title") == "辽宁 · 2008"


def test_filter_values_come_from_the_url(server, browser):
    base, url = server
    _login(browser, base, "admin", "/dashboards/?year=2007&method=generation")
    _wait(browser, _graphs_ready(3), 60)
    nation = _services(url, lambda s: region_totals(s, year=2007, region_code="000000"))
    assert _kpi(browser, "kpi-energy") == f"{nation.kgce_generation / 1000:,.0f}"
    assert "2007" in _text_of(browser, ".dd-year")
    assert "method=generation" in browser.current_url


def test_language_switch_to_english(server, browser):
    base, _url = server
    _login(browser, base, "admin")
    _wait(browser, _graphs_ready(3), 60)
    browser.find_element("id", "lang-switch").click()
    _wait(browser, lambda d: "National overview" in d.page_source)
    _wait(browser, _graphs_ready(3), 60)
    assert _text_of(browser, "#lang-switch") == "中文"
    assert "Buildings reporting" in _text_of(browser, "#kpi-buildings")
    assert _console_errors(browser) == []
    _settle_and_shoot(browser, "08-overview-en")
    browser.find_element("id", "lang-switch").click()
    _wait(browser, lambda d: "全国概览" in d.page_source)


def test_official_is_limited_to_their_region(server, browser):
    base, url = server
    _login(browser, base, "liaoning")
    _wait(browser, _graphs_ready(3), 60)
    assert _text_of(browser, ".page-title") == "辽宁"
    assert not browser.find_elements("id", "nav-upload")
    liaoning = _services(url, lambda s: region_totals(s, year=2008, region_code="210000"))
    assert _kpi(browser, "kpi-buildings") == f"{liaoning.buildings_reporting:,}"
    browser.get(base + "/dashboards/upload")
    _wait(browser, _css("#upload-forbidden"))
    browser.get(base + "/dashboards/region?region=110000")
    _wait(browser, _graphs_ready(6), 60)
    assert _text_of(browser, "#region-title").startswith("辽宁")
    assert _console_errors(browser) == []


def _upload(browser, base: str, filename: str) -> str:
    from selenium.webdriver.common.by import By

    browser.get(base + "/dashboards/upload")
    _wait(browser, _css("#upload-file input[type=file]"))
    browser.find_element(By.CSS_SELECTOR, "#upload-file input[type=file]").send_keys(str(dashboard_data.DATA / filename))
    _wait(browser, lambda d: filename in d.find_element(By.ID, "upload-chosen").text)
    browser.find_element(By.ID, "upload-start").click()
    _wait(browser, _css("#report-status"), 60)
    return _text_of(browser, "#report-status")


def test_auditor_uploads_a_good_and_a_bad_file(server, browser):
    from selenium.webdriver.common.by import By

    base, _url = server
    _login(browser, base, dashboard_data.AUDITOR, "/dashboards/upload")
    # the same content was loaded when the database was built, so it is recognised as a duplicate
    status = _upload(browser, base, "consumption_good.csv")
    assert "重复文件" in status
    status = _upload(browser, base, "consumption_gas_2008.csv")
    assert "全部导入" in status
    assert _kpi(browser, "report-accepted") == "12" and _kpi(browser, "report-rejected") == "0"
    assert _console_errors(browser) == []
    _settle_and_shoot(browser, "09-upload-good")
    # the new gas figures show on the building's page
    browser.get(base + "/dashboards/buildings/210102C901")
    _wait(browser, _graphs_ready(3), 60)
    assert "天然气" in browser.find_element(By.ID, "building-monthly").text

    browser.get(base + "/dashboards/upload")
    _wait(browser, _css("#upload-file input[type=file]"))
    browser.find_element(By.XPATH, "//*[@id='upload-flags']//label[contains(., '仅校验')]").click()
    status = _upload_keep_flags(browser, "consumption_bad.csv")
    assert "校验完成" in status
    assert _kpi(browser, "report-rejected") == "4"
    _wait(browser, _css("#report-findings .ag-row"))
    codes = browser.execute_script(
        "return Array.from(document.querySelectorAll('#report-findings .ag-row [col-id=finding]')).map(c => c.innerText);")
    assert sorted(c.rsplit("(", 1)[1].rstrip(")") for c in codes) == [
        "BUILDING_UNKNOWN", "MONTH_OUT_OF_RANGE", "NEGATIVE", "UNIT_UNKNOWN"]
    assert browser.find_element(By.ID, "upload-download-btn").is_enabled()
    assert _console_errors(browser) == []
    _settle_and_shoot(browser, "10-upload-bad")


def _upload_keep_flags(browser, filename: str) -> str:
    from selenium.webdriver.common.by import By

    browser.find_element(By.CSS_SELECTOR, "#upload-file input[type=file]").send_keys(str(dashboard_data.DATA / filename))
    _wait(browser, lambda d: filename in d.find_element(By.ID, "upload-chosen").text)
    previous = browser.find_elements(By.ID, "report-status")
    browser.find_element(By.ID, "upload-start").click()
    if previous:
        _wait(browser, lambda d: filename in d.find_element(By.CSS_SELECTOR, "#upload-result .card-title").text, 60)
    _wait(browser, _css("#report-status"), 60)
    return _text_of(browser, "#report-status")


def test_stored_report_page_from_quality(server, browser):
    from selenium.webdriver.common.by import By

    base, _url = server
    _login(browser, base, "admin", "/dashboards/quality?year=2008")
    _wait(browser, _graphs_ready(3), 60)
    link = _wait(browser, lambda d: [a for a in d.find_elements(By.CSS_SELECTOR, "#quality-uploads-grid a")
                                     if a.get_attribute("href") and "/uploads/" in a.get_attribute("href")])
    target = [a for a in link if a.get_attribute("href")][-1].get_attribute("href")
    browser.get(target)
    _wait(browser, _css("#report-status"))
    assert _console_errors(browser) == []
    _settle_and_shoot(browser, "11-stored-report")
