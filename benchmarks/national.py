"""The national-scale data set: 100,000 buildings across the 21 demonstration regions with monthly
statistics 2005-2008 for electricity (whole meter and A-D sub-items), natural gas and district heat.

Generated once from the demo generator (`seeds.demo.build_population`, same seed -> same data) and
cached as survey files under ``cache_dir``: ``buildings.csv`` and one long-layout consumption file per
region, plus the 1,000,000-row long-layout consumption file the ETL benchmark reads. Loading is
set-based (COPY on PostgreSQL, executemany on SQLite, through ``app.bulk.insert_frame``) straight into
the tables, in one transaction; a database that already holds the data set is left alone.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import ForeignKeyConstraint, Table, UniqueConstraint, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex

from app import migrate
from app.bulk import insert_frame
from app.db import make_engine, session_scope
from app.domain.regions import city_code, climate_zones_for, province_code
from app.domain.units import convert
from app.models import Building, ConsumptionRecord, ConsumptionSeries
from app.services import rollups
from app.services.reference import conversion_tables
from app.services.summary import year_summary
from benchmarks.harness import measure, median_seconds, row
from seeds import demo
from seeds.demo import YEARS, build_population
from seeds.loader import load_reference, read_seed

BUILDINGS = 100_000
SEED = 2008
LONG_CSV_ROWS = 1_000_000
# Bump when the file layout changes; changes of seeds/demo.py change the cache key by themselves.
VERSION = 2
SIZE_VARIABLE = "JIENENG_BENCH_BUILDINGS"

# Canonical field names of the survey layout (etl/aliases.yaml accepts them as headers).
BUILDING_COLUMNS = [
    "building_code", "building_name", "district_code", "building_class", "is_government_office", "is_large_public",
    "floor_area_m2", "ac_area_m2", "heated_area_m2", "year_built", "floors", "occupants",
    "operating_hours_per_year", "benchmark_class",
]
CONSUMPTION_COLUMNS = ["building_code", "period", "carrier", "sub_item", "quantity", "unit"]


@dataclass(frozen=True)
class Dataset:
    """A generated data set on disk: its directory and manifest (counts, sizes, generation figures)."""

    directory: Path
    manifest: dict

    @property
    def buildings_csv(self) -> Path:
        return self.directory / "buildings.csv"

    @property
    def consumption_files(self) -> list[Path]:
        return [self.directory / name for name in self.manifest["consumption_files"]]

    @property
    def long_csv(self) -> Path:
        return self.directory / self.manifest["long_csv"]


def target_buildings() -> int:
    """Number of buildings of the national set: JIENENG_BENCH_BUILDINGS, else 100,000."""
    return int(os.environ.get(SIZE_VARIABLE) or BUILDINGS)


def _demonstration_regions() -> pd.DataFrame:
    regions = pd.DataFrame(read_seed("regions.csv"))
    return regions.loc[regions.is_demonstration, ["code"]].sort_values("code").reset_index(drop=True)


def _prefix_zones() -> dict[str, str]:
    return {r["code_prefix"]: r["climate_zone"] for r in read_seed("district_climate_zones.csv")}


def _survey_region(codes: pd.Series, regions: pd.Series) -> pd.Series:
    """The demonstration region whose survey file holds each building: its city if that is one, else its province."""
    demo = set(regions)
    city = codes.str[:4] + "00"
    return city.where(city.isin(demo), codes.str[:2] + "0000")


def _period(year: pd.Series, month: pd.Series) -> pd.Series:
    year_text = year.astype("int64").astype(str)
    monthly = year_text + "-" + month.astype("int64").map("{:02d}".format)
    return monthly.where(month != 0, year_text)


def dataset_directory(cache_dir: Path, buildings: int | None = None, seed: int = SEED) -> Path:
    """Where the data set of this size, seed, layout version and demo generator source is cached."""
    generator = hashlib.sha256(Path(demo.__file__).read_bytes()).hexdigest()[:8]
    return Path(cache_dir) / f"national-v{VERSION}-b{buildings or target_buildings()}-s{seed}-g{generator}"


def generate(*, cache_dir: Path, buildings: int | None = None, seed: int = SEED) -> Dataset:
    """Write the data set's survey files under ``cache_dir`` unless they are already there."""
    buildings = buildings or target_buildings()
    directory = dataset_directory(cache_dir, buildings, seed)
    manifest_path = directory / "manifest.json"
    if manifest_path.exists():
        return Dataset(directory, json.loads(manifest_path.read_text(encoding="utf-8")))

    partial = directory.with_name(directory.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "consumption").mkdir(parents=True)
    regions = _demonstration_regions()
    with measure("generate national data set") as generation:
        per_region = math.ceil(buildings / len(regions))
        population = build_population(regions=regions, prefix_zones=_prefix_zones(),
                                      buildings_per_region=per_region, seed=seed)
        frame = population.buildings.iloc[:buildings]
        consumption = population.consumption
        consumption = consumption[consumption.building_code.isin(set(frame.code))]
        del population
    with measure("write survey files") as writing:
        frame.rename(columns={"code": "building_code", "name": "building_name"})[BUILDING_COLUMNS].to_csv(
            partial / "buildings.csv", index=False)
        survey = pd.DataFrame({
            "building_code": consumption.building_code.to_numpy(),
            "period": _period(consumption.year, consumption.month).to_numpy(),
            "carrier": consumption.carrier_code.to_numpy(),
            "sub_item": consumption.sub_item.to_numpy(),
            "quantity": consumption.quantity.to_numpy(),
            "unit": consumption.unit.to_numpy(),
        })
        del consumption
        survey = survey.sort_values(["building_code", "period", "carrier", "sub_item"], kind="stable")
        file_region = _survey_region(survey.building_code, regions.code)
        files = []
        for region_code, part in survey.groupby(file_region.to_numpy(), sort=True):
            name = f"consumption/{region_code}.csv"
            part.to_csv(partial / name, index=False)
            files.append(name)
        whole_meter = survey[survey.sub_item == ""]
        long_rows = min(LONG_CSV_ROWS, len(whole_meter))
        whole_meter.iloc[:long_rows].drop(columns="sub_item").to_csv(partial / "consumption_long_1m.csv", index=False)
    manifest = {
        "version": VERSION,
        "seed": seed,
        "buildings": len(frame),
        "consumption_rows": len(survey),
        "whole_meter_rows": len(whole_meter),
        "series": int(survey.assign(year=survey.period.str[:4])[["building_code", "carrier", "year"]]
                      .drop_duplicates().shape[0]),
        "years": list(YEARS),
        "carriers": sorted(survey.carrier.unique().tolist()),
        "consumption_files": files,
        "long_csv": "consumption_long_1m.csv",
        "long_csv_rows": int(long_rows),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "generate_seconds": round(generation.seconds, 2),
        "generate_peak_rss_mb": round(generation.peak_rss_mb, 1),
        "write_seconds": round(writing.seconds, 2),
        "write_peak_rss_mb": round(writing.peak_rss_mb, 1),
        "is_peak_isolated": generation.is_peak_isolated,
    }
    manifest["bytes_on_disk"] = sum(p.stat().st_size for p in partial.rglob("*.csv"))
    (partial / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    shutil.rmtree(directory, ignore_errors=True)
    partial.rename(directory)
    return Dataset(directory, manifest)


def long_csv(*, cache_dir: Path, buildings: int | None = None, seed: int = SEED) -> Path:
    """The long-layout consumption file (building_code, period, carrier, quantity, unit).

    1,000,000 whole-meter rows of the national set (fewer when the set is smaller), sorted by building
    and period; every building in it exists in the loaded data set.
    """
    return generate(cache_dir=cache_dir, buildings=buildings, seed=seed).long_csv


def _read_buildings(dataset: Dataset, prefix_zones: dict[str, str]) -> pd.DataFrame:
    frame = pd.read_csv(dataset.buildings_csv, dtype={"building_code": str, "district_code": str,
                                                      "benchmark_class": str})
    frame = frame.rename(columns={"building_code": "code", "building_name": "name"})
    frame["province_code"] = frame.district_code.map(province_code)
    frame["city_code"] = frame.district_code.map(city_code)
    frame["climate_zone"] = climate_zones_for(frame.district_code, prefix_zones)
    for column in ("year_built", "floors", "occupants"):
        frame[column] = frame[column].astype("Int64")
    return frame


def _records(survey: pd.DataFrame, ids: pd.Series, tables) -> pd.DataFrame:
    period = survey.period.astype(str)
    year = period.str[:4].astype("int64")
    month = pd.Series(np.where(period.str.len() > 4, period.str[5:7], "0"), index=survey.index).astype("int64")
    frame = pd.DataFrame({"carrier_code": survey.carrier, "year": year, "quantity": survey.quantity,
                          "unit": survey.unit})
    converted = convert(frame, tables)
    if converted.problem.notna().any():
        raise ValueError(f"unconvertible rows: {converted.problem.value_counts().to_dict()}")
    building_id = survey.building_code.map(ids)
    if building_id.isna().any():
        raise ValueError(f"{int(building_id.isna().sum())} rows name a building that is not in buildings.csv")
    return pd.DataFrame({
        "building_id": building_id.astype("int64"),
        "carrier_code": survey.carrier,
        "year": year,
        "month": month,
        "grain": np.where(month == 0, "A", "M"),
        "sub_item": survey.sub_item.fillna(""),
        "quantity_reported": survey.quantity,
        "unit_reported": survey.unit,
        "quantity": converted.quantity_canonical,
        "kgce_calorific": converted.kgce_calorific.round(4),
        "kgce_generation": converted.kgce_generation.round(4),
    })


def _drop_bulk_constraints(session: Session, tables: list[Table]) -> list:
    """PostgreSQL bulk load: drop foreign keys, unique constraints and indexes; return the DDL restoring them.

    Checking three foreign keys and four indexes row by row costs more than building them once over the
    loaded table (PostgreSQL manual, "Populating a Database"). The DDL is transactional: on error the
    rollback restores everything. Definitions come from the models, which `alembic check` ties to the
    migrations.
    """
    keys = [c for t in tables for c in t.constraints if isinstance(c, ForeignKeyConstraint)]
    uniques = [c for t in tables for c in t.constraints if isinstance(c, UniqueConstraint)]
    indexes = [i for t in tables for i in t.indexes]
    session.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
    for statement in [*map(DropConstraint, keys), *map(DropConstraint, uniques), *map(DropIndex, indexes)]:
        session.execute(statement)
    return [*map(AddConstraint, uniques), *map(CreateIndex, indexes), *map(AddConstraint, keys)]


def loaded_counts(database_url: str) -> tuple[int, int]:
    """(buildings, consumption records) in the database."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            buildings = conn.scalar(select(func.count()).select_from(Building))
            records = conn.scalar(select(func.count()).select_from(ConsumptionRecord))
    finally:
        engine.dispose()
    return int(buildings), int(records)


def load(*, database_url: str, dataset: Dataset) -> list:
    """Migrate, load reference data, then the data set set-based in one transaction; return the measured steps.

    The database must hold no buildings yet.
    """
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    steps = []
    try:
        with session_scope(engine) as session:
            load_reference(session)
        with session_scope(engine) as session:
            if session.scalar(select(func.count()).select_from(Building)):
                raise RuntimeError("the database already holds buildings; load the national set into an empty one")
            tables = conversion_tables(session=session)
            prefix_zones = dict(session.execute(text("SELECT code_prefix, climate_zone FROM district_climate_zones")).all())
            with measure("load buildings") as step:
                buildings = _read_buildings(dataset, prefix_zones)
                insert_frame(session, Building.__table__, buildings)
                ids = pd.Series(dict(session.execute(select(Building.code, Building.id)).all()))
            steps.append((step, len(buildings)))
            restore = []
            if engine.dialect.name == "postgresql":
                restore = _drop_bulk_constraints(session, [ConsumptionSeries.__table__, ConsumptionRecord.__table__])
            with measure("load consumption (read, convert, COPY/executemany)") as step:
                total = 0
                for path in dataset.consumption_files:
                    survey = pd.read_csv(path, dtype={"building_code": str, "period": str, "sub_item": str},
                                         keep_default_na=False)
                    records = _records(survey, ids, tables)
                    series = records[["building_id", "carrier_code", "year", "grain"]].drop_duplicates()
                    insert_frame(session, ConsumptionSeries.__table__, series)
                    insert_frame(session, ConsumptionRecord.__table__, records)
                    total += len(records)
            steps.append((step, total))
            if restore:
                with measure("rebuild indexes and check foreign keys") as step:
                    for statement in restore:
                        session.execute(statement)
                steps.append((step, total))
            with measure("rebuild stored rollups (building-year, district-month)") as step:
                rollups.rebuild(session=session)
            steps.append((step, total))
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
    finally:
        engine.dispose()
    return steps


def _load_record_path(cache_dir: Path, database_url: str, dataset: Dataset) -> Path:
    url = make_url(database_url).render_as_string(hide_password=True)
    key = hashlib.sha256(f"{url}|{dataset.directory.name}".encode()).hexdigest()[:16]
    return Path(cache_dir) / "loads" / f"{key}.json"


def ensure_loaded(*, database_url: str, cache_dir: Path, buildings: int | None = None, seed: int = SEED) -> Dataset:
    """The data set generated and loaded into ``database_url`` (a no-op when it already is)."""
    dataset, _ = _ensure_loaded(database_url=database_url, cache_dir=cache_dir, buildings=buildings, seed=seed)
    return dataset


def _ensure_loaded(*, database_url: str, cache_dir: Path, buildings: int | None, seed: int) -> tuple[Dataset, dict]:
    dataset = generate(cache_dir=cache_dir, buildings=buildings, seed=seed)
    record_path = _load_record_path(cache_dir, database_url, dataset)
    expected = (dataset.manifest["buildings"], dataset.manifest["consumption_rows"])
    # A data set loaded under an older release is brought to the current schema too.
    migrate.upgrade(database_url)
    present = loaded_counts(database_url)
    if present == expected and record_path.exists():
        record = json.loads(record_path.read_text(encoding="utf-8"))
        return dataset, record | {"is_cached": True}
    if present == expected:
        raise RuntimeError(f"the database holds as many rows as the national set but was not loaded from "
                           f"{dataset.directory.name} (no record in {record_path.parent}); use an empty database")
    if present != (0, 0):
        raise RuntimeError(f"the database holds {present[0]:,} buildings and {present[1]:,} records, not the "
                           f"national set ({expected[0]:,}, {expected[1]:,}); use an empty database")
    start = time.perf_counter()
    steps = load(database_url=database_url, dataset=dataset)
    record = {
        "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - start, 2),
        "steps": [{"name": s.name, "seconds": round(s.seconds, 2), "peak_rss_mb": round(s.peak_rss_mb, 1),
                   "is_peak_isolated": s.is_peak_isolated, "rows": rows} for s, rows in steps],
    }
    if loaded_counts(database_url) != expected:
        raise RuntimeError("the load finished but the row counts differ from the manifest")
    record_path.parent.mkdir(parents=True, exist_ok=True)
    record_path.write_text(json.dumps(record, indent=2), encoding="utf-8")
    return dataset, record | {"is_cached": False}


def run(database_url: str, cache_dir: Path) -> list[dict]:
    """Generate (or reuse) and load (or reuse) the national set; time a national and a regional annual total."""
    cache_dir = Path(cache_dir)
    was_generated = (dataset_directory(cache_dir) / "manifest.json").exists()
    dataset, record = _ensure_loaded(database_url=database_url, cache_dir=cache_dir, buildings=None, seed=SEED)
    m = dataset.manifest
    generated_note = f"cached, measured when generated {m['generated_at']}" if was_generated else "this run"
    rows = [
        row("buildings", m["buildings"], "buildings", f"{len(m['consumption_files'])} regional survey files"),
        row("consumption rows (monthly 2005-2008, 3 carriers, sub-items)", m["consumption_rows"], "rows",
            f"{m['series']:,} building-carrier-years"),
        row("survey files on disk", round(m["bytes_on_disk"] / 2**20, 1), "MiB",
            f"incl. the {m['long_csv_rows']:,}-row long CSV"),
        row("generate: time", m["generate_seconds"], "s", generated_note),
        row("generate: peak memory", m["generate_peak_rss_mb"], "MiB", generated_note),
        row("write survey files: time", m["write_seconds"], "s", generated_note),
        row("write survey files: peak memory", m["write_peak_rss_mb"], "MiB", generated_note),
    ]
    load_note = f"loaded earlier ({record['loaded_at']})" if record["is_cached"] else "this run"
    dialect = make_url(database_url).get_backend_name()
    for step in record["steps"]:
        rows += [
            row(f"{step['name']}: time", step["seconds"], "s", f"{dialect}; {load_note}"),
            row(f"{step['name']}: throughput", round(step["rows"] / step["seconds"]) if step["seconds"] else 0,
                "rows/s", f"{step['rows']:,} rows; {load_note}"),
            row(f"{step['name']}: peak memory", step["peak_rss_mb"], "MiB", load_note),
        ]
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            last_year = max(m["years"])
            with measure(f"national annual total {last_year}") as national:
                summary = year_summary(session=session, year=last_year)
            seconds = median_seconds(lambda: year_summary(session=session, year=last_year), repeat=3, warmup=0)
            rows.append(row(f"national annual total {last_year} (each building once)", round(seconds * 1000, 1),
                            "ms", f"median of 3; {summary.buildings_reporting:,} buildings reporting"))
            rows.append(row(f"national annual total {last_year}: peak memory", round(national.peak_rss_mb, 1), "MiB"))
            seconds = median_seconds(lambda: year_summary(session=session, year=last_year, region_code="210000"),
                                     repeat=3, warmup=1)
            rows.append(row(f"province annual total {last_year} (辽宁 210000)", round(seconds * 1000, 1), "ms",
                            "median of 3"))
    finally:
        engine.dispose()
    return rows
