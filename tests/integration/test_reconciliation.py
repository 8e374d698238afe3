"""Reconciliation: every surface carries the same figures, and they equal a like-for-like computation
written here from the input rows.

Random small portfolios (hypothesis) with gaps, part years, carriers added or dropped, buildings that
report only later, district moves and corrections are loaded through the real ETL into a fresh
database. Then, for each region and year, the CLI summary (JSON), the API region summary, the
dashboards' data functions and the CSV annual report must agree with each other and with the
expectation computed in this file, which knows nothing of the services. Runs on SQLite and PostgreSQL;
JIENENG_RECONCILE_EXAMPLES sets the number of portfolios per backend (default 4).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app import migrate
from app.api.main import create_app
from app.cli import app as cli
from app.config import Settings
from app.db import Base, make_engine
from app.domain.assessment import TARGET_KEY
from app.models import SavingTarget
from app.reports import build_annual_report
from app.security import create_access_token
from app.services import analytics, assessment, frames
from app.services.targets import decompose, target_progress
from app.services.users import create_user
from dashboards import data as dash_data
from etl.pipeline import run
from seeds.loader import load_reference

YEARS = (2005, 2006, 2007, 2008)
# district -> the demonstration regions it counts for (沈阳 lies in 辽宁; 大连 only in 辽宁)
DISTRICTS = {"110105": ("110000",), "210102": ("210000", "210100"), "210202": ("210000",)}
REGIONS = ("000000", "110000", "210000", "210100")
FACTOR = {"electricity": 0.1229, "natural_gas": 1.2143}  # GB/T 2589 calorific, written out by hand
UNIT = {"electricity": "kWh", "natural_gas": "m3"}
SECRET = "reconciliation-secret-key-0123456789abcdef"
REFERENCE_TABLES = {"regions", "climate_zones", "district_climate_zones", "energy_carriers", "units",
                    "conversion_factors", "benchmarks", "building_classes", "electricity_sub_items",
                    "alembic_version", "users"}


@dataclass
class BuildingSpec:
    district: str
    area: int
    base_kwh: int
    # year -> (months reported: 12 complete, 0 absent, 1..11 part, with natural gas?, use multiplier %)
    years: dict[int, tuple[int, bool, int]]
    moved_to: str | None = None
    code: str = ""
    corrections: dict[tuple[int, int], int] = field(default_factory=dict)

    def regions(self, district: str | None = None) -> set[str]:
        return {"000000", *DISTRICTS[district or self.final_district]}

    @property
    def final_district(self) -> str:
        return self.moved_to or self.district

    def quantity(self, carrier: str, year: int, month: int) -> int:
        months, gas, percent = self.years[year]
        if (year, month) in self.corrections and carrier == "electricity":
            return self.corrections[(year, month)]
        base = self.base_kwh if carrier == "electricity" else self.base_kwh // 20
        return base * percent // 100 + 7 * month

    def carriers(self, year: int) -> tuple[str, ...]:
        months, gas, _ = self.years[year]
        if not months:
            return ()
        return ("electricity", "natural_gas") if gas else ("electricity",)

    def kgce(self, year: int) -> float:
        months = self.years[year][0]
        return sum(self.quantity(c, year, m) * FACTOR[c] for c in self.carriers(year) for m in range(1, months + 1))

    def complete(self, year: int) -> bool:
        return self.years[year][0] == 12


year_state = st.tuples(st.sampled_from([0, 12, 12, 12, 11, 6]), st.booleans(), st.integers(70, 110))
building = st.builds(
    BuildingSpec,
    district=st.sampled_from(sorted(DISTRICTS)),
    area=st.integers(2_000, 60_000),
    base_kwh=st.integers(5_000, 400_000),
    years=st.fixed_dictionaries({y: year_state for y in YEARS}),
    moved_to=st.one_of(st.none(), st.sampled_from(sorted(DISTRICTS))),
)
portfolio = st.lists(building, min_size=2, max_size=6)


def _buildings_csv(specs: list[BuildingSpec], *, moved: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["建筑编码", "建筑名称", "行政区划代码", "建筑类型", "是否国家机关办公建筑", "是否大型公共建筑",
                     "建筑面积(m²)"])
    for spec in specs:
        district = spec.final_district if moved else spec.district
        writer.writerow([spec.code, f"楼 {spec.code}", district, "办公", "是", "否", spec.area])
    return out.getvalue().encode()


def _consumption_csv(specs: list[BuildingSpec], years=YEARS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Building code", "Period", "Carrier", "Quantity", "Unit"])
    for spec in specs:
        for year in years:
            for carrier in spec.carriers(year):
                for month in range(1, spec.years[year][0] + 1):
                    writer.writerow([spec.code, f"{year}-{month:02d}", carrier, spec.quantity(carrier, year, month),
                                     UNIT[carrier]])
    return out.getvalue().encode()


def _import(session: Session, data: bytes, kind: str, name: str) -> None:
    report = run(session=session, data=data, filename=name, kind=kind)
    assert report.status in ("loaded", "partial", "duplicate"), report.to_dict()
    assert report.rows_rejected == 0, report.to_dict()


# ------------------------------------------------------------------ the independent expectation

def expected_totals(specs: list[BuildingSpec], region: str, year: int) -> tuple[float, float]:
    """(complete-year total, all reported) kgce of a region's buildings as they stand."""
    members = [s for s in specs if region in s.regions()]
    complete = sum(s.kgce(year) for s in members if s.complete(year))
    reported = sum(s.kgce(year) for s in members if s.years[year][0])
    return complete, reported


