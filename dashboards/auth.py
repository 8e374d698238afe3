"""Who is looking: the signed-in user from the API's token cookie, and what region they may see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import flask

TOKEN_COOKIE = "jieneng_token"
NATION = "000000"
UPLOAD_ROLES = frozenset({"admin", "auditor"})


@dataclass(frozen=True, slots=True)
class Viewer:
    """A signed-in user; region_code None means national scope."""

    username: str
    role: str
    region_code: str | None = None

    @property
    def may_upload(self) -> bool:
        return self.role in UPLOAD_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may_see(self, region_code: str | None) -> bool:
        """Whether this user's scope covers ``region_code`` (None or the nation means everything)."""
        if self.region_code is None or self.region_code == NATION:
            return True
        if region_code is None or region_code == NATION:
            return False
        return region_contains(self.region_code, region_code)

    def region_for(self, requested: str | None) -> str | None:
        """The region a view shows: the request if in scope, else the user's own region (None = nation)."""
        requested = None if requested in (None, "", NATION) else requested
        if self.may_see(requested):
            return requested
        return self.region_code


def region_contains(outer: str, inner: str) -> bool:
    """Membership by code prefix: a province holds codes with its 2 digits, a city those with its 4."""
    if outer == NATION:
        return True
    if outer.endswith("0000"):
        return inner.startswith(outer[:2])
    if outer.endswith("00"):
        return inner.startswith(outer[:4])
    return inner == outer


def viewer_from_token_cookie(request: flask.Request) -> Viewer | None:
    """Decode the API's ``jieneng_token`` cookie with ``app.security.decode_token``."""
    token = request.cookies.get(TOKEN_COOKIE)
    if not token:
        return None
    try:
        from app.security import decode_token
    except ImportError:
        return None
    claims = decode_token(token)
    if claims is None:
        return None
    return Viewer(username=claims.username, role=claims.role, region_code=claims.region_code or None)


Authenticator = Callable[[flask.Request], Viewer | None]


def install(server: flask.Flask, authenticate: Authenticator) -> None:
    """Require a signed-in user for every request of the dashboards' Flask server."""

    @server.before_request
    def _require_login() -> flask.Response | None:
        viewer = authenticate(flask.request)
        if viewer is not None:
            flask.g.viewer = viewer
            return None
        request = flask.request
        if request.method != "GET" or request.path.startswith("/_dash-"):
            return flask.Response('{"title": "Unauthorized", "status": 401}', status=401, mimetype="application/problem+json")
        target = request.script_root + request.full_path.rstrip("?")
        return flask.redirect("/login?next=" + quote(target, safe="/"), code=303)


def current_viewer() -> Viewer:
    """The user of the current request (set by the login check)."""
    viewer = flask.g.get("viewer")
    if viewer is None:
        raise PermissionError("no signed-in user")
    return viewer
