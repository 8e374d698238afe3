"""Region summary, saving targets and their progress, assessments, and the annual report."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.api.deps import AdminDep, SessionDep, UserDep
from app.api.errors import ApiError, problem_responses
from app.api.routers.catalog import REGION_CODE, RegionPath
from app.api.schemas import clean
from app.domain.targets import DecompositionError
from app.services import analytics, catalog
from app.services import targets as targets_service

router = APIRouter(tags=["analytics"])
READ_ERRORS = problem_responses(401, 403, 404, 422)
Year = Annotated[int, Query(ge=2000, le=2100, description="Statistics year", examples=[2008])]
Method = Annotated[
    Literal["calorific", "generation"],
    Query(description="Electricity conversion: calorific (当量值) or generation (等价值)"),
]


class RegionSummaryOut(BaseModel):
    region_code: str = Field(examples=["210000"])
    name_zh: str = Field(examples=["辽宁"])
    name_en: str = Field(examples=["Liaoning"])
    year: int = Field(examples=[2008])
    method: str = Field(examples=["calorific"])
    totals: dict[str, Any] = Field(description="Buildings registered/reporting/complete, kgce by both methods, intensities")
    by_class: list[dict[str, Any]] = Field(description="The same figures per building class A-H")
    benchmark_status_counts: dict[str, int] = Field(
        description="Reporting buildings per GB/T 51161 status (not_judged: incomplete year or no benchmark)",
        examples=[{"better_than_guide": 120, "between": 80, "above_constraint": 35, "not_judged": 12}],
    )
    target_progress: list[dict[str, Any]] = Field(
        description="Progress of the region's current saving target, on its comparable basis "
                    "(comparable_buildings, comparable_area_m2, basis_label_zh/en)")
    headline: dict[str, Any] = Field(
        description="The figures `jieneng summary` prints: complete-year and all-reported totals by both methods, "
                    "and the change against last year on the comparable basis")


class ComparisonOut(BaseModel):
    region_code: str = Field(examples=["110000"])
    method: str = Field(examples=["calorific"])
    year_from: int = Field(examples=[2007])
    year_to: int = Field(examples=[2008])
    has_basis: bool = Field(description="False when no building is comparable: no change is given")
    buildings: int = Field(description="Comparable buildings (complete in both years, same carriers, same region)")
    floor_area_m2: float = Field(description="Their floor area")
    kgce_earlier: float | None
    kgce_later: float | None
    change_pct: float | None = Field(description="(later - earlier) / earlier over the comparable buildings")
    kgce_m2_earlier: float | None
    kgce_m2_later: float | None
    label_zh: str = Field(examples=["可比建筑 17 栋 · 面积 297,910 m²"])
    label_en: str = Field(examples=["comparable: 17 buildings, 297,910 m²"])
    excluded: dict[str, int] = Field(description="Buildings left out, counted by reason")
    excluded_buildings: list[dict[str, Any]] = Field(description="Each building left out, with its reason")


class DecomposeIn(BaseModel):
    # exactly one amount: a saving in tce or a percentage cut (declared for clients and schema-driven tests)
    model_config = ConfigDict(json_schema_extra={"oneOf": [
        {"required": ["saving_tce"], "properties": {"saving_tce": {"type": "number"}, "cut_percent": {"type": "null"}}},
        {"required": ["cut_percent"], "properties": {"cut_percent": {"type": "number"}, "saving_tce": {"type": "null"}}},
    ]})

    scope_code: str = Field(default="000000", pattern=REGION_CODE, examples=["000000"])
    saving_tce: float | None = Field(default=None, gt=0, le=1e9, description="Saving to reach, tce", examples=[150000])
    cut_percent: float | None = Field(default=None, gt=0, lt=100, description="Or a % cut from the baseline year")
    baseline_year: int = Field(ge=2000, le=2100, examples=[2005])
    target_year: int = Field(ge=2000, le=2100, examples=[2010])
    method: Literal["baseline", "potential", "equal", "weights", "mix"] = "baseline"
    method_basis: Literal["calorific", "generation"] = "calorific"
    weights: dict[str, float] | None = Field(default=None, description="Child region code -> weight (method weights)")
    mix: dict[str, float] | None = Field(default=None, description="Method -> weight (method mix)")
    floors: dict[str, float] | None = Field(default=None, description="Child region code -> minimum saving, tce")
    caps: dict[str, float] | None = Field(default=None, description="Child region code -> maximum saving, tce")
    to_buildings: bool = Field(default=False, description="Split each region's share down to its buildings")
    preview: bool = Field(default=False, description="Compute without storing (what-if)")

    @model_validator(mode="after")
    def one_amount(self) -> DecomposeIn:
        if (self.saving_tce is None) == (self.cut_percent is None):
            raise ValueError("give exactly one of saving_tce or cut_percent")
        if self.target_year <= self.baseline_year:
            raise ValueError("target_year must come after baseline_year")
        return self


@router.get(
    "/regions/{code}/summary",
    response_model=RegionSummaryOut,
    summary="Region summary for a year / 地区年度概况",
    responses=READ_ERRORS,
)
def region_summary(code: RegionPath, user: UserDep, session: SessionDep, year: Year, method: Method = "calorific") -> Any:
    summary = analytics.region_summary(session=session, code=code, year=year, method=method, region_scope=user.region_code)
    if summary is None:
        raise ApiError(404, f"地区 {code} 不存在", f"no region {code}", kind="not-found")
    return clean(summary)


@router.get(
    "/regions/{code}/comparison",
    response_model=ComparisonOut,
    summary="Like-for-like change between two years / 可比口径变化",
    responses=READ_ERRORS,
)
def region_comparison(code: RegionPath, user: UserDep, session: SessionDep,
                      year_to: Annotated[int, Query(alias="year", ge=2001, le=2100, description="The later year")],
                      year_from: Annotated[int | None, Query(alias="from", ge=2000, le=2100,
                                                             description="The earlier year (default: year - 1)")] = None,
                      method: Method = "calorific") -> Any:
    earlier = year_to - 1 if year_from is None else year_from
    if earlier >= year_to:
        raise ApiError(422, "对比的前一年必须早于后一年", "'from' must come before 'year'", kind="validation")
    result = analytics.region_comparison(session=session, code=code, year_from=earlier, year_to=year_to,
                                         method=method, region_scope=user.region_code)
    if result is None:
        raise ApiError(404, f"地区 {code} 不存在", f"no region {code}", kind="not-found")
    return clean(result)


@router.get(
    "/targets", response_model=list[dict[str, Any]], summary="Saving targets in scope / 节能目标", responses=READ_ERRORS
)
def list_targets(user: UserDep, session: SessionDep) -> Any:
    return clean(analytics.scoped_targets(session=session, region_scope=user.region_code))


@router.post(
    "/targets/decompose",
    response_model=dict[str, Any],
    status_code=status.HTTP_201_CREATED,
    summary="Decompose a saving target (admin) / 目标分解",
    responses=problem_responses(400, 401, 403, 404, 422),
)
def decompose(body: DecomposeIn, user: AdminDep, session: SessionDep) -> Any:
    try:
        result = targets_service.decompose(session=session, created_by=user.username, **body.model_dump())
    except (DecompositionError, ValueError) as exc:
        raise ApiError(422, "目标无法分解", str(exc), kind="invalid-decomposition") from exc
    except LookupError as exc:
        raise ApiError(404, "范围不存在", str(exc), kind="not-found") from exc
    return clean(result.to_dict())


@router.get(
    "/targets/{target_id}/progress",
    response_model=dict[str, Any],
    summary="Progress of a target in a year / 目标进度",
    responses=READ_ERRORS,
)
def target_progress(
    target_id: Annotated[int, Path(ge=1, le=2**31 - 1)], user: UserDep, session: SessionDep, year: Year
) -> Any:
    try:
        progress = analytics.target_progress(
            session=session, target_id=target_id, year=year, region_scope=user.region_code
        )
    except ValueError as exc:
        raise ApiError(422, "该目标没有进度", str(exc), kind="invalid-parameter") from exc
    if progress is None:
        raise ApiError(404, f"目标 {target_id} 不存在", f"no target {target_id}", kind="not-found")
    return clean(progress)


@router.get(
    "/assessments",
    response_model=list[dict[str, Any]],
    summary="Assessment of regions for a year / 考核评价",
    responses=READ_ERRORS,
)
def assessments(
    user: UserDep,
    session: SessionDep,
    year: Year,
    region: Annotated[str | None, Query(pattern=REGION_CODE, description="One region", examples=["210000"])] = None,
) -> Any:
    try:
        return clean(
            analytics.scoped_assessments(session=session, year=year, region_code=region, region_scope=user.region_code)
        )
    except LookupError as exc:
        raise ApiError(404, "不是示范地区", str(exc), kind="not-found") from exc


REPORT_MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv",
    "html": "text/html",
}


@router.get(
    "/reports/annual",
    summary="Annual energy-efficiency report / 年度能效报告",
    response_class=Response,
    responses={
        200: {"description": "The report file", "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in REPORT_MEDIA.values()}},
        **READ_ERRORS,
    },
)
def annual_report(
    user: UserDep,
    session: SessionDep,
    year: Year,
    region: Annotated[str | None, Query(pattern=REGION_CODE, description="Region; default your scope or the nation")] = None,
    format: Annotated[Literal["xlsx", "pdf", "csv", "html"], Query(description="File format")] = "xlsx",
) -> Response:
    from app.reports import build_annual_report

    region_code = region or user.region_code
    if region_code is not None and region_code != "000000":
        catalog.get_region(session=session, code=region_code, region_scope=user.region_code) or _no_region(region_code)
    elif user.region_code is not None:
        raise ApiError(403, "超出您的地区范围", "the national report is outside your region scope", kind="out-of-scope")
    try:
        content, media_type, filename = build_annual_report(
            session=session, year=year, region_code=None if region_code == "000000" else region_code, fmt=format
        )
    except LookupError as exc:
        raise ApiError(404, "地区不存在", str(exc), kind="not-found") from exc
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _no_region(code: str):
    raise ApiError(404, f"地区 {code} 不存在", f"no region {code}", kind="not-found")
