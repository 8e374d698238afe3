from sqlalchemy import func, select

from app.models import Benchmark, ConversionFactor, Region
from seeds.loader import load_reference


def test_reference_loads_twice_without_duplicates(session):
    before = session.scalar(select(func.count()).select_from(Region))
    changed = load_reference(session)
    assert all(count == 0 for count in changed.values()), changed
    assert session.scalar(select(func.count()).select_from(Region)) == before


def test_the_21_demonstration_regions_and_their_parents(session):
    demo = session.scalars(select(Region).where(Region.is_demonstration.is_(True))).all()
    assert len(demo) == 21
    by_code = {r.code: r for r in session.scalars(select(Region))}
    assert by_code["210100"].parent_code == "210000" and by_code["210100"].climate_zone == "severe_cold"
    assert by_code["440300"].parent_code == "440000" and not by_code["440000"].is_demonstration
    assert by_code["130200"].parent_code == "130000" and not by_code["130000"].is_demonstration


def test_a_corrected_seed_value_is_updated_in_place(session):
    factor = session.scalars(
        select(ConversionFactor).where(ConversionFactor.carrier_code == "natural_gas", ConversionFactor.method == "calorific")
    ).one()
    factor.kgce_per_unit = 9.99
    session.flush()
    changed = load_reference(session)
    assert changed["conversion_factors"] == 1
    assert factor.kgce_per_unit == 1.2143


def test_every_reference_row_has_a_source(session):
    assert session.scalar(select(func.count()).select_from(Benchmark).where(Benchmark.source == "")) == 0
    # offices 4 x 5 zones, malls 8 x 5, hotels 6 x 5
    assert session.scalar(select(func.count()).select_from(Benchmark)) == 90
