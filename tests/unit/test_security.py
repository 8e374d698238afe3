"""Password hashing and token signing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from app.security import (
    create_access_token,
    decode_token,
    hash_password,
    verify_password,
)

SECRET = "unit-test-secret-0123456789abcdef0123456789"


def test_argon2_hash_roundtrip():
    stored = hash_password("正确的密码 correct")
    assert stored.startswith("$argon2id$")
    assert stored != hash_password("正确的密码 correct")  # salted
    assert verify_password(stored, "正确的密码 correct")
    assert not verify_password(stored, "wrong")
    assert not verify_password("not-a-hash", "wrong")


def test_token_roundtrip_and_expiry():
    before = datetime.now(UTC)
    token, expires_at = create_access_token(
        username="sy_auditor", role="auditor", region_code="210100", secret_key=SECRET, expire_minutes=30
    )
    assert timedelta(minutes=29) < expires_at - before <= timedelta(minutes=30)
    claims = decode_token(token, secret_key=SECRET)
    assert claims is not None
    assert (claims.username, claims.role, claims.region_code, claims.exp) == ("sy_auditor", "auditor", "210100", expires_at)


def test_token_rejections():
    token, _ = create_access_token(username="a", role="admin", region_code=None, secret_key=SECRET)
    assert decode_token(token, secret_key=SECRET).region_code is None
    assert decode_token(token, secret_key="another-secret-0123456789abcdef01") is None
    assert decode_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), secret_key=SECRET) is None
    assert decode_token("", secret_key=SECRET) is None
    assert decode_token("garbage", secret_key=SECRET) is None
    expired = jwt.encode(
        {"sub": "a", "role": "admin", "region": None, "exp": datetime.now(UTC) - timedelta(seconds=5)}, SECRET, "HS256"
    )
    assert decode_token(expired, secret_key=SECRET) is None
    bad_role = jwt.encode({"sub": "a", "role": "root", "exp": datetime.now(UTC) + timedelta(hours=1)}, SECRET, "HS256")
    assert decode_token(bad_role, secret_key=SECRET) is None
    unsigned = jwt.encode({"sub": "a", "role": "admin", "exp": datetime.now(UTC) + timedelta(hours=1)}, None, "none")
    assert decode_token(unsigned, secret_key=SECRET) is None
