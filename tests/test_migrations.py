"""Migrations: one head, upgrade builds exactly the models' schema, downgrade
removes it. Runs on a throwaway SQLite file, and on PostgreSQL when
TEST_DATABASE_URL is set (in a separate schema-less database state: the
suite's tables are dropped first and recreated after)."""
import os
from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from bankapp import create_app
from bankapp.extensions import db
from config import TestConfig


def _app_for(url):
    class MigrationConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    return create_app(MigrationConfig)


def test_one_head(app):
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    assert len(script.get_heads()) == 1


def _roundtrip(url):
    app = _app_for(url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        left = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert left == set()
        db.session.remove()
        db.engine.dispose()


def test_upgrade_matches_models_and_downgrade_removes_everything_sqlite(tmp_path):
    _roundtrip(f"sqlite:///{tmp_path / 'migrations.db'}")


@contextmanager
def scratch_postgres(prefix):
    """The URL of a new, empty PostgreSQL database next to TEST_DATABASE_URL's, dropped afterwards."""
    from config import normalise_db_url

    base = normalise_db_url(os.environ["TEST_DATABASE_URL"])
    name = f"{prefix}_{os.getpid()}"
    admin = create_engine(base.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL: set TEST_DATABASE_URL")
def test_upgrade_matches_models_and_downgrade_removes_everything_postgres():
    with scratch_postgres("migrations_check") as url:
        _roundtrip(url)
