"""ORM models, one module per aggregate; importing this package registers every table."""

from app.models.audit import AuditCarrierTotal, EnergyAudit, RetrofitMeasure
from app.models.building import Building, BuildingHistory
from app.models.consumption import ConsumptionHistory, ConsumptionRecord, ConsumptionSeries
from app.models.disclosure import DisclosureEntry, DisclosureItem, DisclosureList, DisclosureVersion
from app.models.mapping import MappingProfile
from app.models.reference import (
    Benchmark,
    BuildingClass,
    ClimateZone,
    ConversionFactor,
    DistrictClimateZone,
    ElectricitySubItem,
    EnergyCarrier,
    Region,
    Unit,
)
from app.models.rollup import AreaMonthTotal, BuildingYearTotal
from app.models.target import SavingTarget
from app.models.upload import Finding, Upload
from app.models.user import LoginAttempt, User
from app.models.weather import TypicalDegreeDays, WeatherHistory, WeatherMonth

__all__ = [
    "AreaMonthTotal",
    "AuditCarrierTotal",
    "Benchmark",
    "Building",
    "BuildingClass",
    "BuildingHistory",
    "BuildingYearTotal",
    "ClimateZone",
    "ConsumptionHistory",
    "ConsumptionRecord",
    "ConsumptionSeries",
    "ConversionFactor",
    "DisclosureEntry",
    "DisclosureItem",
    "DisclosureList",
    "DisclosureVersion",
    "DistrictClimateZone",
    "ElectricitySubItem",
    "EnergyAudit",
    "EnergyCarrier",
    "Finding",
    "LoginAttempt",
    "MappingProfile",
    "Region",
    "RetrofitMeasure",
    "SavingTarget",
    "TypicalDegreeDays",
    "Unit",
    "Upload",
    "User",
    "WeatherHistory",
    "WeatherMonth",
]
