"""Password hashing (argon2) and signed, expiring access tokens (JWT, HS256)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.config import get_settings

TOKEN_COOKIE = "jieneng_token"
ALGORITHM = "HS256"
ROLES = ("admin", "official", "auditor")

_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a valid token says about its holder; region_code None is a national scope."""

    username: str
    role: str
    region_code: str | None
    exp: datetime


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the stored argon2 hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than the current ones."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def create_access_token(
    *, username: str, role: str, region_code: str | None, secret_key: str | None = None, expire_minutes: int | None = None
) -> tuple[str, datetime]:
    """Sign a token for a user; returns the token and its expiry (UTC)."""
    settings = get_settings()
    now = datetime.now(UTC)
    expires_at = (now + timedelta(minutes=expire_minutes or settings.token_expire_minutes)).replace(microsecond=0)
    payload = {"sub": username, "role": role, "region": region_code, "iat": now, "exp": expires_at}
    token = jwt.encode(payload, secret_key or settings.secret_key, algorithm=ALGORITHM)
    return token, expires_at


def decode_token(token: str | None, *, secret_key: str | None = None) -> TokenClaims | None:
    """The claims of a valid, unexpired token, or None for anything else."""
    if not token:
        return None
    try:
        payload = jwt.decode(
            token,
            secret_key or get_settings().secret_key,
            algorithms=[ALGORITHM],
            options={"require": ["sub", "exp", "role"]},
        )
    except jwt.PyJWTError:
        return None
    role = payload.get("role")
    region = payload.get("region")
    if not isinstance(payload["sub"], str) or role not in ROLES or not (region is None or isinstance(region, str)):
        return None
    return TokenClaims(
        username=payload["sub"],
        role=role,
        region_code=region,
        exp=datetime.fromtimestamp(payload["exp"], UTC),
    )
