"""Open data of the year-end disclosure: published lists only, no login, read-only, paginated, with ETags."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from app.api.deps import SessionDep
from app.api.errors import ApiError, problem_responses
from app.domain import disclosure as rules
from app.models import DisclosureVersion
from app.reports import disclosure as export
from app.services import disclosure as ds

router = APIRouter(prefix="/public", tags=["open data"])
CACHE_CONTROL = "public, max-age=60"
RegionCode = Annotated[str, Path(pattern=r"^\d{6}$", description="GB/T 2260 code of the publishing region")]
Year = Annotated[int, Path(ge=1990, le=2100)]


def version_out(v: DisclosureVersion, names: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """The public header of a version."""
    zh, en = names.get(v.region_code, (v.region_code, v.region_code))
    base = f"/api/v1/public/disclosures/{v.region_code}/{v.year}"
    return {
        "region_code": v.region_code, "region_name_zh": zh, "region_name_en": en, "year": v.year,
        "version": v.version, "published_at": v.published_at.isoformat(timespec="seconds"), "method": v.method,
        "benchmark_edition": v.benchmark_edition, "factor_versions": v.factor_versions, "basis": v.basis,
        "change_note": v.change_note, "building_count": v.building_count, "content_sha256": v.content_sha256,
        "links": {"csv": f"{base}.csv?version={v.version}", "xlsx": f"{base}.xlsx?version={v.version}",
                  "portal": f"/disclosure/{v.region_code}/{v.year}?version={v.version}"},
    }


def summary_out(v: DisclosureVersion, names: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """A version in a listing: the full header (factors, basis) is at its own URL."""
    full = version_out(v, names)
    keep = ("region_code", "region_name_zh", "region_name_en", "year", "version", "published_at", "method",
            "building_count", "content_sha256", "links")
    out = {k: full[k] for k in keep}
    out["links"]["self"] = f"/api/v1/public/disclosures/{v.region_code}/{v.year}?version={v.version}"
    return out


def item_out(item, version: DisclosureVersion) -> dict[str, Any]:
    out = ds.item_dict(item)
    out.update(region_code=version.region_code, year=version.year, version=version.version)
    out["benchmark_status_label_zh"] = rules.status_label(item.benchmark_status, "zh")["label"]
    out["benchmark_status_label_en"] = rules.status_label(item.benchmark_status, "en")["label"]
    if not item.is_comparable:
        out["change_pct"] = None
    return out


def _etag(*parts: object) -> str:
    return '"' + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32] + '"'


def _cached(request: Request, etag: str, body: Any) -> Response:
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    match = request.headers.get("if-none-match", "")
    if etag in [t.strip().removeprefix("W/") for t in match.split(",")]:
        return Response(status_code=304, headers=headers)
    return JSONResponse(body, headers=headers)


@router.get("/disclosures", summary="Published disclosures / 已公示能效名单",
            responses={304: {"description": "Not modified (If-None-Match)"}, **problem_responses(422, 429)})
def disclosures(
    request: Request,
    session: SessionDep,
    year: Annotated[int | None, Query(ge=1990, le=2100, description="Year of the statistics")] = None,
    region: Annotated[str | None, Query(pattern=r"^\d{6}$", description="Publishing region code")] = None,
    q: Annotated[str | None, Query(max_length=100, description="Name or building code contains")] = None,
    building_class: Annotated[str | None, Query(alias="class", pattern=r"^[A-H]$")] = None,
    status: Annotated[str | None, Query(pattern=r"^(better_than_guide|between|above_constraint|none)$")] = None,
    sort: Annotated[str, Query(pattern=r"^-?(code|name|intensity|area)$")] = "code",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """The buildings of the current published version of each matching list (withdrawn ones never appear)."""
    versions = ds.current_versions(session=session, year=year, region_code=region)
    by_id = {v.id: v for v in versions}
    names = ds.region_names(session=session, codes=sorted({v.region_code for v in versions}))
    etag = _etag(sorted((v.id, v.content_sha256) for v in versions), year, region, q, building_class, status, sort,
                 page, page_size)
    match = request.headers.get("if-none-match")
    if match and etag in [t.strip().removeprefix("W/") for t in match.split(",")]:
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": CACHE_CONTROL})
    result = ds.public_items(session=session, version_ids=list(by_id), q=q, building_class=building_class,
                             status=status, sort=sort, page=page, page_size=page_size)
    body = {
        "year": year, "region": region, "page": page, "page_size": page_size, "total": result.total,
        "pages": (result.total + page_size - 1) // page_size,
        "disclosures": [summary_out(v, names) for v in versions],
        "items": [item_out(i, by_id[i.version_id]) for i in result.items],
    }
    return _cached(request, etag, body)


def _version(session, region: str, year: int, version: int | None) -> DisclosureVersion:
    found = ds.public_version(session=session, region_code=region, year=year, version=version)
    if found is None:
        raise ApiError(404, "没有已公示的名单", f"no published disclosure for {region} {year}"
                       + ("" if version is None else f" version {version}"), kind="not-found")
    return found


def _download(request: Request, session, region: str, year: int, version: int | None, ext: str) -> Response:
    found = _version(session, region, year, version)
    etag = _etag(found.id, found.content_sha256, ext)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL,
               "Content-Disposition": f'attachment; filename="{export.filename(found, ext)}"'}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    if ext == "csv":
        return Response(export.to_csv(session=session, version=found), media_type="text/csv; charset=utf-8",
                        headers=headers)
    return Response(export.to_xlsx(session=session, version=found), headers=headers,
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@router.get("/disclosures/{region}/{year}.csv", summary="A published list as CSV / 公示名单 CSV",
            responses=problem_responses(404, 422, 429))
def disclosure_csv(request: Request, session: SessionDep, region: RegionCode, year: Year,
                   version: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None) -> Response:
    return _download(request, session, region, year, version, "csv")


@router.get("/disclosures/{region}/{year}.xlsx", summary="A published list as XLSX / 公示名单 XLSX",
            responses=problem_responses(404, 422, 429))
def disclosure_xlsx(request: Request, session: SessionDep, region: RegionCode, year: Year,
                    version: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None) -> Response:
    return _download(request, session, region, year, version, "xlsx")


@router.get("/disclosures/{region}/{year}", summary="One published list and its versions / 一份公示名单",
            responses={304: {"description": "Not modified"}, **problem_responses(404, 422, 429)})
def disclosure(request: Request, session: SessionDep, region: RegionCode, year: Year,
               version: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None) -> Response:
    """A version's header (newest by default) and every public version of the list."""
    found = _version(session, region, year, version)
    names = ds.region_names(session=session, codes=[region])
    history = ds.version_history(session=session, region_code=region, year=year)
    body = version_out(found, names)
    body["versions"] = [{"version": v.version, "published_at": v.published_at.isoformat(timespec="seconds"),
                         "change_note": v.change_note, "building_count": v.building_count} for v in history]
    return _cached(request, _etag(found.id, found.content_sha256, [v.id for v in history]), body)
