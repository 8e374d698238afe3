"""Load the hand-made buildings, statistics and audits of tests/data/analytics into a session.

kgce uses GB/T 2589 factors written out here by hand, so the expected figures in the tests can be
checked with a pocket calculator.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.services import rollups
from app.models import Building, ConsumptionRecord, ConsumptionSeries, EnergyAudit
from tests.conftest import DATA_DIR

ANALYTICS = DATA_DIR / "analytics"
CALORIFIC = {"electricity": 0.1229, "natural_gas": 1.2143, "district_heat": 0.03412}
GENERATION_ELECTRICITY = {2005: 0.370, 2008: 0.349}


def _months(spec: str) -> list[int]:
    months: list[int] = []
    for part in str(spec).split(";"):
        first, _, last = part.partition("-")
        months += list(range(int(first), int(last or first) + 1))
    return months


def load_analytics(session: Session) -> dict[str, int]:
    """Insert the CSV fixtures; return building code -> id."""
    buildings = pd.read_csv(ANALYTICS / "buildings.csv", dtype={"district_code": str, "benchmark_class": str})
    rows = []
    for b in buildings.to_dict("records"):
        clean = {k: (None if pd.isna(v) else v) for k, v in b.items()}
        clean["province_code"] = clean["district_code"][:2] + "0000"
        clean["city_code"] = clean["district_code"][:4] + "00"
        for key in ("occupants",):
            clean[key] = None if clean[key] is None else int(clean[key])
        rows.append(clean)
    session.execute(insert(Building), rows)
    ids = dict(session.execute(select(Building.code, Building.id)).all())

    consumption = pd.read_csv(ANALYTICS / "consumption.csv", dtype={"sub_item": str}, keep_default_na=False)
    series, records = set(), []
    for c in consumption.to_dict("records"):
        months = _months(c["months"])
        grain = "A" if months == [0] else "M"
        building_id = ids[c["building_code"]]
        series.add((building_id, c["carrier_code"], int(c["year"]), grain))
        quantity = float(c["quantity_per_month"])
        calorific = CALORIFIC[c["carrier_code"]]
        generation = GENERATION_ELECTRICITY[int(c["year"])] if c["carrier_code"] == "electricity" else calorific
        for month in months:
            records.append({
                "building_id": building_id, "carrier_code": c["carrier_code"], "year": int(c["year"]),
                "month": month, "grain": grain, "sub_item": c["sub_item"], "quantity_reported": quantity,
                "unit_reported": c["unit"], "quantity": quantity, "kgce_calorific": quantity * calorific,
                "kgce_generation": quantity * generation,
            })
    session.execute(insert(ConsumptionSeries), [
        {"building_id": b, "carrier_code": c, "year": y, "grain": g} for b, c, y, g in sorted(series)
    ])
    session.execute(insert(ConsumptionRecord), records)
    rollups.rebuild(session=session)

    audits = pd.read_csv(ANALYTICS / "audits.csv")
    session.execute(insert(EnergyAudit), [
        {"building_id": ids[a["building_code"]], "audit_year": int(a["audit_year"]), "auditor": a["auditor"]}
        for a in audits.to_dict("records")
    ])
    session.flush()
    return ids
