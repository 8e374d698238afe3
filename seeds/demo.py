"""Deterministic demo population: buildings in the 21 demonstration regions, monthly statistics
2005-2008 with seasonality and a regional trend, and energy audits with retrofit measures.

Everything derives from one numpy Generator seeded by ``seed``, so the same arguments always give the
same data. ``build_population`` is pure (returns DataFrames); ``generate`` loads them set-based.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app import gbcodes
from app.bulk import insert_frame
from app.domain.regions import city_code, climate_zones_for, province_code
from app.domain.units import convert
from app.models import AuditCarrierTotal, Building, ConsumptionRecord, ConsumptionSeries, EnergyAudit, RetrofitMeasure
from app.services import rollups
from app.services.reference import climate_zone_prefixes, conversion_tables, list_regions

YEARS = (2005, 2006, 2007, 2008)
DISTRICT_YEAR = 2007
NORTH = {"severe_cold", "cold"}

# class: (share, median floor area m2, electricity kWh/(m2*a), gas m3/(m2*a), annual hours)
CLASS_PROFILE = {
    "A": (0.45, 12_000, 75.0, 1.2, 2_600),
    "B": (0.12, 30_000, 190.0, 0.8, 4_300),
    "C": (0.12, 25_000, 140.0, 6.0, 8_760),
    "D": (0.10, 15_000, 45.0, 0.8, 2_200),
    "E": (0.10, 22_000, 110.0, 4.0, 8_760),
    "F": (0.03, 18_000, 60.0, 1.0, 3_000),
    "G": (0.05, 35_000, 120.0, 2.0, 4_000),
    "H": (0.03, 8_000, 55.0, 0.5, 2_500),
}
# Month weights of electricity (cooling peak) and heat (heating season) by climate zone.
COOLING = np.array([0.9, 0.85, 0.85, 0.9, 1.0, 1.2, 1.35, 1.35, 1.15, 0.95, 0.85, 0.9])
HEAT_SEASON = {
    "severe_cold": np.array([1.0, 0.9, 0.75, 0.35, 0, 0, 0, 0, 0, 0.3, 0.8, 1.0]),
    "cold": np.array([1.0, 0.9, 0.6, 0, 0, 0, 0, 0, 0, 0, 0.6, 1.0]),
}
# Heat demand, MJ per m2 of heated area per year.
HEAT_MJ_M2 = {"severe_cold": 420.0, "cold": 300.0}
MEASURES = [
    ("照明系统节能改造 lighting retrofit", "lighting"),
    ("空调系统变频改造 HVAC variable-speed drives", "hvac"),
    ("热回收与管网保温 heat recovery and pipe insulation", "heating"),
    ("分项计量系统建设 sub-metering installation", "metering"),
    ("电梯能量回馈 lift energy regeneration", "power"),
]


@dataclass
class Population:
    buildings: pd.DataFrame
    consumption: pd.DataFrame  # building_code, carrier_code, year, month, sub_item, quantity, unit
    audits: pd.DataFrame
    audit_totals: pd.DataFrame
    measures: pd.DataFrame


def build_population(*, regions: pd.DataFrame, prefix_zones: dict[str, str], buildings_per_region: int,
                     seed: int, years: tuple[int, ...] = YEARS) -> Population:
    """The demo population as DataFrames (no database)."""
    rng = np.random.default_rng(seed)
    buildings = _buildings(rng, regions, prefix_zones, buildings_per_region)
    consumption = _consumption(rng, buildings, regions, years)
    audits, audit_totals, measures = _audits(rng, buildings, consumption)
    return Population(buildings, consumption, audits, audit_totals, measures)


def _buildings(rng, regions: pd.DataFrame, prefix_zones: dict[str, str], per_region: int) -> pd.DataFrame:
    classes = list(CLASS_PROFILE)
    shares = np.array([CLASS_PROFILE[c][0] for c in classes])
    frames = []
    for region in regions.itertuples(index=False):
        prefix = region.code[:2] if region.code.endswith("0000") else region.code[:4]
        districts = gbcodes.county_codes(prefix, DISTRICT_YEAR)
        n = per_region
        frame = pd.DataFrame({
            "district_code": rng.choice(districts, size=n),
            "building_class": rng.choice(classes, size=n, p=shares / shares.sum()),
        })
        median = frame.building_class.map({c: p[1] for c, p in CLASS_PROFILE.items()}).to_numpy()
        frame["floor_area_m2"] = np.round(np.maximum(1_500, median * rng.lognormal(0, 0.55, n)), 1)
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    n = len(frame)
    sequence = frame.groupby(["district_code", "building_class"]).cumcount() + 1
    frame["code"] = frame.district_code + frame.building_class + sequence.map("{:03d}".format)
    frame["province_code"] = frame.district_code.map(province_code)
    frame["city_code"] = frame.district_code.map(city_code)
    frame["climate_zone"] = climate_zones_for(frame.district_code, prefix_zones)
    frame["is_government_office"] = (frame.building_class == "A") & (rng.random(n) < 0.55)
    frame["is_large_public"] = frame.floor_area_m2 > 20_000
    frame["ac_area_m2"] = np.round(frame.floor_area_m2 * rng.uniform(0.55, 0.9, n), 1)
    north = frame.climate_zone.isin(NORTH)
    frame["heated_area_m2"] = np.round(frame.floor_area_m2 * rng.uniform(0.85, 1.0, n), 1).where(north)
    frame["year_built"] = rng.integers(1975, 2005, n)
    frame["floors"] = np.clip((frame.floor_area_m2 / rng.uniform(1_200, 2_500, n)).round(), 2, 60).astype("int64")
    per_person = np.where(frame.building_class == "A", rng.uniform(8, 25, n), rng.uniform(15, 60, n))
    frame["occupants"] = np.maximum(20, (frame.floor_area_m2 / per_person).round()).astype("int64")
    hours = frame.building_class.map({c: p[4] for c, p in CLASS_PROFILE.items()}).to_numpy()
    frame["operating_hours_per_year"] = np.round(np.minimum(8_760, hours * rng.uniform(0.85, 1.15, n)))
    frame["benchmark_class"] = np.where(rng.random(n) < 0.35, "A", "B")
    names = frame.district_code.map(lambda c: gbcodes.name(c, DISTRICT_YEAR))
    kind = frame.building_class.map(dict(zip(classes, ["办公楼", "商场", "宾馆", "教学楼", "医院", "体育馆", "综合楼", "公共建筑"], strict=True)))
    owner = np.where(frame.is_government_office, "政府", "")
    frame["name"] = names + owner + kind + sequence.astype(str) + "号"
    return frame[[
        "code", "name", "district_code", "province_code", "city_code", "climate_zone", "building_class",
        "is_government_office", "is_large_public", "floor_area_m2", "ac_area_m2", "heated_area_m2", "year_built",
        "floors", "occupants", "operating_hours_per_year", "benchmark_class",
    ]]


def _region_trend(regions: pd.DataFrame, seed: int) -> dict[str, float]:
    """Yearly change of consumption by province: most regions save, a few grow."""
    rng = np.random.default_rng(seed + 1)
    return {code[:2]: float(rng.uniform(-0.07, 0.025)) for code in sorted(regions.code)}


def _consumption(rng, buildings: pd.DataFrame, regions: pd.DataFrame, years: tuple[int, ...]) -> pd.DataFrame:
    trend = _region_trend(regions, int(rng.integers(1 << 30)))
    n = len(buildings)
    elec_intensity = buildings.building_class.map({c: p[2] for c, p in CLASS_PROFILE.items()}).to_numpy()
    south = ~buildings.climate_zone.isin(NORTH).to_numpy()
    elec_annual = buildings.floor_area_m2.to_numpy() * elec_intensity * np.where(south, 1.15, 1.0) * rng.lognormal(0, 0.25, n)
    gas_intensity = buildings.building_class.map({c: p[3] for c, p in CLASS_PROFILE.items()}).to_numpy()
    has_gas = rng.random(n) < 0.7
    gas_annual = buildings.floor_area_m2.to_numpy() * gas_intensity * rng.lognormal(0, 0.3, n)
    heat_per_m2 = buildings.climate_zone.map(HEAT_MJ_M2).fillna(0).to_numpy()
    heat_annual = buildings.heated_area_m2.fillna(0).to_numpy() * heat_per_m2 * rng.lognormal(0, 0.2, n)
    yearly_change = buildings.province_code.str[:2].map(trend).to_numpy()
    # A few buildings report gas as one annual figure; a few miss a month of electricity.
    gas_annual_only = rng.random(n) < 0.08
    missing_month = np.where(rng.random(n) < 0.03, rng.integers(1, 13, n), 0)
    # Sub-metered buildings also report electricity by sub-item (A lighting, B HVAC, C power, D special).
    metered = rng.random(n) < 0.1
    sub_shares = rng.dirichlet([4, 4, 2, 1], size=n)

    frames = []
    codes = buildings.code.to_numpy()
    zones = buildings.climate_zone.to_numpy()
    heat_weights = np.array([HEAT_SEASON.get(z, np.zeros(12)) for z in zones]).reshape(n, 12)
    heat_season = np.maximum(heat_weights.sum(axis=1), 1e-9)
    for y_index, year in enumerate(years):
        scale = (1 + yearly_change) ** y_index * rng.lognormal(0, 0.03, n)
        for month in range(1, 13):
            noise = rng.lognormal(0, 0.06, n)
            elec = elec_annual * scale * noise * COOLING[month - 1] / COOLING.sum()
            keep = missing_month != month if year == years[-1] else np.ones(n, bool)
            frames.append(_rows(codes[keep], "electricity", year, month, np.round(elec[keep], 1), "kWh"))
            for index, sub_item in enumerate("ABCD"):
                part = metered & keep
                rows = _rows(codes[part], "electricity", year, month, np.round(elec[part] * sub_shares[part, index], 1), "kWh")
                frames.append(rows.assign(sub_item=sub_item))
            gas = gas_annual * scale * noise / 12 * (1.3 if month in (1, 2, 12) else 0.9)
            monthly_gas = has_gas & ~gas_annual_only
            frames.append(_rows(codes[monthly_gas], "natural_gas", year, month, np.round(gas[monthly_gas], 1), "m3"))
            weights = heat_weights[:, month - 1]
            heated = weights > 0
            heat = heat_annual * scale * weights / heat_season
            frames.append(_rows(codes[heated], "district_heat", year, month, np.round(heat[heated], 1), "MJ"))
        annual_gas = has_gas & gas_annual_only
        frames.append(_rows(codes[annual_gas], "natural_gas", year, 0, np.round(gas_annual[annual_gas] * scale[annual_gas], 1), "m3"))
    return pd.concat(frames, ignore_index=True)


def _rows(codes, carrier: str, year: int, month: int, quantity, unit: str) -> pd.DataFrame:
    return pd.DataFrame({"building_code": codes, "carrier_code": carrier, "year": year, "month": month,
                         "sub_item": "", "quantity": quantity, "unit": unit})


def _audits(rng, buildings: pd.DataFrame, consumption: pd.DataFrame):
    audited = buildings[rng.random(len(buildings)) < 0.12].copy()
    audited["audit_year"] = rng.choice([2007, 2008], size=len(audited))
    annual = (consumption[consumption.sub_item == ""]
              .groupby(["building_code", "year", "carrier_code"], as_index=False)["quantity"].sum())
    totals = annual.merge(audited[["code", "audit_year"]], left_on=["building_code", "year"],
                          right_on=["code", "audit_year"])
    units = {"electricity": "kWh", "natural_gas": "m3", "district_heat": "MJ"}
    totals = totals.assign(unit=totals.carrier_code.map(units))[["building_code", "audit_year", "carrier_code", "quantity", "unit"]]
    elec = totals[totals.carrier_code == "electricity"].set_index("building_code")["quantity"]
    split = rng.dirichlet([4, 4, 2, 1], size=len(audited))
    audits = pd.DataFrame({
        "building_code": audited.code.to_numpy(),
        "audit_year": audited.audit_year.to_numpy(),
        "auditor": rng.choice(["中国建筑科学研究院", "清华大学建筑节能研究中心", "同济大学", "重庆大学"], size=len(audited)),
        "occupants": audited.occupants.to_numpy(),
        "operating_hours_per_year": audited.operating_hours_per_year.to_numpy(),
        "electricity_kwh": audited.code.map(elec).to_numpy(),
    })
    for column, share in zip(["lighting_kwh", "hvac_kwh", "power_kwh", "special_kwh"], split.T, strict=True):
        audits[column] = np.round(audits.electricity_kwh * share, 1)
    counts = rng.integers(1, 4, len(audits))
    measure_rows = []
    for audit, count in zip(audits.itertuples(index=False), counts, strict=True):
        for index in rng.choice(len(MEASURES), size=count, replace=False):
            name, category = MEASURES[index]
            investment = float(np.round(rng.uniform(20, 400), 1))
            saving = float(np.round(rng.uniform(10, 300), 1))
            measure_rows.append({"building_code": audit.building_code, "audit_year": audit.audit_year, "name": name,
                                 "category": category, "investment_10k_cny": investment,
                                 "expected_saving_tce": saving,
                                 "payback_years": round(investment * 10_000 / (saving * 1_000 * 0.8), 1)})
    return audits, totals, pd.DataFrame(measure_rows)


def generate(session: Session, *, buildings_per_region: int = 20, seed: int = 2007,
             years: tuple[int, ...] = YEARS, progress=None) -> Population:
    """Build the demo population and load it set-based into the session's transaction."""
    regions = pd.DataFrame([{"code": r.code} for r in list_regions(session=session, demonstration_only=True)])
    population = build_population(regions=regions, prefix_zones=climate_zone_prefixes(session=session),
                                  buildings_per_region=buildings_per_region, seed=seed, years=years)
    tables = conversion_tables(session=session)
    steps = [("buildings", lambda: insert_frame(session, Building.__table__, population.buildings))]
    ids: dict[str, int] = {}

    def consumption() -> None:
        ids.update(session.execute(select(Building.code, Building.id)).all())
        frame = population.consumption
        converted = convert(frame, tables)
        records = pd.DataFrame({
            "building_id": frame.building_code.map(ids), "carrier_code": frame.carrier_code, "year": frame.year,
            "month": frame.month, "grain": np.where(frame.month == 0, "A", "M"), "sub_item": frame.sub_item,
            "quantity_reported": frame.quantity, "unit_reported": frame.unit,
            "quantity": converted.quantity_canonical, "kgce_calorific": converted.kgce_calorific.round(4),
            "kgce_generation": converted.kgce_generation.round(4),
        })
        series = records[["building_id", "carrier_code", "year", "grain"]].drop_duplicates()
        insert_frame(session, ConsumptionSeries.__table__, series)
        insert_frame(session, ConsumptionRecord.__table__, records)
        rollups.rebuild(session=session)

    def audits() -> None:
        _load_audits(session, population, ids, tables)

    steps += [("consumption", consumption), ("audits", audits)]
    for index, (name, step) in enumerate(steps, start=1):
        step()
        if progress:
            progress(name, index, len(steps))
    session.flush()
    if session.connection().dialect.name == "postgresql":
        # Fresh statistics, so the first queries on a bulk-loaded database get sensible plans.
        for table in ("buildings", "consumption_series", "consumption_records", "energy_audits", "building_year_totals",
                      "area_month_totals"):
            session.execute(text(f"ANALYZE {table}"))
    return population


