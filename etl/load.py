"""Set-based loading inside the caller's transaction.

Consumption: chunks go into a temporary staging table (COPY on PostgreSQL, executemany on SQLite),
then one merge writes the grain rows, the history of values about to be replaced, and the upsert
that skips unchanged rows. Buildings and audits are small: they are diffed against the stored rows
fetched with one query per chunk and upserted with executemany.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import func, select, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.bulk import copy_frame, insert_frame
from app.services import rollups
from app.models import (
    AuditCarrierTotal,
    Building,
    BuildingHistory,
    EnergyAudit,
    Finding,
    RetrofitMeasure,
)

STAGE = "etl_stage_consumption"
STAGE_COLUMNS = ["building_id", "carrier_code", "year", "month", "grain", "sub_item", "quantity_reported",
                 "unit_reported", "quantity", "kgce_calorific", "kgce_generation", "coverage"]
VALUE_COLUMNS = ["quantity_reported", "unit_reported", "quantity", "kgce_calorific", "kgce_generation", "coverage"]
KEY_COLUMNS = ["building_id", "carrier_code", "year", "month", "sub_item"]
IN_BATCH = 20_000


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def dbapi(session: Session):
    """The driver connection underneath the session's current transaction."""
    return session.connection().connection.driver_connection


def batched(values: list, size: int = IN_BATCH):
    for start in range(0, len(values), size):
        yield values[start:start + size]


