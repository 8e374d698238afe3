"""Tokens (OAuth2 password flow), the current user, and user administration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from app.api.deps import AdminDep, SessionDep, UserDep
from app.api.errors import ApiError, problem_responses
from app.api.schemas import MeOut, TokenOut, UserIn, UserOut
from app.models import Region
from app.security import create_access_token
from app.services import logins
from app.services import users as users_service

router = APIRouter(tags=["auth"])


@router.post(
    "/auth/token",
    response_model=TokenOut,
    summary="Obtain a bearer token (OAuth2 password flow) / 获取访问令牌",
    responses=problem_responses(400, 401, 422, 429),
)
def issue_token(
    request: Request, session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenOut:
    user = check_password(request, session, form.username, form.password)
    if user is None:
        raise ApiError(
            401, "用户名或密码错误", "wrong username or password", kind="bad-credentials", headers={"WWW-Authenticate": "Bearer"}
        )
    settings = request.app.state.settings
    token, expires_at = create_access_token(
        username=user.username,
        role=user.role,
        region_code=user.region_code,
        secret_key=settings.secret_key,
        expire_minutes=settings.token_expire_minutes,
    )
    expires_in = int((expires_at - datetime.now(UTC)).total_seconds())
    return TokenOut(access_token=token, expires_at=expires_at, expires_in=expires_in)


def login_policy(settings) -> logins.Policy:
    return logins.Policy(max_failures_account=settings.login_max_failures,
                         max_failures_address=settings.login_max_failures_per_address, window_s=settings.login_window_s,
                         lockout_s=settings.login_lockout_s, lockout_max_s=settings.login_lockout_max_s)


def too_many_attempts(wait: int) -> ApiError:
    return ApiError(429, f"登录失败次数过多，请 {wait} 秒后再试", f"too many failed sign-ins; try again in {wait} s",
                    kind="too-many-attempts", headers={"Retry-After": str(wait)})


def check_password(request: Request, session, username: str, password: str):
    """The user when the password matches; 429 while the account or address is locked. Failures are committed."""
    address = request.client.host if request.client else None
    wait = logins.retry_after(session=session, username=username, address=address)
    if wait:
        logins.logger.warning("login refused while locked: account %r from %s (%d s left)", username[:64], address, wait)
        raise too_many_attempts(wait)
    user = None
    if users_service.USERNAME_PATTERN.fullmatch(username):
        user = users_service.authenticate(session=session, username=username, password=password)
    if user is None:
        logins.logger.info("failed sign-in: account %r from %s", username[:64], address)
        logins.record_failure(session=session, username=username, address=address,
                              policy=login_policy(request.app.state.settings))
        session.commit()  # the request ends in an error, which would roll the count back
        return None
    logins.record_success(session=session, username=username)
    return user


@router.get("/me", response_model=MeOut, summary="The current user / 当前用户", responses=problem_responses(401))
def me(user: UserDep, session: SessionDep) -> MeOut:
    region = session.get(Region, user.region_code) if user.region_code else None
    return MeOut(
        username=user.username,
        role=user.role,
        region_code=user.region_code,
        region_name_zh=region.name_zh if region else None,
        region_name_en=region.name_en if region else None,
    )


@router.get(
    "/users", response_model=list[UserOut], summary="List users (admin) / 用户列表", responses=problem_responses(401, 403)
)
def list_users(_: AdminDep, session: SessionDep) -> list[UserOut]:
    return [UserOut.model_validate(u) for u in users_service.list_users(session=session)]


@router.post(
    "/users",
    response_model=UserOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create a user (admin) / 新建用户",
    responses=problem_responses(400, 401, 403, 409, 422),
)
def create_user(body: UserIn, _: AdminDep, session: SessionDep) -> UserOut:
    if users_service.get_user(session=session, username=body.username) is not None:
        raise ApiError(409, "用户已存在", f"user {body.username!r} already exists", kind="user-exists")
    try:
        user = users_service.create_user(session=session, **body.model_dump())
    except users_service.UserError as exc:
        raise ApiError(422, "无法创建用户", str(exc), kind="invalid-user") from exc
    return UserOut.model_validate(user)
