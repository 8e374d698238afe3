"""Reads behind one building's page: its consumption, sub-items, audits, sources and changed values."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, literal, select, union
from sqlalchemy.orm import Session

from app.models import (
    Building,
    BuildingClass,
    BuildingHistory,
    ConsumptionHistory,
    ConsumptionRecord,
    ElectricitySubItem,
    EnergyAudit,
    EnergyCarrier,
    Region,
    RetrofitMeasure,
    Upload,
)


def building_by_code(*, session: Session, code: str) -> dict | None:
    """The building's attributes with its class and city/province names, or None."""
    city = Region.__table__.alias("city")
    province = Region.__table__.alias("province")
    stmt = (
        select(Building.__table__, BuildingClass.name_zh.label("class_name_zh"), BuildingClass.name_en.label("class_name_en"),
               city.c.name_zh.label("city_name_zh"), city.c.name_en.label("city_name_en"),
               province.c.name_zh.label("province_name_zh"), province.c.name_en.label("province_name_en"))
        .join(BuildingClass, BuildingClass.code == Building.building_class)
        .outerjoin(city, city.c.code == Building.city_code)
        .outerjoin(province, province.c.code == Building.province_code)
        .where(Building.code == code)
    )
    row = session.execute(stmt).mappings().first()
    return dict(row) if row else None


def monthly_consumption(*, session: Session, building_id: int) -> pd.DataFrame:
    """Whole-meter quantities by carrier, year and month (0 = annual) in canonical units and kgce."""
    stmt = (
        select(ConsumptionRecord.carrier_code, EnergyCarrier.name_zh.label("carrier_name_zh"),
               EnergyCarrier.name_en.label("carrier_name_en"), EnergyCarrier.canonical_unit.label("unit"),
               ConsumptionRecord.year, ConsumptionRecord.month, ConsumptionRecord.quantity,
               ConsumptionRecord.kgce_calorific, ConsumptionRecord.kgce_generation)
        .join(EnergyCarrier, EnergyCarrier.code == ConsumptionRecord.carrier_code)
        .where(ConsumptionRecord.building_id == building_id, ConsumptionRecord.sub_item == "")
        .order_by(ConsumptionRecord.carrier_code, ConsumptionRecord.year, ConsumptionRecord.month)
    )
    return pd.read_sql(stmt, session.connection())


def sub_item_totals(*, session: Session, building_id: int, year: int) -> pd.DataFrame:
    """Electricity by sub-item (kWh) for one year."""
    stmt = (
        select(ConsumptionRecord.sub_item, ElectricitySubItem.name_zh, ElectricitySubItem.name_en,
               func.sum(ConsumptionRecord.quantity).label("kwh"))
        .join(ElectricitySubItem, ElectricitySubItem.code == ConsumptionRecord.sub_item)
        .where(ConsumptionRecord.building_id == building_id, ConsumptionRecord.year == year,
               ConsumptionRecord.carrier_code == "electricity", ConsumptionRecord.sub_item != "")
        .group_by(ConsumptionRecord.sub_item, ElectricitySubItem.name_zh, ElectricitySubItem.name_en)
        .order_by(ConsumptionRecord.sub_item)
    )
    return pd.read_sql(stmt, session.connection())


def audits_with_measures(*, session: Session, building_id: int) -> pd.DataFrame:
    """The building's audits, one row per proposed measure (audits without measures kept once)."""
    stmt = (
        select(EnergyAudit.audit_year, EnergyAudit.auditor, EnergyAudit.total_kgce_calorific,
               RetrofitMeasure.name.label("measure"), RetrofitMeasure.category, RetrofitMeasure.investment_10k_cny,
               RetrofitMeasure.expected_saving_tce, RetrofitMeasure.payback_years)
        .outerjoin(RetrofitMeasure, RetrofitMeasure.audit_id == EnergyAudit.id)
        .where(EnergyAudit.building_id == building_id)
        .order_by(EnergyAudit.audit_year.desc(), RetrofitMeasure.name)
    )
    return pd.read_sql(stmt, session.connection())


