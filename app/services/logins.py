"""Login throttling: failed sign-ins counted per account and per client address, in the database.

Every worker reads and writes the same rows, so a lockout holds across workers and restarts.
Below ``max_failures`` failures within ``window_s`` nothing is slowed; at the limit the account (or
address) is locked for ``lockout_s``, doubling with each further failure up to ``lockout_max_s``.
A locked caller is refused before any password is hashed. A successful sign-in clears its account.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models import LoginAttempt

logger = logging.getLogger("jieneng.auth")
ACCOUNT, ADDRESS = "account", "address"


@dataclass(frozen=True)
class Policy:
    """How many failures, over what window, lock for how long."""

    max_failures_account: int = 5
    max_failures_address: int = 20
    window_s: int = 900
    lockout_s: int = 60
    lockout_max_s: int = 900


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _keys(username: str, address: str | None) -> list[tuple[str, str]]:
    """The rows a sign-in counts against; a name with control characters can be no account (only its address)."""
    name = username.strip().lower()[:255]
    keys = [(ACCOUNT, name)] if name and name.isprintable() else []
    if address:
        keys.append((ADDRESS, address[:255]))
    return keys


def retry_after(*, session: Session, username: str, address: str | None, now: datetime | None = None) -> int:
    """Seconds until this account and address may try again; 0 when not locked."""
    now = now or datetime.now(UTC)
    wait = 0
    for scope, key in _keys(username, address):
        row = session.get(LoginAttempt, (scope, key))
        locked = _utc(row.locked_until) if row is not None else None
        if locked is not None and locked > now:
            wait = max(wait, int((locked - now).total_seconds()) + 1)
    return wait


def record_failure(*, session: Session, username: str, address: str | None, policy: Policy,
                   now: datetime | None = None) -> int:
    """Count a failed sign-in for the account and the address; seconds of lockout it starts (0: none)."""
    now = now or datetime.now(UTC)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    wait = 0
    for scope, key in _keys(username, address):
        row = session.get(LoginAttempt, (scope, key), with_for_update=True)
        if row is None:
            session.execute(insert(LoginAttempt).values(scope=scope, key=key, failures=0, last_failure_at=now)
                            .on_conflict_do_nothing())
            row = session.get(LoginAttempt, (scope, key), with_for_update=True, populate_existing=True)
        if _utc(row.last_failure_at) < now - timedelta(seconds=policy.window_s):
            row.failures = 0  # an old streak is forgotten
        row.failures += 1
        row.last_failure_at = now
        limit = policy.max_failures_account if scope == ACCOUNT else policy.max_failures_address
        if row.failures >= limit:
            seconds = min(policy.lockout_s * 2 ** (row.failures - limit), policy.lockout_max_s)
            row.locked_until = now + timedelta(seconds=seconds)
            wait = max(wait, seconds)
            logger.warning("login locked: %s %r after %d failed sign-ins, for %d s", scope, key, row.failures, seconds)
    session.flush()
    return wait


def record_success(*, session: Session, username: str) -> None:
    """Forget the failed sign-ins of an account that has just signed in."""
    for scope, key in _keys(username, None):
        session.execute(delete(LoginAttempt).where(LoginAttempt.scope == scope, LoginAttempt.key == key))


def attempts(*, session: Session) -> list[LoginAttempt]:
    """Every throttling row, for inspection."""
    return list(session.scalars(select(LoginAttempt).order_by(LoginAttempt.scope, LoginAttempt.key)))
