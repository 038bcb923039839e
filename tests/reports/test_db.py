"""The reports' session: one per request, on the reports engine, and it never writes."""
import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

from bankapp.extensions import db
from bankapp.org.models import Site
from bankapp.reports import db as reports_db
from bankapp.reports.db import ReportsAreReadOnly, reports_engine, reports_session
from tests.conftest import requires_postgres


def test_without_a_replica_reports_read_the_primary(app):
    assert reports_engine().url == db.engine.url
    assert reports_session() is reports_session()
    assert reports_session() is not db.session()


def test_reports_session_refuses_to_flush_a_change(world):
    session = reports_session()
    session.add(Site(code="NEW", name="New site"))
    with pytest.raises(ReportsAreReadOnly):
        session.flush()
    session.rollback()
    assert db.session.query(Site).filter_by(code="NEW").count() == 0


def test_reports_session_refuses_an_orm_update_of_a_loaded_row(world):
    site = reports_session().get(Site, world.site_a.id)
    site.name = "Renamed"
    with pytest.raises(ReportsAreReadOnly):
        reports_session().flush()


def test_reports_session_refuses_insert_update_delete_statements(world):
    with pytest.raises(ReportsAreReadOnly):
        reports_session().execute(insert(Site).values(code="NEW", name="New site"))
    with pytest.raises(ReportsAreReadOnly):
        reports_session().execute(db.update(Site).values(name="Renamed"))
    with pytest.raises(ReportsAreReadOnly):
        reports_session().execute(db.delete(Site))


@requires_postgres
def test_on_postgresql_the_primary_refuses_a_write_from_a_report_transaction(world):
    """Even without a replica every reports transaction is READ ONLY, so raw SQL cannot write either."""
    import psycopg

    with pytest.raises(DBAPIError) as refused:
        reports_session().execute(text("UPDATE sites SET name = 'Renamed'"))
    assert isinstance(refused.value.orig, psycopg.errors.ReadOnlySqlTransaction)


def test_each_request_ends_its_reports_session(world, api):
    response = api(world.executive).get("/api/v1/reports/fill-rates")
    assert response.status_code == 200
    assert not reports_db._sessions.registry.has()
