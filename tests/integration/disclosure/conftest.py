"""A small demo population (seeds.demo) with a building made incomplete, one without last year's data,
and one whose statistics came from an upload that raised a warning."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.models import Building, ConsumptionRecord, ConsumptionSeries, EnergyAudit, Finding, Upload
from app.services import rollups
from seeds.demo import generate

YEAR = 2008
REGION = "110000"


@dataclass
class Population:
    codes: list[str]  # the Beijing buildings, sorted
    incomplete: str  # 2008 missing a month
    no_previous: str  # no 2007 statistics at all
    flagged: str  # 2008 loaded by an upload with a warning
    audited: str  # audited in 2007


def make_population(session: Session) -> Population:
    generate(session, buildings_per_region=5, seed=2007)
    ids = dict(session.execute(select(Building.code, Building.id).where(Building.province_code == REGION)).all())
    codes = sorted(ids)
    incomplete, no_previous, flagged, audited = codes[0], codes[1], codes[2], codes[3]
    session.execute(delete(ConsumptionRecord).where(ConsumptionRecord.building_id == ids[incomplete],
                                                    ConsumptionRecord.year == YEAR, ConsumptionRecord.month == 7))
    session.execute(delete(ConsumptionRecord).where(ConsumptionRecord.building_id == ids[no_previous],
                                                    ConsumptionRecord.year == YEAR - 1))
    session.execute(delete(ConsumptionSeries).where(ConsumptionSeries.building_id == ids[no_previous],
                                                    ConsumptionSeries.year == YEAR - 1))
    upload = Upload(filename="bj-2008.csv", content_sha256="0" * 64, size_bytes=10, kind="consumption",
                    uploaded_by="auditor_x", status="loaded")
    session.add(upload)
    session.flush()
    session.add(Finding(upload_id=upload.id, row=7, column="quantity", value="99999", code="INTENSITY_IMPLAUSIBLE",
                        severity="warning", message_zh="不合理", message_en="implausible"))
    session.execute(update(ConsumptionRecord).where(ConsumptionRecord.building_id == ids[flagged],
                                                    ConsumptionRecord.year == YEAR).values(upload_id=upload.id))
    session.execute(delete(EnergyAudit).where(EnergyAudit.building_id.in_(list(ids.values()))))
    session.add(EnergyAudit(building_id=ids[audited], audit_year=YEAR - 1, auditor="北京市建筑节能审计所甲"))
    session.flush()
    rollups.rebuild(session=session)
    return Population(codes, incomplete, no_previous, flagged, audited)


@pytest.fixture
def population(session) -> Population:
    return make_population(session)