def _load_audits(session: Session, population: Population, ids: dict[str, int], tables) -> None:
    audits = population.audits.assign(building_id=population.audits.building_code.map(ids))
    converted_totals = population.audit_totals.rename(columns={"audit_year": "year"})
    converted = convert(converted_totals, tables)
    kgce = converted_totals.assign(c=converted.kgce_calorific, g=converted.kgce_generation).groupby(
        ["building_code", "year"])[["c", "g"]].sum()
    key = list(zip(audits.building_code, audits.audit_year, strict=True))
    audits["total_kgce_calorific"] = [round(float(kgce.c.get(k, 0.0)), 2) for k in key]
    audits["total_kgce_generation"] = [round(float(kgce.g.get(k, 0.0)), 2) for k in key]
    insert_frame(session, EnergyAudit.__table__, audits.drop(columns=["building_code"]))
    audit_ids = {(b, y): i for i, b, y in session.execute(select(EnergyAudit.id, EnergyAudit.building_id, EnergyAudit.audit_year))}
    totals = population.audit_totals.assign(
        audit_id=[audit_ids[(ids[b], y)] for b, y in zip(population.audit_totals.building_code, population.audit_totals.audit_year, strict=True)],
        quantity_reported=population.audit_totals.quantity, unit_reported=population.audit_totals.unit,
        kgce_calorific=converted.kgce_calorific.round(4), kgce_generation=converted.kgce_generation.round(4),
    )
    insert_frame(session, AuditCarrierTotal.__table__, totals[["audit_id", "carrier_code", "quantity_reported", "unit_reported",
                                                               "quantity", "kgce_calorific", "kgce_generation"]])
    measures = population.measures
    if not measures.empty:
        measures = measures.assign(audit_id=[audit_ids[(ids[b], y)] for b, y in zip(measures.building_code, measures.audit_year, strict=True)])
        insert_frame(session, RetrofitMeasure.__table__, measures.drop(columns=["building_code", "audit_year"]))


DISCLOSURE_REGIONS = ("110000", "440300")  # 北京, 深圳


def publish_disclosures(session: Session, *, regions: tuple[str, ...] = DISCLOSURE_REGIONS,
                        year: int | None = None) -> list:
    """Publish the demo's disclosure lists (能效公示) for the last complete year, unless a region already has one.

    A regional official (``demo_official_<code>``) drafts and submits the proposed list; ``demo_admin``
    approves and publishes it, so the four-eyes rule of the workflow holds in the demo too.
    """
    from app.domain.disclosure import Actor
    from app.services import disclosure as ds

    admin = Actor("demo_admin", "admin", None)
    published = []
    for code in regions:
        chosen = year or ds.last_complete_year(session=session, region_code=code)
        if chosen is None or ds.get_list(session=session, region_code=code, year=chosen) is not None:
            continue
        official = Actor(f"demo_official_{code}", "official", code)
        ds.draft(session=session, actor=official, region_code=code, year=chosen)
        ds.submit(session=session, actor=official, region_code=code, year=chosen)
        ds.approve(session=session, actor=admin, region_code=code, year=chosen)
        published.append(ds.publish(session=session, actor=admin, region_code=code, year=chosen))
    return published
