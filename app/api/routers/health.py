"""Liveness with a database round trip; no authentication."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.api.errors import problem, problem_responses
from app.api.schemas import HealthOut

router = APIRouter(tags=["health"])


@router.get(
    "/healthz", response_model=HealthOut, summary="Health: database reachable / 健康检查", responses=problem_responses(503)
)
def healthz(request: Request) -> HealthOut | JSONResponse:
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):  # unreachable or refusing: not healthy, never a 500
        return problem(503, "数据库不可达 / database unreachable", instance=request.url.path)
    refresher = getattr(request.app.state, "refresher", None)
    return HealthOut(status="ok", database="ok", indicators=refresher.state if refresher is not None else "off")