def supplying_uploads(*, session: Session, building_id: int) -> pd.DataFrame:
    """The uploads that supplied the building's attributes, consumption, audits or replaced values."""
    ids = union(
        select(Building.upload_id.label("upload_id")).where(Building.id == building_id),
        select(ConsumptionRecord.upload_id).where(ConsumptionRecord.building_id == building_id),
        select(ConsumptionHistory.upload_id).where(ConsumptionHistory.building_id == building_id),
        select(EnergyAudit.upload_id).where(EnergyAudit.building_id == building_id),
    ).subquery()
    stmt = (
        select(Upload.id.label("upload_id"), Upload.filename, Upload.kind, Upload.uploaded_by, Upload.uploaded_at,
               Upload.status, Upload.rows_accepted, Upload.rows_rejected)
        .where(Upload.id.in_(select(ids.c.upload_id).where(ids.c.upload_id.is_not(None))))
        .order_by(Upload.uploaded_at.desc(), Upload.id.desc())
    )
    return pd.read_sql(stmt, session.connection())


def value_history(*, session: Session, building_id: int, limit: int = 200) -> pd.DataFrame:
    """Consumption values replaced by later uploads, with the value now in force, newest first."""
    stmt = (
        select(ConsumptionHistory.carrier_code, ConsumptionHistory.year, ConsumptionHistory.month,
               ConsumptionHistory.sub_item, ConsumptionHistory.quantity_reported.label("old_quantity_reported"),
               ConsumptionHistory.unit_reported.label("old_unit_reported"),
               ConsumptionRecord.quantity_reported.label("new_quantity_reported"),
               ConsumptionRecord.unit_reported.label("new_unit_reported"),
               ConsumptionHistory.upload_id, ConsumptionHistory.superseded_by_upload_id, ConsumptionHistory.superseded_at,
               literal("consumption").label("kind"))
        .join(ConsumptionRecord, ConsumptionRecord.id == ConsumptionHistory.record_id)
        .where(ConsumptionHistory.building_id == building_id)
        .order_by(ConsumptionHistory.superseded_at.desc(), ConsumptionHistory.id.desc())
        .limit(limit)
    )
    return pd.read_sql(stmt, session.connection())


def replaced_by_upload(*, session: Session, upload_id: int, limit: int = 1000) -> pd.DataFrame:
    """Stored values an upload replaced: consumption values (old and new) and building attributes (old values).

    Columns: kind ('consumption' | 'building'), building_code, carrier_code, year, month, sub_item, old_quantity_reported,
    old_unit_reported, new_quantity_reported, new_unit_reported, old_values (building attributes as they were).
    """
    consumption = pd.read_sql(
        select(literal("consumption").label("kind"), Building.code.label("building_code"), ConsumptionHistory.carrier_code,
               ConsumptionHistory.year, ConsumptionHistory.month, ConsumptionHistory.sub_item,
               ConsumptionHistory.quantity_reported.label("old_quantity_reported"),
               ConsumptionHistory.unit_reported.label("old_unit_reported"),
               ConsumptionRecord.quantity_reported.label("new_quantity_reported"),
               ConsumptionRecord.unit_reported.label("new_unit_reported"))
        .join(ConsumptionRecord, ConsumptionRecord.id == ConsumptionHistory.record_id)
        .join(Building, Building.id == ConsumptionHistory.building_id)
        .where(ConsumptionHistory.superseded_by_upload_id == upload_id)
        .order_by(Building.code, ConsumptionHistory.carrier_code, ConsumptionHistory.year, ConsumptionHistory.month,
                  ConsumptionHistory.sub_item)
        .limit(limit),
        session.connection())
    buildings = session.execute(
        select(Building.code, BuildingHistory.old_values)
        .join(Building, Building.id == BuildingHistory.building_id)
        .where(BuildingHistory.superseded_by_upload_id == upload_id)
        .order_by(Building.code).limit(limit)).all()
    attributes = pd.DataFrame({"kind": "building", "building_code": [code for code, _ in buildings],
                               "old_values": [dict(values or {}) for _, values in buildings]})
    frames_ = [f for f in (consumption, attributes) if not f.empty]
    columns = [*consumption.columns, "old_values"]
    return pd.concat(frames_, ignore_index=True).reindex(columns=columns) if frames_ else pd.DataFrame(columns=columns)
