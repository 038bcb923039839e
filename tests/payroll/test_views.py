"""Payroll pages: create an export, history, byte-identical downloads, home section."""
from datetime import UTC, datetime

import pytest
import time_machine

from bankapp.extensions import db
from bankapp.payroll.models import PayrollExport
from bankapp.timesheets.models import Timesheet
from tests.factories import PASSWORD
from tests.timesheets.helpers import approve, submit, worked


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(datetime(2026, 11, 2, 12, 0, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def trust(trust):
    """The priced trust with one approved timesheet waiting for export."""
    approve(submit(worked(trust, "2026-10-14T20:00", "2026-10-15T08:00")), trust.approver_a)
    return trust


def log_in(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def test_payroll_page_creates_an_export_and_downloads_it(client, trust):
    log_in(client, trust.payroll)
    page = client.get("/payroll").get_data(as_text=True)
    assert "<strong>1</strong> approved timesheet ready" in page
    resp = client.post("/payroll/exports")
    assert resp.status_code == 302
    batch = db.session.execute(db.select(PayrollExport)).scalar_one()
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "£725.00" in page
    first = client.get(f"/payroll/exports/{batch.id}/esr.csv")
    assert first.mimetype == "text/csv"
    assert first.data == client.get(f"/payroll/exports/{batch.id}/esr.csv").data
    assert first.data.startswith(b"esr_assignment_number,doctor_name,")
    history = client.get("/payroll").get_data(as_text=True)
    assert f"Export {batch.id}" in history and "£725.00" in history


def test_nothing_new_shows_a_clear_message_and_makes_no_batch(client, trust):
    log_in(client, trust.payroll)
    client.post("/payroll/exports")
    resp = client.post("/payroll/exports", follow_redirects=True)
    assert "Nothing new to export" in resp.get_data(as_text=True)
    assert db.session.query(PayrollExport).count() == 1


def test_others_cannot_use_the_payroll_page(client, trust):
    log_in(client, trust.doctor)
    assert client.get("/payroll").status_code == 403
    assert client.post("/payroll/exports").status_code == 403


def test_payroll_home_section(client, trust):
    page = log_in(client, trust.payroll).get("/").get_data(as_text=True)
    assert "1 approved timesheet ready to export" in page


def test_create_export_shows_only_when_something_is_ready(client, trust):
    log_in(client, trust.payroll)
    assert "Create export" in client.get("/payroll").get_data(as_text=True)
    client.post("/payroll/exports")
    page = client.get("/payroll").get_data(as_text=True)
    assert "Create export" not in page
    assert 'id="nothing-to-export"' in page
    assert "<strong>0</strong> approved timesheets ready" in page


def test_doctor_sees_when_their_timesheet_was_exported_for_payment(client, trust):
    ts = db.session.execute(db.select(Timesheet)).scalar_one()
    log_in(client, trust.doctor)
    assert "Waiting for the next payroll export" in client.get(f"/timesheets/{ts.id}").get_data(as_text=True)
    client.post("/logout")
    log_in(client, trust.payroll).post("/payroll/exports")
    client.post("/logout")
    log_in(client, trust.doctor)
    detail = client.get(f"/timesheets/{ts.id}").get_data(as_text=True)
    assert "Exported for payment on Mon 2 Nov 2026" in detail
    assert "Exported for payment on Mon 2 Nov" in client.get("/timesheets").get_data(as_text=True)
