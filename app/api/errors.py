"""One error shape for every failure: RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.services.catalog import ScopeError

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://jieneng.example/problems/"
logger = logging.getLogger("jieneng.api")

TITLES_ZH = {
    400: "请求错误",
    401: "未登录",
    403: "无权访问",
    404: "未找到",
    405: "方法不允许",
    409: "冲突",
    413: "文件过大",
    415: "文件类型无法读取",
    422: "参数无效",
    429: "请求过多",
    500: "服务器内部错误",
    503: "服务不可用",
}


# RFC 9110 names, whatever the Python version's http module says.
TITLES_EN = {413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content"}


def title_en(status: int) -> str:
    return TITLES_EN.get(status) or HTTPStatus(status).phrase


class Problem(BaseModel):
    """RFC 9457 problem details, with the title and detail also in Chinese."""

    type: str = Field(description="URI naming the kind of problem", examples=[PROBLEM_TYPE_BASE + "forbidden"])
    title: str = Field(description="Short summary (English)", examples=["Forbidden"])
    title_zh: str = Field(description="Short summary (Chinese)", examples=["无权访问"])
    status: int = Field(description="HTTP status code", examples=[403])
    detail: str = Field(description="What went wrong, Chinese then English", examples=["超出您的地区范围 / outside your region scope"])
    instance: str | None = Field(default=None, description="The request path", examples=["/api/v1/buildings/110105A001"])
    errors: list[dict[str, Any]] | None = Field(default=None, description="Invalid parameters, one entry each (422)")
    report: dict[str, Any] | None = Field(default=None, description="Import report of a rejected upload (413/415/422)")


PROBLEM_SCHEMA = Problem.model_json_schema()


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries documenting problem+json bodies for the given statuses."""
    return {
        status: {
            "description": f"{title_en(status)} / {TITLES_ZH.get(status, title_en(status))}",
            "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}},
        }
        for status in statuses
    }


def problem(
    status: int,
    detail: str,
    *,
    instance: str | None = None,
    kind: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    report: dict[str, Any] | None = None,
) -> JSONResponse:
    """A problem+json response."""
    phrase = title_en(status)
    body = Problem(
        type=PROBLEM_TYPE_BASE + (kind or phrase.lower().replace(" ", "-")),
        title=phrase,
        title_zh=TITLES_ZH.get(status, phrase),
        status=status,
        detail=detail,
        instance=instance,
        errors=errors,
        report=report,
    )
    return JSONResponse(
        jsonable_encoder(body, exclude_none=True), status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


class ApiError(Exception):
    """Raised by routers to answer with a problem; detail in Chinese and English."""

    def __init__(self, status: int, detail_zh: str, detail_en: str, *, kind: str | None = None, headers=None) -> None:
        super().__init__(detail_en)
        self.status = status
        self.detail = f"{detail_zh} / {detail_en}"
        self.kind = kind
        self.headers = headers


def _http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 404 and detail == "Not Found":
        detail = "路径不存在 / no such path"
    elif exc.status_code == 400 and detail == "There was an error parsing the body":
        detail = "请求体无法解析 / the request body could not be parsed"
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405:
        detail = "该路径不支持此方法 / method not allowed on this path"
        headers = {**(headers or {}), "Allow": allowed_methods(request, (headers or {}).get("Allow"))}
    return problem(exc.status_code, detail, instance=request.url.path, headers=headers)


def allowed_methods(request: Request, fallback: str | None = None) -> str:
    """Every method the documented API answers on this path (Starlette names only the first route's)."""
    methods: list[str] = []
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in re.split(r"(\{[^/}]+\})", template))
        if re.fullmatch(pattern, request.url.path):
            methods += [m.upper() for m in operations if m.upper() not in methods]
    order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return ", ".join(sorted(methods, key=lambda m: order.index(m) if m in order else len(order))) if methods else (fallback or "")


def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    where = "; ".join(".".join(e["loc"]) + ": " + e["msg"] for e in errors[:5])
    return problem(422, f"请求参数无效 / invalid request parameters: {where}", instance=request.url.path, errors=errors)


def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return problem(exc.status, exc.detail, instance=request.url.path, kind=exc.kind, headers=exc.headers)


def _scope(request: Request, exc: Exception) -> JSONResponse:
    return problem(
        403, f"超出您的地区范围 / outside your region scope ({exc})", instance=request.url.path, kind="out-of-scope"
    )


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "服务器内部错误 / internal server error", instance=request.url.path)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every failure, expected or not, with problem+json."""
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(ScopeError, _scope)
    app.add_exception_handler(Exception, _unexpected)