def comparable(specs: list[BuildingSpec], region: str, earlier: int, later: int) -> list[BuildingSpec]:
    """Buildings of the region complete in both years, with the same carriers, that did not cross its boundary."""
    out = []
    for s in specs:
        if region not in s.regions():
            continue
        crossed = s.moved_to is not None and (region in s.regions(s.district)) != (region in s.regions())
        if crossed or not (s.complete(earlier) and s.complete(later)) or s.carriers(earlier) != s.carriers(later):
            continue
        out.append(s)
    return out


def expected_change(specs, region, earlier, later) -> tuple[int, float | None]:
    basis = comparable(specs, region, earlier, later)
    before = sum(s.kgce(earlier) for s in basis)
    after = sum(s.kgce(later) for s in basis)
    return len(basis), ((after - before) / before * 100.0 if basis and before > 0 else None)


def expected_progress(specs, region, year, stored_baseline, stored_saving) -> tuple[int, float | None]:
    basis = comparable(specs, region, 2005, year)
    if not basis:
        return 0, None
    before = sum(s.kgce(2005) for s in basis)
    after = sum(s.kgce(year) for s in basis)
    cut = stored_saving / stored_baseline
    return len(basis), (before - after) / (cut * before) * 100.0


# ------------------------------------------------------------------ the surfaces

