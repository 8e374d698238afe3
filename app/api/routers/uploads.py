"""Survey uploads: run the ETL on a file, list uploads, fetch a report, its findings and the raw bytes."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile, status
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from app.api.deps import SessionDep, UploaderDep
from app.api.errors import ApiError, problem, problem_responses
from app.api.schemas import UtcDatetime
from app.models import Upload
from app.services import catalog
from app.services import profiles as profiles_service
from app.services import uploads as uploads_service
from etl import pipeline
from etl.extract import display_name
from etl.profiles import MAX_PROFILE_BYTES, ProfileError, read_profile
from etl.profiles import normalise as normalise_profile

router = APIRouter(tags=["uploads"])
READ_ERRORS = problem_responses(401, 403, 404, 422)
# File-level rejections meaning "this is not a table we can read" (415); other file-level ones are 422.
UNREADABLE_CODES = {"FILE_BINARY", "FILE_XLS_UNSUPPORTED", "FILE_ENCODING", "FILE_UNREADABLE"}
UploadId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Upload id")]


class FindingOut(BaseModel):
    row: int | None = Field(description="1-based data row in the file", examples=[12])
    column: str | None = Field(examples=["面积"])
    value: str | None = Field(description="The raw value as written", examples=["-5"])
    code: str = Field(examples=["VALUE_NEGATIVE"])
    severity: str = Field(examples=["error"])
    message_zh: str
    message_en: str
    message: str


class ImportReportOut(BaseModel):
    upload_id: int = Field(description="Every upload, a dry run too, is recorded with its report", examples=[42])
    status: str = Field(description="loaded, partial, rejected, duplicate or dry_run", examples=["partial"])
    kind: str = Field(examples=["consumption"])
    filename: str
    content_sha256: str | None
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rows_changed: int
    warnings: int
    file_rejected: bool
    message_zh: str
    message_en: str
    message: str
    finding_counts: dict[str, int] = Field(description="Findings per code, exact; at most JIENENG_FINDINGS_PER_CODE of each are listed")
    findings: list[FindingOut]


class UploadOut(BaseModel):
    model_config = {"from_attributes": True}

    id: int
    filename: str
    kind: str
    status: str
    uploaded_by: str | None
    uploaded_at: UtcDatetime | None
    finished_at: UtcDatetime | None
    size_bytes: int
    content_sha256: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    rows_changed: int
    warnings: int


def _limit_bytes(request: Request) -> int:
    return request.app.state.settings.max_upload_mb * 1024 * 1024


def _too_large(limit: int) -> ApiError:
    mb = limit // (1024 * 1024)
    return ApiError(413, f"文件超过 {mb} MB 上限", f"the file exceeds the {mb} MB limit", kind="too-large")



async def _read_limited(file: UploadFile, limit: int) -> bytes:
    chunks, size = [], 0
    while chunk := await file.read(1024 * 1024):
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_mapping(text: str | bytes | None) -> dict | None:
    """The normalised profile; 422 for aliases, oversize text or a wrong shape."""
    try:
        return read_profile(text)
    except ProfileError as exc:
        zh, _, en = str(exc).partition(" / ")
        raise ApiError(422, zh, en or zh, kind="invalid-mapping") from exc


@router.post(
    "/uploads",
    response_model=ImportReportOut,
    status_code=status.HTTP_201_CREATED,
    summary="Upload a survey file and import it / 上传并导入调查表",
    responses={
        **problem_responses(400, 401, 403, 413, 415, 422),
    },
)
async def create_upload(
    request: Request,
    user: UploaderDep,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="CSV (UTF-8, UTF-8 BOM, UTF-16 text, GBK/GB18030) or XLSX; not empty",
                                     json_schema_extra={"minLength": 1})],
    kind: Annotated[Literal["buildings", "consumption", "audits"], Form(description="What the file holds")],
    mapping: Annotated[str | None, Form(max_length=MAX_PROFILE_BYTES, description="Mapping profile, YAML or JSON (no aliases)")] = None,
    mapping_file: Annotated[UploadFile | None, File(description="Mapping profile as a file")] = None,
    mapping_name: Annotated[str | None, Form(max_length=100, description="Name of a saved mapping profile")] = None,
    sheet: Annotated[str | None, Form(max_length=100, description="XLSX sheet name")] = None,
    policy: Annotated[
        Literal["partial", "all_or_nothing"],
        Form(description="partial: load valid rows; all_or_nothing: load nothing if any row is rejected"),
    ] = "partial",
    dry_run: Annotated[bool, Form(description="Validate and report without loading")] = False,
) -> Any:
    limit = _limit_bytes(request)
    data = await _read_limited(file, limit)
    profile = _parse_mapping(mapping)
    if mapping_file is not None and mapping is None:
        profile = _parse_mapping(await mapping_file.read(MAX_PROFILE_BYTES + 1))  # one byte over is enough to refuse
    if mapping_name and profile is None:
        profile = _saved_mapping(session, mapping_name, user, kind)
    # End the read transaction of the authentication before the ETL opens its own: on SQLite a read
    # snapshot cannot be upgraded to a write once another upload has committed ("database is locked"),
    # while a fresh transaction waits for the write lock.
    session.commit()
    # The ETL is synchronous and owns its transaction: run it in the thread pool.
    report = await run_in_threadpool(
        pipeline.run,
        session=session,
        data=data,
        filename=file.filename or "upload",
        kind=kind,
        mapping=profile,
        sheet=sheet or None,
        all_or_nothing=policy == "all_or_nothing",
        dry_run=dry_run,
        uploaded_by=user.username,
        region_scope=user.region_code,
    )
    body = report.to_dict()
    if report.file_rejected:
        codes = {f.code for f in report.findings if f.severity == "error"}
        status_code = 415 if codes & UNREADABLE_CODES else 422
        detail = body["findings"][0]["message"] if body["findings"] else body["message"]
        return problem(status_code, detail, instance=request.url.path, kind="file-rejected", report=body)
    return body


def _saved_mapping(session, name: str, user, kind: str) -> dict:
    saved = profiles_service.find_profile(session=session, name=name, region_code=user.region_code, kind=kind)
    if saved is None:
        raise ApiError(422, f"没有名为“{name}”的{kind}映射配置", f"no saved {kind} mapping profile named '{name}'",
                       kind="invalid-mapping")
    return saved.spec


class MappingProfileIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, examples=["某能耗平台导出"])
    kind: Literal["buildings", "consumption", "audits"]
    spec: dict[str, Any] = Field(description="fields, wide, values, units, ignore, header_row")
    shared: bool = Field(False, description="Share nationally (admins only)")


class MappingProfileOut(BaseModel):
    model_config = {"from_attributes": True}

    id: int
    name: str
    kind: str
    region_code: str
    is_shared: bool
    spec: dict[str, Any]
    created_by: str | None


@router.get("/mapping-profiles", response_model=list[MappingProfileOut], summary="Saved mapping profiles / 映射配置",
            responses=READ_ERRORS)
def list_mapping_profiles(user: UploaderDep, session: SessionDep,
                          kind: Literal["buildings", "consumption", "audits"] | None = None) -> Any:
    return profiles_service.list_profiles(session=session, region_code=user.region_code, kind=kind)


@router.post("/mapping-profiles", response_model=MappingProfileOut, status_code=status.HTTP_201_CREATED,
             summary="Save a mapping profile for your region / 保存映射配置", responses=problem_responses(400, 401, 403, 422))
def save_mapping_profile(body: MappingProfileIn, user: UploaderDep, session: SessionDep) -> Any:
    if body.shared and user.role != "admin":
        raise ApiError(403, "只有管理员可以在全国共享映射配置", "only admins may share a profile nationally", kind="forbidden-role")
    try:
        spec = normalise_profile(body.spec)  # stored as the engine will read it, like an uploaded profile
    except ProfileError as exc:
        zh, _, en = str(exc).partition(" / ")
        raise ApiError(422, zh, en or zh, kind="invalid-mapping") from exc
    saved = profiles_service.save_profile(session=session, name=body.name, kind=body.kind, spec=spec,
                                          region_code=user.region_code, created_by=user.username, shared=body.shared)
    session.commit()
    return saved


def content_disposition(filename: str) -> str:
    """An attachment header that names the file but can carry no path, quote or header break."""
    name = display_name(filename)
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_").replace("%", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def _visible_upload(session, upload_id: int, user) -> Upload:
    upload = catalog.get_upload(
        session=session, upload_id=upload_id, uploaded_by=None if user.role == "admin" else user.username
    )
    if upload is None:
        raise ApiError(404, f"上传 {upload_id} 不存在", f"no upload {upload_id}", kind="not-found")
    return upload


@router.get("/uploads", response_model=list[UploadOut], summary="Uploads, newest first / 上传记录", responses=READ_ERRORS)
def list_uploads(
    user: UploaderDep,
    session: SessionDep,
    kind: Annotated[Literal["buildings", "consumption", "audits"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Any:
    uploads = uploads_service.list_uploads(
        session=session, kind=kind, limit=limit, offset=offset,
        uploaded_by=None if user.role == "admin" else user.username,
    )
    return [UploadOut.model_validate(u) for u in uploads]


@router.get(
    "/uploads/{upload_id}", response_model=ImportReportOut, summary="An upload's import report / 导入报告", responses=READ_ERRORS
)
def get_upload(upload_id: UploadId, user: UploaderDep, session: SessionDep) -> Any:
    _visible_upload(session, upload_id, user)
    return uploads_service.get_report(session=session, upload_id=upload_id).to_dict()


@router.get(
    "/uploads/{upload_id}/findings.csv",
    response_class=Response,
    summary="An upload's findings as CSV (UTF-8 with BOM) / 问题清单",
    responses={200: {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}, **READ_ERRORS},
)
def findings_csv(upload_id: UploadId, user: UploaderDep, session: SessionDep) -> Response:
    _visible_upload(session, upload_id, user)
    return Response(
        uploads_service.findings_csv(session=session, upload_id=upload_id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="upload-{upload_id}-findings.csv"'},
    )


@router.get(
    "/uploads/{upload_id}/raw",
    response_class=Response,
    summary="The file exactly as uploaded / 原始文件",
    responses={
        200: {"description": "The original bytes", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
        **READ_ERRORS,
    },
)
def raw_file(upload_id: UploadId, user: UploaderDep, session: SessionDep) -> Response:
    upload = _visible_upload(session, upload_id, user)
    data = uploads_service.raw_bytes(session=session, upload_id=upload_id)
    if data is None:
        raise ApiError(404, "原始文件已不在存储中", "the raw file is no longer in the store", kind="not-found")
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": content_disposition(upload.filename)},
    )
