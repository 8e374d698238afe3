"""API fixtures: one app per database backend, a client bound to the rolled-back test session,
a small world of buildings from tests/data/api, and a user per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.api.deps import get_session
from app.api.main import create_app
from app.config import Settings, get_settings
from app.domain.regions import city_code, climate_zones_for, province_code
from app.models import (
    Building,
    BuildingHistory,
    ConsumptionHistory,
    ConsumptionRecord,
    ConsumptionSeries,
    EnergyAudit,
    RetrofitMeasure,
    User,
)
from app.security import create_access_token, hash_password
from app.services import analytics, rollups
from app.services.reference import climate_zone_prefixes
from tests.conftest import DATA_DIR

TEST_SECRET = "test-secret-key-for-the-api-suite-0123456789"
PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)

# username -> (role, region scope); the matrix roles are admin, official, auditor.
USERS = {
    "admin": ("admin", None),
    "official": ("official", "210000"),  # 辽宁: sees 沈阳 and 辽阳
    "auditor": ("auditor", "210100"),  # 沈阳 only
    "official_bj": ("official", "110000"),
    "official_nation": ("official", None),
}


@dataclass
class World:
    client: TestClient
    session: Session
    buildings: dict[str, Building]

    def headers(self, username: str | None) -> dict[str, str]:
        if username is None:
            return {}
        role, region = USERS[username]
        token, _ = create_access_token(username=username, role=role, region_code=region, secret_key=TEST_SECRET)
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def test_settings(database_url, tmp_path_factory) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=TEST_SECRET,
        data_dir=tmp_path_factory.mktemp("data"),
        max_upload_mb=1,
        public_rate_limit="100000/minute",  # the shared app is not throttled; test_disclosure_api tests the limit
    )


@pytest.fixture(scope="session")
def api_app(engine, test_settings) -> FastAPI:
    return create_app(settings=test_settings, engine=engine)


def load_world(session: Session) -> dict[str, Building]:
    """Buildings, consumption, an audit, history and users from tests/data/api."""
    frame = pd.read_csv(DATA_DIR / "api" / "buildings.csv", dtype={"district_code": str, "code": str})
    frame["climate_zone"] = climate_zones_for(frame["district_code"], climate_zone_prefixes(session=session))
    buildings: dict[str, Building] = {}
    for row in frame.astype(object).where(frame.notna(), None).to_dict("records"):
        building = Building(
            **row,
            province_code=province_code(row["district_code"]),
            city_code=city_code(row["district_code"]),
        )
        session.add(building)
        buildings[building.code] = building
    session.flush()

    records = pd.read_csv(DATA_DIR / "api" / "consumption.csv", dtype={"building_code": str, "sub_item": str})
    records["sub_item"] = records["sub_item"].fillna("")
    records["building_id"] = records["building_code"].map({c: b.id for c, b in buildings.items()})
    series = records[["building_id", "carrier_code", "year", "grain"]].drop_duplicates()
    session.add_all(ConsumptionSeries(**r) for r in series.to_dict("records"))
    session.flush()
    session.add_all(ConsumptionRecord(**r) for r in records.drop(columns=["building_code"]).to_dict("records"))
    session.flush()
    rollups.rebuild(session=session)

    shenyang = buildings["210102A001"]
    audit = EnergyAudit(
        building_id=shenyang.id, audit_year=2008, auditor="辽宁省建筑节能检测中心", occupants=600,
        electricity_kwh=1_026_000, hvac_kwh=399_000, total_kgce_calorific=189_235.4,
    )
    session.add(audit)
    session.flush()
    session.add(RetrofitMeasure(
        audit_id=audit.id, name="照明改造 LED lighting", category="lighting",
        investment_10k_cny=35.0, expected_saving_tce=42.5, payback_years=3.2,
    ))
    session.add(BuildingHistory(building_id=shenyang.id, old_values={"floor_area_m2": 11800.0}))
    first = session.query(ConsumptionRecord).filter_by(building_id=shenyang.id, year=2008, month=1, sub_item="").one()
    session.add(ConsumptionHistory(
        record_id=first.id, building_id=shenyang.id, carrier_code="electricity", year=2008, month=1, sub_item="",
        quantity_reported=79000, unit_reported="kWh", quantity=79000, kgce_calorific=9709.1, kgce_generation=27571.0,
    ))
    for username, (role, region) in USERS.items():
        session.add(User(username=username, password_hash=_PASSWORD_HASH, role=role, region_code=region))
    session.flush()
    return buildings


@pytest.fixture
def world(api_app, session, tmp_path, monkeypatch) -> Iterator[World]:
    # the ETL keeps raw files under the settings' data directory
    monkeypatch.setenv("JIENENG_DATA_DIR", str(tmp_path))
    # the dashboards decode the login cookie with the configured secret, as in production
    monkeypatch.setenv("JIENENG_SECRET_KEY", TEST_SECRET)
    get_settings.cache_clear()
    analytics.clear_cache()
    buildings = load_world(session)

    def test_session() -> Iterator[Session]:
        yield session
        session.flush()

    api_app.dependency_overrides[get_session] = test_session
    try:
        with TestClient(api_app, base_url="http://testserver") as client:
            yield World(client=client, session=session, buildings=buildings)
    finally:
        api_app.dependency_overrides.pop(get_session, None)
        get_settings.cache_clear()
        analytics.clear_cache()
