"""Rate limit of the public (anonymous) surfaces: the disclosure portal and the open-data API."""

from __future__ import annotations

import time

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.errors import problem


class PublicRateLimit:
    """429 with Retry-After once a client address exceeds ``rate`` (e.g. "300/minute") on the given path prefixes."""

    def __init__(self, app: ASGIApp, *, prefixes: tuple[str, ...], rate: str) -> None:
        self.app = app
        self.prefixes = prefixes
        self.item = parse(rate)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            return await self.app(scope, receive, send)
        client = (scope.get("client") or ("unknown", 0))[0]
        if not self.limiter.hit(self.item, "public", client):
            reset, _remaining = self.limiter.get_window_stats(self.item, "public", client)
            retry = max(1, int(reset - time.time()) + 1)
            response = problem(429, f"请求过于频繁，请 {retry} 秒后再试 / too many requests, retry in {retry} s",
                               instance=scope["path"], kind="rate-limited", headers={"Retry-After": str(retry)})
            return await response(scope, receive, send)
        await self.app(scope, receive, send)
