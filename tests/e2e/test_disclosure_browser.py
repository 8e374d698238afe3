"""The disclosure workflow and the public portal in headless Chromium against the real server.

An official of 北京 drafts the 2008 list, removes a building with a reason and submits it; the admin
approves and publishes it; an anonymous visitor then reads the public page in Chinese and English,
filters it, opens a building and moves through the page by keyboard. Screenshots go to var/screenshots/.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest
from sqlalchemy import select

from app import migrate
from app.db import make_engine, session_scope
from app.models import DisclosureItem
from app.services.users import create_user
from seeds.demo import generate
from seeds.loader import load_reference
from tests.e2e.test_dashboards_browser import (
    CHROMEDRIVER,
    CHROMIUM,
    ROOT,
    SCREENSHOTS,
    _browser_or_skip,
    _free_port,
    _wait,
)

pytestmark = pytest.mark.browser
PASSWORD = "correct-horse-battery"
REGION, YEAR = "110000", 2008


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    _browser_or_skip()
    work = tmp_path_factory.mktemp("e2e-disclosure")
    url = f"sqlite:///{work / 'jieneng.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        load_reference(session)
        generate(session, buildings_per_region=8, seed=2007)
        create_user(session=session, username="bj_official", password=PASSWORD, role="official", region_code=REGION)
        create_user(session=session, username="admin", password=PASSWORD, role="admin")
    port = _free_port()
    env = {**os.environ, "JIENENG_DATABASE_URL": url, "JIENENG_DATA_DIR": str(work / "var"),
           "JIENENG_SECRET_KEY": "e2e-secret-key-for-the-browser-tests", "PYTHONPATH": str(ROOT)}
    log = (work / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.api.main:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/disclosure/", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        process.terminate()
        raise RuntimeError((work / "server.log").read_text())
    yield base, engine
    process.terminate()
    process.wait(timeout=20)
    log.close()
    engine.dispose()


@pytest.fixture(scope="module")
def browser(portal):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--window-size=1280,900", "--lang=zh-CN"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def by_id(driver, element_id):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, element_id)


def css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def shoot(driver, name: str) -> None:
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1280, max(900, min(height + 40, 6000)))
    time.sleep(0.4)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
    driver.set_window_size(1280, 900)


def login(driver, base: str, username: str) -> None:
    driver.delete_all_cookies()
    driver.get(base + "/disclosure/manage")
    _wait(driver, lambda d: "/login" in d.current_url)
    by_id(driver, "username").send_keys(username)
    by_id(driver, "password").send_keys(PASSWORD)
    css(driver, "form button[type=submit]")[0].click()
    # the login page's own address ends with ?next=/disclosure/manage: wait until it is left
    _wait(driver, lambda d: "/login" not in d.current_url and d.current_url.endswith("/disclosure/manage"))


def status(driver) -> str:
    return by_id(driver, "status").text


def test_draft_submit_approve_publish_then_read_in_chinese_and_english(portal, browser):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    base, engine = portal
    driver = browser
    assert httpx.get(f"{base}/disclosure/{REGION}/{YEAR}").status_code == 404  # nothing public yet

    # the official drafts, removes one building with a reason, and submits
    login(driver, base, "bj_official")
    Select(by_id(driver, "m-region")).select_by_value(REGION)
    year = by_id(driver, "m-year")
    year.clear()
    year.send_keys(str(YEAR))
    by_id(driver, "draft").click()
    _wait(driver, lambda d: f"/disclosure/manage/{REGION}/{YEAR}" in d.current_url)
    assert status(driver) == "draft"
    rows = css(driver, "tbody tr")
    assert len(rows) >= 3
    removed_code = rows[0].find_elements("css selector", "td")[0].text
    removed_name = rows[0].find_elements("css selector", "td")[1].text
    reason = rows[0].find_element("css selector", "input[name=reason]")
    reason.send_keys("面积待核实 floor area under review")
    rows[0].find_element("css selector", "button").click()
    _wait(driver, lambda d: "done=entries" in d.current_url)
    assert "面积待核实" in css(driver, "tbody tr")[0].text
    shoot(driver, "disclosure-manage-draft")
    by_id(driver, "submit").click()
    _wait(driver, lambda d: "done=submit" in d.current_url)
    assert status(driver) == "submitted"
    # the button is shown, but the submitter is refused:
    by_id(driver, "approve").click()
    _wait(driver, lambda d: "error=" in d.current_url)
    assert "submitter" in by_id(driver, "error").text
    assert status(driver) == "submitted"

    # the admin approves and publishes
    login(driver, base, "admin")
    driver.get(f"{base}/disclosure/manage/{REGION}/{YEAR}")
    _wait(driver, lambda d: css(d, "#approve"))
    by_id(driver, "approve").click()
    _wait(driver, lambda d: "done=approve" in d.current_url)
    assert status(driver) == "approved"
    by_id(driver, "publish").click()
    _wait(driver, lambda d: "done=publish" in d.current_url)
    assert status(driver) == "published"
    shoot(driver, "disclosure-manage-published")

    # an anonymous visitor reads the public page in Chinese
    driver.delete_all_cookies()
    driver.get(f"{base}/disclosure/")
    assert driver.find_element("css selector", "html").get_attribute("lang") == "zh-CN"
    css(driver, f"a[href='/disclosure/{REGION}/{YEAR}']")[0].click()
    _wait(driver, lambda d: d.current_url.endswith(f"/disclosure/{REGION}/{YEAR}"))
    heading = driver.find_element("css selector", "h1").text
    assert heading == f"北京 {YEAR}"
    with session_scope(engine) as session:
        published = session.scalars(select(DisclosureItem)).all()
    assert css(driver, "p[role=status]")[0].text == f"共 {len(published)} 栋建筑"
    body = driver.find_element("css selector", "main").text
    assert removed_name not in body and removed_code not in body
    assert "单位面积能耗 kWh/(m²·a)" in body and "较上年变化（可比口径）" in body
    badges = css(driver, "span.status")
    assert badges and all(b.text for b in badges)
    colours = {b.value_of_css_property("background-color") for b in badges}
    assert all(c != "rgba(0, 0, 0, 0)" for c in colours)
    first = published[0]
    assert f"{first.energy_kwh_m2:,.1f}" in body
    shoot(driver, "disclosure-public-zh")

    # keyboard: the first Tab reaches the skip link, Enter moves to the content
    driver.find_element("css selector", "body").send_keys(Keys.TAB)
    active = driver.switch_to.active_element
    assert active.get_attribute("class") == "skip"
    active.send_keys(Keys.ENTER)
    assert driver.switch_to.active_element.get_attribute("id") == "main"

    # filter by status with the keyboard-usable form
    Select(by_id(driver, "f-status")).select_by_value("above_constraint")
    css(driver, "form.filters button[type=submit]")[0].click()
    _wait(driver, lambda d: "status=above_constraint" in d.current_url)
    expected = sum(1 for i in published if i.benchmark_status == "above_constraint")
    assert css(driver, "p[role=status]")[0].text == f"共 {expected} 栋建筑"

    # English
    by_id(driver, "lang-switch").click()
    _wait(driver, lambda d: "lang=en" in d.current_url)
    assert driver.find_element("css selector", "html").get_attribute("lang") == "en"
    assert "status=above_constraint" in driver.current_url
    body = driver.find_element("css selector", "main").text
    assert f"{expected} buildings" in body
    driver.get(f"{base}/disclosure/{REGION}/{YEAR}?lang=en")
    body = driver.find_element("css selector", "main").text
    assert "Beijing 2008" in body and "Intensity kWh/(m²·a)" in body and "Change vs last year (like-for-like)" in body
    assert "version 1" in body
    shoot(driver, "disclosure-public-en")

    # a building's page
    css(driver, "tbody tr a")[0].click()
    _wait(driver, lambda d: "/disclosure/110000/2008/" in d.current_url)
    facts = driver.find_element("css selector", "dl.facts").text
    assert "Intensity kgce/(m²·a)" in facts and "Status (GB/T 51161)" in facts
    shoot(driver, "disclosure-building-en")
    assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
