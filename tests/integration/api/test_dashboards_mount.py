"""The dashboards are served under /dashboards by the same application once the package provides them."""

from __future__ import annotations

import importlib

from starlette.routing import Mount

from tests.integration.api.conftest import World


def test_dashboards_mounted_when_available(world: World):
    mounts = [r for r in world.client.app.routes if isinstance(r, Mount) and r.path == "/dashboards"]
    provides = hasattr(importlib.import_module("dashboards"), "create_dash")
    assert len(mounts) == (1 if provides else 0)
    response = world.client.get("/dashboards/", follow_redirects=False)
    if provides:
        # no login cookie: the dashboards send the browser to the API's login page
        assert response.status_code in (302, 303, 307)
        assert response.headers["location"].startswith("/login?next=")
        world.client.post("/auth/login", data={"username": "official", "password": "correct horse battery"})
        page = world.client.get("/dashboards/", follow_redirects=False)
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    else:
        assert response.status_code == 404
