"""The API documentation page and the favicon load nothing from the internet."""

import re

from tests.integration.api.conftest import World


def test_swagger_ui_is_served_locally(world: World):
    for path in ("/docs", "/api/v1/docs"):
        page = world.client.get(path)
        assert page.status_code == 200 and "swagger-ui" in page.text
        external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", page.text)
        assert external == [], external
    script = world.client.get("/api/v1/docs-static/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000


def test_favicon(world: World):
    icon = world.client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