@dataclass
class Surfaces:
    url: str
    client: TestClient
    runner: CliRunner

    def cli(self, region: str, year: int) -> dict:
        result = self.runner.invoke(cli, ["summary", "--year", str(year), "--region", region, "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def api(self, region: str, year: int) -> dict:
        token, _ = create_access_token(username="admin", role="admin", region_code=None, secret_key=SECRET)
        response = self.client.get(f"/api/v1/regions/{region}/summary", params={"year": year},
                                   headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        return response.json()

    def report(self, session: Session, region: str, year: int) -> dict[str, str]:
        content, _, _ = build_annual_report(session=session, year=year, region_code=region, fmt="csv")
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        start = next(i for i, r in enumerate(rows) if r and r[0].startswith("[摘要"))
        summary = {}
        for row in rows[start + 2:]:
            if not row or row[0].startswith("["):
                break
            summary[row[1]] = row[2]
        return summary


def _number(text: str | None) -> float | None:
    if text in (None, "", "—"):
        return None
    return float(str(text).replace(",", "").replace("+", ""))


def _close(a, b, tol=1e-6) -> bool:
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)) or (isinstance(b, float) and math.isnan(b)):
        return (a is None or a != a) and (b is None or b != b)
    return abs(float(a) - float(b)) <= tol * max(1.0, abs(float(a)), abs(float(b)))


@pytest.fixture
def surfaces(empty_database_url, use_database, tmp_path):
    use_database(empty_database_url)
    migrate.upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    with Session(engine) as session:
        load_reference(session)
        create_user(session=session, username="admin", password="correct-horse-battery", role="admin")
        session.commit()
    app = create_app(settings=Settings(database_url=empty_database_url, secret_key=SECRET,
                                       data_dir=tmp_path / "api-data"), engine=engine)
    with TestClient(app) as client:
        yield engine, Surfaces(empty_database_url, client, CliRunner())
    engine.dispose()


def _wipe(engine) -> None:
    """Delete every row but the reference data, children first."""
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES:
                conn.execute(table.delete())
        if conn.dialect.name == "sqlite":
            conn.execute(text("DELETE FROM sqlite_sequence")) if conn.execute(
                text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first() else None
    frames.clear()
    analytics.clear_cache()
    dash_data._CACHE.clear()


@settings(max_examples=int(os.environ.get("JIENENG_RECONCILE_EXAMPLES", "4")), deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(specs=portfolio, correct=st.booleans())
def test_every_surface_equals_the_like_for_like_expectation(surfaces, specs, correct):
    engine, surface = surfaces
    _wipe(engine)
    for i, spec in enumerate(specs):
        spec.code = f"{spec.district}A{i + 1:03d}"
    with Session(engine) as session:
        _import(session, _buildings_csv(specs, moved=False), "buildings", "buildings.csv")
        if any(s.carriers(y) for s in specs for y in YEARS):
            _import(session, _consumption_csv(specs), "consumption", "consumption.csv")
        has_baseline = any(s.complete(2005) for s in specs)
        if has_baseline:
            decompose(session=session, cut_percent=20, baseline_year=2005, target_year=2010, method="baseline")
            session.commit()
        if any(s.moved_to for s in specs):
            _import(session, _buildings_csv(specs, moved=True), "buildings", "buildings-moved.csv")
        if correct and specs[0].complete(2008):
            specs[0].corrections[(2008, 3)] = specs[0].quantity("electricity", 2008, 3) + 12_345
            _import(session, _consumption_csv([specs[0]], years=(2008,)), "consumption", "correction.csv")
        targets = {t.scope_code: (t.baseline_kgce, t.saving_kgce)
                   for t in session.scalars(select(SavingTarget).where(SavingTarget.scope_level != "building"))}

    for year in (2007, 2008):
        with Session(engine) as session:
            progress = target_progress(session=session, year=year).set_index("region_code") if targets else None
            for region in REGIONS:
                complete, reported = expected_totals(specs, region, year)
                n_change, change = expected_change(specs, region, year - 1, year)
                cli, api = surface.cli(region, year), surface.api(region, year)
                report = surface.report(session, region, year) if year == 2008 else None
                dash = dash_data.region_view(region_code=region, year=year, method="calorific", building_class=None,
                                             government_only=False) if region != "000000" else None
                overview = dash_data.overview_view(year=year, method="calorific", building_class=None,
                                                   government_only=False, region_code=None)
                where = f"{region} {year}"
                # one complete-year total everywhere, equal to the rows
                assert _close(cli["complete_year_kgce_calorific"], complete, 1e-6), where
                assert _close(api["headline"]["complete_year_kgce_calorific"], complete, 1e-6), where
                assert _close(api["totals"]["energy_kgce"], complete, 1e-9), where
                rollup = overview["rollup"].set_index("region_code")
                assert _close(rollup.loc[region, "energy_kgce"], complete, 1e-9), where
                if report is not None:
                    assert _close(_number(report["Complete-year total (calorific)"]) * 1000, complete, 1e-6), where
                    assert _close(_number(report["All reported (incl. part years) (calorific)"]) * 1000, reported, 1e-6)
                    assert _close(_number(report["Change against last year (like-for-like)"]), change, 1e-6), where
                    assert report["Basis of the change against last year"] == (
                        f"{cli['change_vs_last_year']['label_zh']} / {cli['change_vs_last_year']['label_en']}")
                # and one all-reported total
                assert _close(cli["all_reported_kgce_calorific"], reported, 1e-6), where
                assert _close(rollup.loc[region, "all_reported_kgce"], reported, 1e-9), where
                # the change against last year, like for like, with its basis
                assert cli["change_vs_last_year"]["buildings"] == n_change, where
                assert _close(cli["change_vs_last_year"]["change_pct"], change, 1e-9), where
                assert api["headline"]["change_vs_last_year"] == cli["change_vs_last_year"], where
                if n_change == 0:
                    assert cli["change_vs_last_year"]["label_zh"] == "无可比基础"
                    assert cli["change_vs_last_year"]["change_pct"] is None
                # target progress on the comparable basis
                if progress is not None and region in progress.index:
                    n_basis, percent = expected_progress(specs, region, year, *targets[region])
                    row = progress.loc[region]
                    assert row["comparable_buildings"] == n_basis, where
                    assert _close(row["percent_of_target"], percent, 1e-9), where
                    api_progress = api["target_progress"][0]
                    assert _close(api_progress["percent_of_target"], percent, 1e-9), where
                    assert api_progress["comparable_buildings"] == n_basis
                    if report is not None:
                        assert _close(_number(report["Share of target reached"]), percent, 1e-6), where
                    if dash is not None:
                        mine = dash["progress"].iloc[0]
                        assert _close(mine["percent_of_target"], percent, 1e-9), where
                        assert mine["basis_label_zh"] == row["basis_label_zh"]

    if not targets:
        return
    # Registering buildings without baseline data (and their later statistics) moves no progress or grade.
    with Session(engine) as session:
        before = target_progress(session=session, year=2008).set_index("region_code")
        grades = {a.region_code: a for a in assessment.assess(session=session, year=2008)}
        late = [BuildingSpec(district=d, area=30_000, base_kwh=900_000,
                             years={2005: (0, False, 100), 2006: (0, False, 100), 2007: (12, True, 100),
                                    2008: (12, True, 40)}, code=f"{d}B9{i:02d}")
                for i, d in enumerate(sorted(DISTRICTS))]
        _import(session, _buildings_csv(late, moved=False), "buildings", "late-buildings.csv")
        _import(session, _consumption_csv(late), "consumption", "late-consumption.csv")
        frames.clear()
        analytics.clear_cache()
        after = target_progress(session=session, year=2008).set_index("region_code")
        columns = ["comparable_buildings", "saving_kgce", "percent_of_target", "status"]
        assert after[columns].equals(before[columns])
        after_grades = {a.region_code: a for a in assessment.assess(session=session, year=2008)}
    for code, old in grades.items():
        new = after_grades[code]
        assert _target_part(new) == _target_part(old), code
        if _measure_points(new) == _measure_points(old):
            assert (new.grade, new.score) == (old.grade, old.score), code


def _target_part(a) -> tuple:
    return a.is_target_met, a.target_ratio, next(s.points for s in a.sub_scores if s.key == TARGET_KEY)


def _measure_points(a) -> tuple:
    return tuple(s.points for s in a.sub_scores if s.key != TARGET_KEY)
