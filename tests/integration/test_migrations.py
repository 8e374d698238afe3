from sqlalchemy import inspect

from app import migrate
from app.db import Base, make_engine


def test_upgrade_check_downgrade_upgrade(empty_database_url):
    migrate.upgrade(empty_database_url)
    migrate.check(empty_database_url)  # raises if the models drifted from the migrations
    engine = make_engine(empty_database_url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    migrate.downgrade(empty_database_url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(empty_database_url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()
