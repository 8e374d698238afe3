"""What a person sees, in headless Chromium: the API documentation, Chinese labels, colours, map, upload result.

Shares the dashboards' browser-test server (a temporary SQLite database with reference data, demo data, a
target and three uploads); screenshots go to var/screenshots/.
"""

from __future__ import annotations

from selenium.webdriver.common.by import By

from tests.e2e.test_dashboards_browser import (  # noqa: F401  (pytest fixtures)
    SCREENSHOTS,
    _console_errors,
    _css,
    _login,
    _settle_and_shoot,
    _wait,
    browser,
    server,
)


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
