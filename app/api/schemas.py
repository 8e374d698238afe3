"""Request and response bodies of the API (documented in the OpenAPI schema with examples)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive timestamps; the database stores UTC, so say so (RFC 3339 needs an offset)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


UtcDatetime = Annotated[datetime, AfterValidator(as_utc)]


class Orm(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class TokenOut(BaseModel):
    access_token: str = Field(examples=["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9..."])
    token_type: str = Field(default="bearer", examples=["bearer"])
    expires_at: UtcDatetime = Field(description="Expiry (UTC)")
    expires_in: int = Field(description="Seconds until expiry", examples=[28800])


class MeOut(BaseModel):
    username: str = Field(examples=["liaoning_official"])
    role: str = Field(examples=["official"])
    region_code: str | None = Field(description="None = national scope", examples=["210000"])
    region_name_zh: str | None = Field(default=None, examples=["辽宁省"])
    region_name_en: str | None = Field(default=None, examples=["Liaoning"])


class UserIn(BaseModel):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$", examples=["shenyang_auditor"])
    password: str = Field(min_length=8, max_length=256, examples=["a-long-passphrase"])
    role: str = Field(pattern=r"^(admin|official|auditor)$", examples=["auditor"])
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$", examples=["210100"])


class UserOut(Orm):
    username: str
    role: str
    region_code: str | None
    is_active: bool
    created_at: UtcDatetime | None = None


class RegionOut(Orm):
    code: str = Field(examples=["210100"])
    name_zh: str = Field(examples=["沈阳市"])
    name_en: str = Field(examples=["Shenyang"])
    level: str = Field(examples=["city"])
    parent_code: str | None = Field(examples=["210000"])
    is_demonstration: bool
    climate_zone: str | None = Field(examples=["severe_cold"])


class BuildingOut(Orm):
    code: str = Field(examples=["110105A001"])
    name: str = Field(examples=["朝阳区政务服务中心"])
    district_code: str = Field(examples=["110105"])
    province_code: str = Field(examples=["110000"])
    city_code: str = Field(examples=["110100"])
    climate_zone: str | None
    building_class: str = Field(examples=["A"])
    is_government_office: bool
    is_large_public: bool
    floor_area_m2: float = Field(examples=[24500.0])
    ac_area_m2: float | None
    heated_area_m2: float | None
    year_built: int | None
    floors: int | None
    occupants: int | None
    operating_hours_per_year: float | None
    benchmark_class: str | None


class BuildingPageOut(BaseModel):
    total: int = Field(description="Buildings matching the filters", examples=[1234])
    page: int = Field(examples=[1])
    page_size: int = Field(examples=[50])
    items: list[BuildingOut]


class AnnualTotalOut(BaseModel):
    year: int = Field(examples=[2008])
    carrier_code: str = Field(examples=["electricity"])
    grain: str = Field(description="A annual, M monthly", examples=["M"])
    periods_reported: int = Field(description="Months (or 1 annual figure) reported", examples=[12])
    quantity: float = Field(description="In the carrier's canonical unit", examples=[2150000.0])
    kgce_calorific: float
    kgce_generation: float


class BuildingDetailOut(BaseModel):
    building: BuildingOut
    annual_totals: list[AnnualTotalOut] = Field(description="Whole-meter totals by year and carrier")
    indicators: list[dict[str, Any]] = Field(description="Indicators and benchmark status by year")
    audits: list[dict[str, Any]] = Field(description="Energy audits with carrier totals and retrofit measures")
    history: dict[str, list[dict[str, Any]]] = Field(description="Superseded attribute and consumption values")


class ConsumptionOut(Orm):
    carrier_code: str = Field(examples=["electricity"])
    year: int = Field(examples=[2008])
    month: int = Field(description="0 = annual figure", examples=[7])
    grain: str
    sub_item: str = Field(description="'' whole meter, A-D electricity sub-items", examples=[""])
    quantity_reported: float
    unit_reported: str = Field(examples=["万kWh"])
    quantity: float = Field(description="In the carrier's canonical unit")
    kgce_calorific: float
    kgce_generation: float
    upload_id: int | None


class ConsumptionPageOut(BaseModel):
    building_code: str
    records: list[ConsumptionOut]


class HealthOut(BaseModel):
    status: str = Field(examples=["ok"])
    database: str = Field(examples=["ok"])
    indicators: str = Field(
        default="off", examples=["current"],
        description="National indicators precomputed for the current data in this process: current, refreshing or off",
    )


def clean(value: Any) -> Any:
    """JSON-safe copy: NaN/inf become None, numpy and pandas scalars become Python ones."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 1) == 0:
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is not None and type(value).__name__ in ("NAType", "NaTType"):
        return None
    if hasattr(value, "isoformat") and hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return as_utc(value)
    return value


def frame_records(frame: Any) -> list[dict[str, Any]]:
    """A DataFrame as a list of JSON-safe dicts."""
    return clean(frame.to_dict(orient="records"))
