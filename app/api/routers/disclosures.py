"""The disclosure workflow (能效公示): draft, edit, submit, approve, publish and withdraw a region's list for a year."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from app.api.deps import SessionDep, UserDep
from app.api.errors import ApiError, problem_responses
from app.domain.disclosure import Actor
from app.services import disclosure as ds

router = APIRouter(prefix="/disclosures", tags=["disclosure workflow"])
ERRORS = problem_responses(400, 401, 403, 404, 409, 422)
RegionCode = Annotated[str, Path(pattern=r"^\d{6}$")]
Year = Annotated[int, Path(ge=1990, le=2100)]


class DraftIn(BaseModel):
    method: str = Field(default="calorific", pattern="^(calorific|generation)$")


class EntryIn(BaseModel):
    include: bool
    reason: str = Field(min_length=1, max_length=2000)


class SubmitIn(BaseModel):
    change_note: str | None = Field(default=None, max_length=4000)


class WithdrawIn(BaseModel):
    reason: str = Field(min_length=1, max_length=4000)


def actor(user) -> Actor:
    return Actor(user.username, user.role, user.region_code)


def run(call: Callable[[], Any]) -> Any:
    """Call a workflow service, turning its refusals into problems (403 role or region, 409 workflow state)."""
    try:
        return call()
    except ds.DisclosureForbidden as exc:
        raise ApiError(403, "无权执行此公示操作", str(exc), kind="forbidden") from exc
    except ds.DisclosureError as exc:
        raise ApiError(409, "公示流程不允许此操作", str(exc), kind="disclosure-workflow") from exc


def state(session, region: str, year: int) -> dict[str, Any]:
    states = ds.list_states(session=session, year=year, region_code=region)
    return states[0].to_dict()


@router.get("", summary="Working lists in scope / 公示名单", responses=ERRORS)
def lists(session: SessionDep, user: UserDep,
          year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
          region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None) -> list[dict[str, Any]]:
    """Admins and officials: the lists of their scope with status, counts and the latest version."""
    if user.role not in ("admin", "official"):
        raise ApiError(403, "无权查看公示名单", f"role {user.role} has no disclosure lists", kind="forbidden")
    return [s.to_dict() for s in ds.list_states(session=session, year=year, region_code=region,
                                                region_scope=user.region_code)]


@router.post("/{region}/{year}/draft", summary="Draft (or reopen for a correction) / 起草", responses=ERRORS)
def draft(session: SessionDep, user: UserDep, region: RegionCode, year: Year, body: DraftIn | None = None) -> dict:
    run(lambda: ds.draft(session=session, actor=actor(user), region_code=region, year=year,
                         method=(body or DraftIn()).method))
    return state(session, region, year)


@router.get("/{region}/{year}/entries", summary="Buildings of the draft / 名单中的建筑", responses=ERRORS)
def entries(session: SessionDep, user: UserDep, region: RegionCode, year: Year) -> list[dict[str, Any]]:
    run(lambda: ds.check(actor(user), "draft", region))
    frame = run(lambda: ds.draft_entries(session=session, region_code=region, year=year))
    return frame.drop(columns=["building_id"]).astype(object).where(frame.notna(), None).to_dict("records")


@router.put("/{region}/{year}/entries/{code}", summary="Add or remove a building, with a reason / 增删建筑",
            responses=ERRORS)
def set_entry(session: SessionDep, user: UserDep, region: RegionCode, year: Year, body: EntryIn,
              code: Annotated[str, Path(max_length=24)]) -> dict:
    run(lambda: ds.set_entry(session=session, actor=actor(user), region_code=region, year=year, building_code=code,
                             include=body.include, reason=body.reason))
    return state(session, region, year)


@router.post("/{region}/{year}/submit", summary="Submit for approval / 提交审批", responses=ERRORS)
def submit(session: SessionDep, user: UserDep, region: RegionCode, year: Year, body: SubmitIn | None = None) -> dict:
    run(lambda: ds.submit(session=session, actor=actor(user), region_code=region, year=year,
                          change_note=(body or SubmitIn()).change_note))
    return state(session, region, year)


@router.post("/{region}/{year}/approve", summary="Approve (not the submitter) / 批准", responses=ERRORS)
def approve(session: SessionDep, user: UserDep, region: RegionCode, year: Year) -> dict:
    run(lambda: ds.approve(session=session, actor=actor(user), region_code=region, year=year))
    return state(session, region, year)


@router.post("/{region}/{year}/publish", summary="Publish the next version / 发布", responses=ERRORS)
def publish(session: SessionDep, user: UserDep, region: RegionCode, year: Year) -> dict:
    version = run(lambda: ds.publish(session=session, actor=actor(user), region_code=region, year=year))
    return {**state(session, region, year), "version": version.version, "building_count": version.building_count}


@router.post("/{region}/{year}/withdraw", summary="Withdraw every published version / 撤回", responses=ERRORS)
def withdraw(session: SessionDep, user: UserDep, region: RegionCode, year: Year, body: WithdrawIn) -> dict:
    count = run(lambda: ds.withdraw(session=session, actor=actor(user), region_code=region, year=year,
                                    reason=body.reason))
    return {**state(session, region, year), "withdrawn_versions": count}
