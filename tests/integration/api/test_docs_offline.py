"""The API documentation pages (Swagger UI, ReDoc) and the favicon load nothing from the internet."""

import re

from tests.integration.api.conftest import World


def _no_external_assets(html: str) -> None:
    external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", html)
    assert external == [], external


def test_swagger_ui_is_served_locally(world: World):
    for path in ("/docs", "/api/v1/docs"):
        page = world.client.get(path)
        assert page.status_code == 200 and "swagger-ui" in page.text
        _no_external_assets(page.text)
    script = world.client.get("/api/v1/docs-static/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
    # Swagger UI 5 is the first major version that renders OpenAPI 3.1
    assert re.search(rb'version:"?5\.\d+|"5\.\d+\.\d+"', script.content)


def test_redoc_is_served_locally(world: World):
    for path in ("/redoc", "/api/v1/redoc"):
        page = world.client.get(path)
        assert page.status_code == 200 and "<redoc" in page.text
        _no_external_assets(page.text)
    script = world.client.get("/api/v1/docs-static/redoc.standalone.js")
    assert script.status_code == 200 and len(script.content) > 100_000


def test_openapi_schema_at_both_paths(world: World):
    short = world.client.get("/openapi.json")
    long = world.client.get("/api/v1/openapi.json")
    assert short.status_code == long.status_code == 200
    assert short.json() == long.json()
    assert short.json()["openapi"].startswith("3.1")
    assert "/api/v1/buildings" in short.json()["paths"]


def test_favicon(world: World):
    icon = world.client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
