"""A committed database for the dashboards' tests: reference, demo data, a target and three uploads."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from app import migrate
from app.db import make_engine, session_scope
from etl.pipeline import run
from seeds.demo import generate
from seeds.loader import load_reference

DATA = Path(__file__).resolve().parents[1] / "data" / "dashboards"
UPLOADS = (("buildings_upload.csv", "buildings"), ("consumption_good.csv", "consumption"),
           ("consumption_bad.csv", "consumption"))
AUDITOR = "auditor1"


def build(url: str, *, buildings_per_region: int = 3) -> None:
    """Migrate ``url`` and fill it; the target is a 20% cut 2005 -> 2010 by baseline share."""
    from app.services.targets import decompose

    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        load_reference(session)
        generate(session, buildings_per_region=buildings_per_region, seed=7)
    with session_scope(engine) as session:
        decompose(session=session, cut_percent=20, baseline_year=2005, target_year=2010, method="baseline",
                  created_by="admin")
    for filename, kind in UPLOADS:
        session = Session(engine)
        try:
            run(session=session, data=(DATA / filename).read_bytes(), filename=filename, kind=kind, uploaded_by=AUDITOR)
            session.commit()
        finally:
            session.close()
    engine.dispose()
