"""The mapping step in headless Chromium: two headers corrected in the page, the profile saved, and a second
file uploaded with it."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from app.db import make_engine
from app.models import Building, ConsumptionRecord, MappingProfile
from tests.e2e.test_dashboards_browser import (  # noqa: F401 - module fixtures
    _console_errors,
    _css,
    _login,
    _settle_and_shoot,
    _text_of,
    _wait,
    browser,
    server,
)
from tests.integration import dashboard_data

pytestmark = pytest.mark.browser
HEADER = "楼宇编码,统计月份,能源品种,用量,单位\n"


def _file(tmp_path, name: str, months: range) -> str:
    body = "".join(f"110105A901,2011-{m:02d},电力,{1000 * m},kWh\n" for m in months)
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


def _field_dropdown(index: int) -> str:
    return "[id='" + json.dumps({"index": index, "type": "map-field"}, separators=(",", ":")) + "']"


def _choose(browser, index: int, value: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.find_element(By.CSS_SELECTOR, _field_dropdown(index)).click()
    time.sleep(0.3)
    browser.switch_to.active_element.send_keys(value)
    time.sleep(0.3)
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    _wait(browser, lambda d: _fields_shown(d, [""] * index + [value]))


def _fields_shown(browser, expected: list[str]) -> bool:
    """The first field dropdowns show ``expected`` (False while the step is being drawn again)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By

    try:
        return all(value in browser.find_element(By.CSS_SELECTOR, _field_dropdown(i)).text
                   for i, value in enumerate(expected))
    except (NoSuchElementException, StaleElementReferenceException):
        return False


def _choose_file(browser, base: str, path: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(base + "/dashboards/upload")
    _wait(browser, _css("#upload-file input[type=file]"))
    browser.find_element(By.CSS_SELECTOR, "#upload-file input[type=file]").send_keys(path)
    _wait(browser, _css("#mapping-table"), 60)


def test_headers_corrected_in_the_page_saved_and_reused(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    base, url = server
    _login(browser, base, dashboard_data.AUDITOR, "/dashboards/upload")
    first = _file(tmp_path, "export_jan_jun.csv", range(1, 7))
    _choose_file(browser, base, first)
    # neither header is recognised: the page names the likely fields
    assert "building_code" in _text_of(browser, "#mapping-row-0") and "period" in _text_of(browser, "#mapping-row-1")
    _choose(browser, 0, "building_code")
    _choose(browser, 1, "period")
    browser.find_element(By.ID, "mapping-name").send_keys("楼宇平台导出")
    browser.find_element(By.ID, "mapping-save-btn").click()
    _wait(browser, lambda d: "楼宇平台导出" in d.find_element(By.ID, "mapping-save-msg").text)
    browser.find_element(By.ID, "upload-start").click()
    _wait(browser, _css("#report-status"), 60)
    assert "全部导入" in _text_of(browser, "#report-status")
    _settle_and_shoot(browser, "11-mapping-step")

    second = _file(tmp_path, "export_jul_dec.csv", range(7, 13))
    _choose_file(browser, base, second)
    saved = browser.find_element(By.ID, "mapping-saved")
    saved.click()
    time.sleep(0.3)
    browser.switch_to.active_element.send_keys("楼宇平台导出")
    time.sleep(0.3)
    from selenium.webdriver.common.keys import Keys

    browser.switch_to.active_element.send_keys(Keys.ENTER)
    _wait(browser, lambda d: "楼宇平台导出" in _text_of(d, "#mapping-saved"))
    _wait(browser, lambda d: _fields_shown(d, ["building_code", "period"]))
    browser.find_element(By.ID, "upload-start").click()
    _wait(browser, _css("#report-status"), 60)
    assert "全部导入" in _text_of(browser, "#report-status")
    assert _console_errors(browser) == []

    engine = make_engine(url)
    with engine.connect() as conn:
        building = conn.execute(select(Building.id).where(Building.code == "110105A901")).scalar_one()
        months = conn.execute(select(ConsumptionRecord.month, ConsumptionRecord.quantity).where(
            ConsumptionRecord.building_id == building, ConsumptionRecord.year == 2011,
            ConsumptionRecord.carrier_code == "electricity", ConsumptionRecord.sub_item == "")).all()
        profile = conn.execute(select(MappingProfile.spec).where(MappingProfile.name == "楼宇平台导出")).scalar_one()
    engine.dispose()
    assert sorted(months) == [(m, 1000.0 * m) for m in range(1, 13)]
    assert profile["fields"] == {"building_code": {"column": "楼宇编码"}, "period": {"column": "统计月份"}}
