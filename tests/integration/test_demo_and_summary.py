import json

import pandas as pd
from typer.testing import CliRunner

from app import migrate
from app.cli import app as cli
from seeds.demo import build_population

# GB/T 2589 factors, written out by hand so the check does not reuse the code under test.
CALORIFIC = {"electricity": 0.1229, "natural_gas": 1.2143, "district_heat": 0.03412}
GENERATION_2007 = {"electricity": 0.356, "natural_gas": 1.2143, "district_heat": 0.03412}


def _population(seed: int):
    regions = pd.DataFrame({"code": ["110000", "210000", "210100"]})
    zones = {"11": "cold", "21": "cold", "2101": "severe_cold"}
    return build_population(regions=regions, prefix_zones=zones, buildings_per_region=5, seed=seed)


def test_demo_population_is_deterministic():
    first, again, other = _population(7), _population(7), _population(8)
    pd.testing.assert_frame_equal(first.buildings, again.buildings)
    pd.testing.assert_frame_equal(first.consumption, again.consumption)
    pd.testing.assert_frame_equal(first.measures, again.measures)
    assert not first.consumption.quantity.equals(other.consumption.quantity)


def test_demo_population_is_plausible():
    population = _population(3)
    buildings, consumption = population.buildings, population.consumption
    assert buildings.code.is_unique
    assert (buildings.code.str[:6] == buildings.district_code).all()
    assert set(consumption.carrier_code) == {"electricity", "natural_gas", "district_heat"}
    # District heat only where there is a heating season, and only in winter months.
    heat = consumption[consumption.carrier_code == "district_heat"]
    assert not heat.empty and set(heat.month) <= {1, 2, 3, 4, 10, 11, 12}
    # No building-carrier-year mixes annual and monthly figures.
    grains = consumption.assign(annual=consumption.month == 0).groupby(["building_code", "carrier_code", "year"]).annual.nunique()
    assert (grains == 1).all()


def test_summary_matches_an_independent_calculation(empty_database_url, use_database):
    use_database(empty_database_url)
    runner = CliRunner()
    migrate.upgrade(empty_database_url)
    assert runner.invoke(cli, ["seed", "reference"]).exit_code == 0
    result = runner.invoke(cli, ["seed", "demo", "--buildings-per-region", "3", "--seed", "11"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(cli, ["seed", "demo", "--buildings-per-region", "3", "--seed", "11"])
    assert again.exit_code == 0 and "already exist" in again.output

    from app.db import session_scope
    from app.services.reference import climate_zone_prefixes, list_regions

    with session_scope() as session:
        regions = pd.DataFrame({"code": [r.code for r in list_regions(session=session, demonstration_only=True)]})
        zones = climate_zone_prefixes(session=session)
    population = build_population(regions=regions, prefix_zones=zones, buildings_per_region=3, seed=11)
    rows = population.consumption
    rows = rows[(rows.year == 2007) & (rows.sub_item == "")]
    expected_calorific = (rows.quantity * rows.carrier_code.map(CALORIFIC)).sum()
    expected_generation = (rows.quantity * rows.carrier_code.map(GENERATION_2007)).sum()

    output = runner.invoke(cli, ["summary", "--year", "2007", "--json"])
    assert output.exit_code == 0, output.output
    national = json.loads(output.stdout)
    assert national["buildings_reporting"] == rows.building_code.nunique() == 63
    assert abs(national["all_reported_kgce_calorific"] - expected_calorific) < 0.5
    assert abs(national["all_reported_kgce_generation"] - expected_generation) < 0.5

    # Shenyang lies in Liaoning: both count its buildings; the nation counts them once.
    liaoning = json.loads(runner.invoke(cli, ["summary", "--year", "2007", "--region", "210000", "--json"]).stdout)
    shenyang = json.loads(runner.invoke(cli, ["summary", "--year", "2007", "--region", "210100", "--json"]).stdout)
    in_liaoning = rows[rows.building_code.str.startswith("21")]
    assert liaoning["buildings_reporting"] == in_liaoning.building_code.nunique() == 6
    assert shenyang["buildings_reporting"] == 3
    assert abs(liaoning["all_reported_kgce_calorific"] - (in_liaoning.quantity * in_liaoning.carrier_code.map(CALORIFIC)).sum()) < 0.5

    unknown = runner.invoke(cli, ["summary", "--year", "2007", "--region", "999999"])
    assert unknown.exit_code == 2


def test_demo_command_prepares_everything_and_runs_twice(tmp_path, use_database):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    use_database(url)
    runner = CliRunner()
    first = runner.invoke(cli, ["demo", "--no-serve", "--buildings-per-region", "2"])
    assert first.exit_code == 0, first.output
    assert "demo_admin" in first.output and "demo_auditor" in first.output
    assert "Target decomposed" in first.output
    second = runner.invoke(cli, ["demo", "--no-serve", "--buildings-per-region", "2"])
    assert second.exit_code == 0, second.output
    assert "already exist" in second.output
    national = json.loads(runner.invoke(cli, ["summary", "--year", "2007", "--json"]).stdout)
    assert national["buildings_registered"] == 42
    targets = runner.invoke(cli, ["targets", "list"])
    assert targets.exit_code == 0 and "2005" in targets.output
