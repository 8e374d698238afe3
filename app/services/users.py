"""Platform users: creation, lookup and password authentication."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Region, User
from app.security import ROLES, hash_password, needs_rehash, verify_password

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
# Verified against when the user is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = hash_password("jieneng-no-such-user")


class UserError(ValueError):
    """A user cannot be created as asked (bad name, role or region, or name taken)."""


def get_user(*, session: Session, username: str) -> User | None:
    """The user with this name, or None."""
    return session.scalar(select(User).where(User.username == username))


def list_users(*, session: Session) -> list[User]:
    """All users ordered by name."""
    return list(session.scalars(select(User).order_by(User.username)))


def create_user(
    *, session: Session, username: str, password: str, role: str, region_code: str | None = None
) -> User:
    """Add a user with an argon2-hashed password; region_code None is a national scope."""
    if not USERNAME_PATTERN.fullmatch(username):
        raise UserError(f"用户名无效 / invalid username: {username!r} (2-64 letters, digits, _ . @ -)")
    if role not in ROLES:
        raise UserError(f"角色无效 / invalid role: {role!r} (one of {', '.join(ROLES)})")
    if len(password) < 8:
        raise UserError("密码至少 8 个字符 / password needs at least 8 characters")
    if region_code == "000000":
        region_code = None
    if region_code is not None and session.get(Region, region_code) is None:
        raise UserError(f"地区代码不存在 / unknown region code: {region_code!r}")
    if get_user(session=session, username=username) is not None:
        raise UserError(f"用户已存在 / user already exists: {username!r}")
    user = User(
        username=username, password_hash=hash_password(password), role=role, region_code=region_code, is_active=True
    )
    session.add(user)
    session.flush()
    return user


def authenticate(*, session: Session, username: str, password: str) -> User | None:
    """The active user when the password matches, else None; upgrades outdated hashes."""
    user = get_user(session=session, username=username)
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not user.is_active or not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.flush()
    return user


# One account per role for the demo: national admin, an official of 辽宁, an auditor of 沈阳.
DEMO_USERS = (("demo_admin", "admin", None), ("demo_official", "official", "210000"), ("demo_auditor", "auditor", "210100"))


def ensure_demo_users(*, session: Session, passwords: dict[str, str] | None = None) -> list[tuple[str, str, str | None, str]]:
    """Create or update the demo accounts; returns (username, role, region, password).

    A password given in ``passwords`` (by username) is kept; the other accounts get a fresh random one.
    """
    import secrets

    passwords = passwords or {}
    credentials = []
    for username, role, region_code in DEMO_USERS:
        password = passwords.get(username) or secrets.token_urlsafe(9)
        user = get_user(session=session, username=username)
        if user is None:
            create_user(session=session, username=username, password=password, role=role, region_code=region_code)
        else:
            if not verify_password(user.password_hash, password):
                user.password_hash = hash_password(password)
            user.role, user.region_code, user.is_active = role, region_code, True
        credentials.append((username, role, region_code, password))
    session.flush()
    return credentials
