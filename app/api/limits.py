"""Upload size limit enforced while the body arrives, before any of it is parsed or stored."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import problem

# Room for the multipart framing and the small form fields around the file.
FORM_OVERHEAD_BYTES = 1024 * 1024


def too_large_detail(limit_mb: int) -> str:
    return f"文件超过 {limit_mb} MB 上限 / the file exceeds the {limit_mb} MB limit"


class UploadSizeLimit:
    """413 for POSTs to ``path`` whose body exceeds the limit: at once by Content-Length, else while reading."""

    def __init__(self, app: ASGIApp, *, path: str, limit_mb: int) -> None:
        self.app = app
        self.path = path
        self.limit_mb = limit_mb
        self.max_bytes = limit_mb * 1024 * 1024 + FORM_OVERHEAD_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            return await self.app(scope, receive, send)
        length = Headers(scope=scope).get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            response = problem(413, too_large_detail(self.limit_mb), instance=scope["path"], kind="too-large",
                               headers={"Connection": "close"})
            return await response(scope, receive, send)
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, too_large_detail(self.limit_mb))
            return message

        await self.app(scope, limited_receive, send)
