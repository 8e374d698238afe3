"""Browser login for the dashboards: the form, the cookie, logout, and the root redirect."""

from __future__ import annotations

from html import escape
from importlib import resources
from string import Template
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.api.deps import SessionDep
from app.api.errors import ApiError
from app.api.routers.auth import check_password
from app.security import TOKEN_COOKIE, create_access_token, decode_token

router = APIRouter(include_in_schema=False)
DEFAULT_NEXT = "/dashboards/"
LOGIN_TEMPLATE = Template(resources.files("app.api").joinpath("static/login.html").read_text(encoding="utf-8"))


def safe_next(value: str | None) -> str:
    """Only local absolute paths are followed after login (no open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or any(ord(c) < 32 for c in value):
        return DEFAULT_NEXT
    return value


@router.get("/", include_in_schema=False)
def root() -> RedirectResponse:
    return RedirectResponse(DEFAULT_NEXT, status_code=307)


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request,
    next: Annotated[str | None, Query(max_length=2000)] = None,
    error: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    claims = decode_token(request.cookies.get(TOKEN_COOKIE), secret_key=request.app.state.settings.secret_key)
    message = ""
    if error == "credentials":
        message = '<p class="error" role="alert">用户名或密码错误<br><span lang="en">Wrong username or password</span></p>'
    elif error == "expired":
        message = '<p class="error" role="alert">登录已过期，请重新登录<br><span lang="en">Session expired, please sign in again</span></p>'
    signed_in = ""
    if claims is not None:
        signed_in = (
            f'<p class="note">当前已登录：{escape(claims.username)}（{escape(claims.role)}）'
            f'<br><span lang="en">Signed in as {escape(claims.username)}</span></p>'
        )
    page = LOGIN_TEMPLATE.substitute(next=escape(safe_next(next), quote=True), message=message, signed_in=signed_in)
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


@router.post("/auth/login")
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    target = safe_next(next)
    try:
        user = check_password(request, session, username, password)
    except ApiError as exc:  # locked out: the form again, with 429 and Retry-After
        message = ('<p class="error" role="alert">登录失败次数过多，请稍后再试<br>'
                   '<span lang="en">Too many failed sign-ins; please try again later</span></p>')
        page = LOGIN_TEMPLATE.substitute(next=escape(target, quote=True), message=message, signed_in="")
        return HTMLResponse(page, status_code=429, headers={**exc.headers, "Cache-Control": "no-store"})
    if user is None:
        return RedirectResponse(f"/login?error=credentials&next={quote(target, safe='/')}", status_code=303)
    settings = request.app.state.settings
    token, expires_at = create_access_token(
        username=user.username,
        role=user.role,
        region_code=user.region_code,
        secret_key=settings.secret_key,
        expire_minutes=settings.token_expire_minutes,
    )
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        TOKEN_COOKIE,
        token,
        max_age=settings.token_expire_minutes * 60,
        expires=expires_at,
        path="/",
        httponly=True,
        secure=settings.is_production,
        samesite="lax",
    )
    return response


@router.post("/auth/logout")
def logout() -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="lax")
    return response


@router.get("/logout")
def logout_link() -> RedirectResponse:
    return logout()