class ConsumptionStage:
    """A temporary staging table for one upload's consumption records."""

    def __init__(self, session: Session):
        self.session = session
        self.pg = is_postgres(session)
        self.rows = 0
        conn = session.connection()
        if not self.pg:
            conn.exec_driver_sql("PRAGMA temp_store = MEMORY")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {STAGE}")
        conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {STAGE} (building_id INTEGER NOT NULL, carrier_code VARCHAR(32) NOT NULL, "
            "year INTEGER NOT NULL, month INTEGER NOT NULL, grain VARCHAR(1) NOT NULL, sub_item VARCHAR(1) NOT NULL, "
            "quantity_reported DOUBLE PRECISION NOT NULL, unit_reported VARCHAR(16) NOT NULL, "
            "quantity DOUBLE PRECISION NOT NULL, kgce_calorific DOUBLE PRECISION NOT NULL, "
            "kgce_generation DOUBLE PRECISION NOT NULL, coverage DOUBLE PRECISION)"
        )

    def add(self, frame: pd.DataFrame) -> None:
        """Append accepted records (columns STAGE_COLUMNS) to the staging table."""
        if frame.empty:
            return
        if "coverage" not in frame:
            frame = frame.assign(coverage=np.nan)
        frame = frame[STAGE_COLUMNS]
        raw = dbapi(self.session)
        if self.pg:
            with raw.cursor() as cur:
                copy_frame(cur, STAGE, frame)
        else:
            placeholders = ", ".join("?" * len(STAGE_COLUMNS))
            cur = raw.cursor()
            cur.executemany(f"INSERT INTO {STAGE} VALUES ({placeholders})", frame.itertuples(index=False, name=None))
            cur.close()
        self.rows += len(frame)

    def merge(self, upload_id: int) -> int:
        """Grain rows, history of replaced values, then the upsert; returns records inserted or changed."""
        conn = self.session.connection()
        differs = " OR ".join(f"r.{c} IS DISTINCT FROM s.{c}" if self.pg else f"r.{c} IS NOT s.{c}" for c in VALUE_COLUMNS)
        differs_ex = " OR ".join(
            f"consumption_records.{c} IS DISTINCT FROM excluded.{c}" if self.pg else f"consumption_records.{c} IS NOT excluded.{c}"
            for c in VALUE_COLUMNS)
        key_join = " AND ".join(f"r.{c} = s.{c}" for c in KEY_COLUMNS)
        now = datetime.now(UTC)
        conn.execute(text(
            "INSERT INTO consumption_series (building_id, carrier_code, year, grain) "
            f"SELECT DISTINCT building_id, carrier_code, year, grain FROM {STAGE} WHERE true ON CONFLICT DO NOTHING"))
        conn.execute(text(
            "INSERT INTO consumption_history (record_id, building_id, carrier_code, year, month, sub_item, "
            "quantity_reported, unit_reported, quantity, kgce_calorific, kgce_generation, coverage, upload_id, "
            "superseded_by_upload_id, superseded_at) "
            "SELECT r.id, r.building_id, r.carrier_code, r.year, r.month, r.sub_item, r.quantity_reported, "
            "r.unit_reported, r.quantity, r.kgce_calorific, r.kgce_generation, r.coverage, r.upload_id, :upload_id, :now "
            f"FROM {STAGE} s JOIN consumption_records r ON {key_join} WHERE {differs}"),
            {"upload_id": upload_id, "now": now})
        columns = ", ".join(STAGE_COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in VALUE_COLUMNS + ["upload_id", "updated_at"])
        result = conn.execute(text(
            f"INSERT INTO consumption_records ({columns}, upload_id, updated_at) "
            f"SELECT {columns}, :upload_id, :now FROM {STAGE} WHERE true "
            f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET {updates} WHERE {differs_ex}"),
            {"upload_id": upload_id, "now": now})
        changed = max(result.rowcount or 0, 0)
        if changed:
            rollups.refresh_staged(session=self.session, stage_table=STAGE)
        return changed

    def drop(self) -> None:
        self.session.connection().exec_driver_sql(f"DROP TABLE IF EXISTS {STAGE}")


FINDING_COLUMNS = ["row", "column", "value", "code", "severity", "message_zh", "message_en"]


def store_findings(session: Session, upload_id: int, findings: list) -> int:
    """Store an upload's findings in one bulk write (COPY on PostgreSQL), in their order."""
    if not findings:
        return 0
    frame = pd.DataFrame([[getattr(f, c) for c in FINDING_COLUMNS] for f in findings], columns=FINDING_COLUMNS)
    frame["row"] = frame["row"].astype("Int64")
    frame.insert(0, "upload_id", upload_id)
    return insert_frame(session, Finding.__table__, frame)


def _insert(session: Session, model):
    return (postgresql.insert if is_postgres(session) else sqlite.insert)(model)


def _same(a, b) -> bool:
    if a is None or (isinstance(a, float) and np.isnan(a)):
        return b is None or (isinstance(b, float) and np.isnan(b))
    if isinstance(a, float) or isinstance(b, float):
        return b is not None and a is not None and float(a) == float(b)
    return a == b


def _plain(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def upsert_buildings(session: Session, frame: pd.DataFrame, columns: list[str], upload_id: int) -> int:
    """Insert new buildings and update changed ones by code, keeping replaced values in history."""
    if frame.empty:
        return 0
    existing: dict[str, dict] = {}
    codes = frame["building_code"].tolist()
    for batch in batched(codes):
        for row in session.execute(select(Building.id, Building.code, *[getattr(Building, c) for c in columns])
                                   .where(Building.code.in_(batch))).mappings():
            existing[row["code"]] = dict(row)
    records, history, moved_districts = [], [], []
    now = datetime.now(UTC)
    for rec in frame[["building_code", *columns]].to_dict("records"):
        values = {c: _plain(rec[c]) for c in columns}
        old = existing.get(rec["building_code"])
        if old is not None:
            changed = {c: old[c] for c in columns if not _same(values[c], old[c])}
            if not changed:
                continue
            if "district_code" in changed:
                moved_districts += [old["district_code"], values["district_code"]]
            history.append({"building_id": old["id"], "old_values": {c: _plain(old[c]) for c in columns},
                            "superseded_by_upload_id": upload_id, "superseded_at": now})
        records.append({"code": rec["building_code"], **values, "upload_id": upload_id, "updated_at": now})
    if history:
        prior = dict(session.execute(select(Building.id, Building.upload_id)
                                     .where(Building.id.in_([h["building_id"] for h in history]))).all())
        for h in history:
            h["upload_id"] = prior.get(h["building_id"])
        session.execute(_insert(session, BuildingHistory), history)
    if records:
        stmt = _insert(session, Building)
        stmt = stmt.on_conflict_do_update(index_elements=[Building.code],
                                          set_={c: getattr(stmt.excluded, c) for c in [*columns, "upload_id", "updated_at"]})
        session.execute(stmt, records)
    # a building that changed district moves its consumption between two districts' area totals
    rollups.refresh_districts(session=session, district_codes=moved_districts)
    return len(records)


def upsert_audits(session: Session, audits: pd.DataFrame, totals: pd.DataFrame, measures: pd.DataFrame,
                  audit_columns: list[str], upload_id: int) -> int:
    """Upsert audits by (building, year), then their carrier totals and measures; returns rows changed."""
    if audits.empty:
        return 0
    keys = list(zip(audits["building_id"].astype(int), audits["audit_year"].astype(int), strict=True))
    existing: dict[tuple[int, int], dict] = {}
    for batch in batched(keys):
        stmt = select(EnergyAudit.id, EnergyAudit.building_id, EnergyAudit.audit_year,
                      *[getattr(EnergyAudit, c) for c in audit_columns]).where(
            tuple_(EnergyAudit.building_id, EnergyAudit.audit_year).in_(batch))
        for row in session.execute(stmt).mappings():
            existing[(row["building_id"], row["audit_year"])] = dict(row)
    now = datetime.now(UTC)
    changed_keys, records = set(), []
    for rec in audits.to_dict("records"):
        key = (int(rec["building_id"]), int(rec["audit_year"]))
        values = {c: _plain(rec.get(c)) for c in audit_columns}
        old = existing.get(key)
        if old is not None and all(_same(values[c], old[c]) for c in audit_columns):
            continue
        changed_keys.add(key)
        records.append({"building_id": key[0], "audit_year": key[1], **values, "upload_id": upload_id, "updated_at": now})
    if records:
        stmt = _insert(session, EnergyAudit)
        stmt = stmt.on_conflict_do_update(index_elements=[EnergyAudit.building_id, EnergyAudit.audit_year],
                                          set_={c: getattr(stmt.excluded, c) for c in [*audit_columns, "upload_id", "updated_at"]})
        session.execute(stmt, records)
    ids: dict[tuple[int, int], int] = {}
    for batch in batched(keys):
        for audit_id, b, y in session.execute(select(EnergyAudit.id, EnergyAudit.building_id, EnergyAudit.audit_year)
                                              .where(tuple_(EnergyAudit.building_id, EnergyAudit.audit_year).in_(batch))):
            ids[(b, y)] = audit_id
    changed = len(records)
    changed += _upsert_children(session, AuditCarrierTotal, totals, ids, "carrier_code",
                                ["quantity_reported", "unit_reported", "quantity", "kgce_calorific", "kgce_generation"], changed_keys)
    changed += _upsert_children(session, RetrofitMeasure, measures, ids, "name",
                                ["category", "investment_10k_cny", "expected_saving_tce", "payback_years"], changed_keys)
    return changed


def _upsert_children(session: Session, model, frame: pd.DataFrame, ids: dict, key: str, columns: list[str],
                     changed_keys: set) -> int:
    if frame.empty:
        return 0
    audit_ids = sorted(set(ids.values()))
    existing = {}
    for batch in batched(audit_ids):
        for row in session.execute(select(model.audit_id, getattr(model, key), *[getattr(model, c) for c in columns])
                                   .where(model.audit_id.in_(batch))).mappings():
            existing[(row["audit_id"], row[key])] = dict(row)
    records = []
    for rec in frame.to_dict("records"):
        audit_key = (int(rec["building_id"]), int(rec["audit_year"]))
        audit_id = ids[audit_key]
        values = {c: _plain(rec.get(c)) for c in columns}
        old = existing.get((audit_id, rec[key]))
        if old is not None and all(_same(values[c], old[c]) for c in columns):
            continue
        records.append({"audit_id": audit_id, key: rec[key], **values})
    if records:
        stmt = _insert(session, model)
        stmt = stmt.on_conflict_do_update(index_elements=[model.audit_id, getattr(model, key)],
                                          set_={c: getattr(stmt.excluded, c) for c in columns})
        session.execute(stmt, records)
    return len(records)


def series_grains(session: Session, building_ids: list[int]) -> pd.DataFrame:
    """Stored grains (building_id, carrier_code, year, grain) of the given buildings."""
    from app.models import ConsumptionSeries

    parts = []
    for batch in batched(building_ids):
        rows = session.execute(select(ConsumptionSeries.building_id, ConsumptionSeries.carrier_code,
                                      ConsumptionSeries.year, ConsumptionSeries.grain)
                               .where(ConsumptionSeries.building_id.in_(batch))).all()
        parts.append(pd.DataFrame(rows, columns=["building_id", "carrier_code", "year", "grain"]))
    if not parts:
        return pd.DataFrame(columns=["building_id", "carrier_code", "year", "grain"])
    return pd.concat(parts, ignore_index=True)


def count_rows(session: Session, model) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0
