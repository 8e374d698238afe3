"""Regions, buildings and consumption records, read within the caller's region scope."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.api.deps import SessionDep, UserDep
from app.api.errors import ApiError, problem_responses
from app.api.schemas import (
    AnnualTotalOut,
    BuildingDetailOut,
    BuildingOut,
    BuildingPageOut,
    ConsumptionOut,
    ConsumptionPageOut,
    RegionOut,
    clean,
)
from app.services import analytics, catalog

router = APIRouter(tags=["catalog"])

REGION_CODE = r"^\d{6}$"
BUILDING_CODE = r"^[0-9A-Za-z_-]{1,24}$"
PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
PERIOD_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2]))?$"  # a year, or a year and month 01-12
SORT_PATTERN = "^-?(" + "|".join(catalog.BUILDING_SORTS) + ")$"
READ_ERRORS = problem_responses(401, 403, 404, 422)

RegionPath = Annotated[str, Path(pattern=REGION_CODE, description="GB/T 2260 code", examples=["210000"])]
BuildingPath = Annotated[str, Path(pattern=BUILDING_CODE, description="Building code", examples=["110105A001"])]


@router.get("/regions", response_model=list[RegionOut], summary="Regions in scope / 地区列表", responses=READ_ERRORS)
def list_regions(
    user: UserDep,
    session: SessionDep,
    demonstration_only: Annotated[bool, Query(description="Only the nation and the 21 demonstration regions")] = False,
) -> list[RegionOut]:
    regions = catalog.list_regions(
        session=session, region_scope=user.region_code, demonstration_only=demonstration_only
    )
    return [RegionOut.model_validate(r) for r in regions]


@router.get("/regions/{code}", response_model=RegionOut, summary="One region / 地区", responses=READ_ERRORS)
def get_region(code: RegionPath, user: UserDep, session: SessionDep) -> RegionOut:
    region = catalog.get_region(session=session, code=code, region_scope=user.region_code)
    if region is None:
        raise ApiError(404, f"地区 {code} 不存在", f"no region {code}", kind="not-found")
    return RegionOut.model_validate(region)


@router.get(
    "/buildings",
    response_model=BuildingPageOut,
    summary="Buildings: filter, sort, paginate / 建筑列表",
    responses=READ_ERRORS,
)
def list_buildings(
    user: UserDep,
    session: SessionDep,
    region: Annotated[str | None, Query(pattern=REGION_CODE, description="Region code", examples=["210100"])] = None,
    building_class: Annotated[
        str | None, Query(alias="class", pattern=r"^[A-H]$", description="Class A-H", examples=["A"])
    ] = None,
    is_government_office: Annotated[bool | None, Query(description="Government office buildings")] = None,
    is_large_public: Annotated[bool | None, Query(description="Large public buildings (> 20,000 m²)")] = None,
    q: Annotated[
        str | None,
        Query(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$", description="Text in name or start of code", examples=["政务"]),
    ] = None,
    sort: Annotated[str, Query(pattern=SORT_PATTERN, description="Sort key, '-' for descending", examples=["-floor_area_m2"])] = "code",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> BuildingPageOut:
    result = catalog.list_buildings(
        session=session,
        region_scope=user.region_code,
        region_code=region,
        building_class=building_class,
        is_government_office=is_government_office,
        is_large_public=is_large_public,
        q=q,
        sort=sort,
        page=page,
        page_size=page_size,
    )
    return BuildingPageOut(
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        items=[BuildingOut.model_validate(b) for b in result.items],
    )


@router.get(
    "/buildings/{code}",
    response_model=BuildingDetailOut,
    summary="One building with indicators, audits and history / 建筑详情",
    responses=READ_ERRORS,
)
def get_building(code: BuildingPath, user: UserDep, session: SessionDep) -> BuildingDetailOut:
    building = catalog.get_building(session=session, code=code, region_scope=user.region_code)
    if building is None:
        raise ApiError(404, f"建筑 {code} 不存在", f"no building {code}", kind="not-found")
    return BuildingDetailOut(
        building=BuildingOut.model_validate(building),
        annual_totals=[AnnualTotalOut(**row) for row in catalog.annual_totals(session=session, building_id=building.id)],
        indicators=clean(analytics.building_indicators(session=session, building_id=building.id)),
        audits=clean(catalog.building_audits(session=session, building_id=building.id)),
        history=clean(catalog.building_history(session=session, building_id=building.id)),
    )


def _period(value: str | None, name: str) -> tuple[int, int] | None:
    if value is None:
        return None
    match = PERIOD.fullmatch(value)
    month = int(match.group(2) or (1 if name == "from" else 12)) if match else 0
    if match is None or not 1 <= month <= 12:
        raise ApiError(422, f"参数 {name} 应为 YYYY 或 YYYY-MM", f"{name} must be YYYY or YYYY-MM", kind="invalid-parameter")
    return int(match.group(1)), month


@router.get(
    "/consumption",
    response_model=ConsumptionPageOut,
    summary="A building's consumption records / 能耗记录",
    responses=READ_ERRORS,
)
def get_consumption(
    user: UserDep,
    session: SessionDep,
    building: Annotated[str, Query(pattern=BUILDING_CODE, description="Building code", examples=["110105A001"])],
    from_: Annotated[
        str | None, Query(alias="from", pattern=PERIOD_PATTERN, examples=["2007-01"],
                          description="YYYY or YYYY-MM; a 'from' after 'to' is an empty range")
    ] = None,
    to: Annotated[str | None, Query(pattern=PERIOD_PATTERN, description="YYYY or YYYY-MM", examples=["2008-12"])] = None,
    carrier: Annotated[
        str | None, Query(max_length=32, pattern=r"^[A-Za-z0-9_.-]+$", description="Carrier code", examples=["electricity"])
    ] = None,
) -> ConsumptionPageOut:
    start, end = _period(from_, "from"), _period(to, "to")  # 'from' after 'to' selects nothing, as documented
    records = catalog.consumption(
        session=session,
        building_code=building,
        region_scope=user.region_code,
        from_period=start,
        to_period=end,
        carrier_code=carrier,
    )
    if records is None:
        raise ApiError(404, f"建筑 {building} 不存在", f"no building {building}", kind="not-found")
    if start and end and start > end:
        records = []
    return ConsumptionPageOut(building_code=building, records=[ConsumptionOut.model_validate(r) for r in records])
