"""Uploads and their import reports: list, fetch, export findings, raw bytes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import get_settings
from app.export import csv_bytes
from app.models import Finding, Upload
from etl.findings import FindingOut, ImportReport


FINDINGS_HEADER = ["行号 row", "列 column", "原值 value", "代码 code", "级别 severity", "说明", "message"]


def finding_rows(findings) -> list[list]:
    """Findings (dicts) as the rows of findings.csv."""
    return [[f.get("row"), f.get("column"), f.get("value"), f.get("code"), f.get("severity"), f.get("message_zh"),
             f.get("message_en")] for f in findings]


def list_uploads(*, session: Session, kind: str | None = None, limit: int = 100, offset: int = 0,
                 uploaded_by: str | None = None) -> list[Upload]:
    """Uploads, newest first, optionally of one kind or one uploader."""
    stmt = select(Upload).order_by(Upload.id.desc()).limit(limit).offset(offset)
    if kind is not None:
        stmt = stmt.where(Upload.kind == kind)
    if uploaded_by is not None:
        stmt = stmt.where(Upload.uploaded_by == uploaded_by)
    return list(session.scalars(stmt))


def _findings(session: Session, upload_id: int) -> list[FindingOut]:
    rows = session.scalars(select(Finding).where(Finding.upload_id == upload_id).order_by(Finding.id))
    return [FindingOut(row=f.row, column=f.column, value=f.value, code=f.code, severity=f.severity,
                       message_zh=f.message_zh, message_en=f.message_en) for f in rows]


def get_report(*, session: Session, upload_id: int) -> ImportReport | None:
    """The import report of an upload as it was when the import finished."""
    upload = session.get(Upload, upload_id)
    if upload is None:
        return None
    return ImportReport(upload_id=upload.id, status=upload.status, kind=upload.kind, filename=upload.filename,
                        rows_read=upload.rows_read, rows_accepted=upload.rows_accepted,
                        rows_rejected=upload.rows_rejected, rows_changed=upload.rows_changed, warnings=upload.warnings,
                        findings=_findings(session, upload_id), content_sha256=upload.content_sha256)


def findings_csv(*, session: Session, upload_id: int) -> bytes:
    """The findings of an upload as CSV, UTF-8 with BOM so Excel shows Chinese; every cell inert."""
    return csv_bytes(FINDINGS_HEADER, finding_rows(f.to_dict() for f in _findings(session, upload_id)))


def raw_bytes(*, session: Session, upload_id: int) -> bytes | None:
    """The file exactly as uploaded, from the raw store; None if unknown."""
    upload = session.get(Upload, upload_id)
    if upload is None:
        return None
    path = get_settings().raw_dir / upload.content_sha256[:2] / upload.content_sha256
    return path.read_bytes() if path.exists() else None
