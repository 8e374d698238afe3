"""The dashboards are served under /dashboards by the same application, behind the API's login."""

from __future__ import annotations

from starlette.routing import Mount

from dashboards import create_dash
from tests.integration.api.conftest import World


def test_dashboards_are_mounted_behind_the_login(world: World):
    assert callable(create_dash)
    mounts = [r for r in world.client.app.routes if isinstance(r, Mount) and r.path == "/dashboards"]
    assert len(mounts) == 1
    # no login cookie: the dashboards send the browser to the API's login page
    response = world.client.get("/dashboards/", follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"].startswith("/login?next=")
    world.client.post("/auth/login", data={"username": "official", "password": "correct horse battery"})
    page = world.client.get("/dashboards/", follow_redirects=False)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "react-entry-point" in page.text and "_dash-config" in page.text
