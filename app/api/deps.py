"""Request dependencies: the database session (one transaction per request) and the current user."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from app.api.errors import ApiError
from app.security import TOKEN_COOKIE, decode_token
from app.services.users import get_user

TOKEN_URL = "/api/v1/auth/token"
oauth2_scheme = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)


def get_session(request: Request) -> Iterator[Session]:
    """A session whose transaction commits when the endpoint returns and rolls back on error."""
    session = request.app.state.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


@dataclass(frozen=True, slots=True)
class CurrentUser:
    """The authenticated caller; region_code None is a national scope."""

    username: str
    role: str
    region_code: str | None


def _unauthenticated(detail_zh: str, detail_en: str) -> ApiError:
    return ApiError(401, detail_zh, detail_en, kind="unauthenticated", headers={"WWW-Authenticate": "Bearer"})


def get_current_user(
    request: Request, session: SessionDep, bearer: Annotated[str | None, Depends(oauth2_scheme)]
) -> CurrentUser:
    """The user named by the bearer token or the login cookie; role and scope as stored now."""
    token = bearer or request.cookies.get(TOKEN_COOKIE)
    if not token:
        raise _unauthenticated("需要登录", "authentication required")
    claims = decode_token(token, secret_key=request.app.state.settings.secret_key)
    if claims is None:
        raise _unauthenticated("令牌无效或已过期", "invalid or expired token")
    user = get_user(session=session, username=claims.username)
    if user is None or not user.is_active:
        raise _unauthenticated("用户不存在或已停用", "unknown or deactivated user")
    return CurrentUser(username=user.username, role=user.role, region_code=user.region_code)


UserDep = Annotated[CurrentUser, Depends(get_current_user)]


def require_roles(*roles: str) -> Callable[[CurrentUser], CurrentUser]:
    """A dependency admitting only the given roles (403 for the others)."""

    def dependency(user: UserDep) -> CurrentUser:
        if user.role not in roles:
            raise ApiError(
                403,
                f"角色 {user.role} 无权执行此操作",
                f"role {user.role} may not do this (needs {' or '.join(roles)})",
                kind="forbidden-role",
            )
        return user

    return dependency


AdminDep = Annotated[CurrentUser, Depends(require_roles("admin"))]
UploaderDep = Annotated[CurrentUser, Depends(require_roles("admin", "auditor"))]
