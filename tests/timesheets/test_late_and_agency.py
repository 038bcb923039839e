"""Late approvals across the pay-run cut-off, and agency locums' timesheets."""
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from bankapp.audit.models import Breach
from bankapp.cascade.models import AgencyOffer
from bankapp.extensions import db
from bankapp.timesheets import queries, services
from tests.factories import london
from tests.timesheets.helpers import body, submit, worked


def _submitted_on_saturday(trust):
    """Shift Fri 16 Oct 2026; submitted Sat 17 Oct: due for the run with cut-off Mon 19 Oct 09:00 BST."""
    booking = worked(trust, "2026-10-16T08:00", "2026-10-16T17:00")
    with time_machine.travel(london("2026-10-17T10:00"), tick=False):
        return submit(booking)


def test_approved_before_the_cutoff_is_not_late(trust):
    ts = _submitted_on_saturday(trust)
    with time_machine.travel(london("2026-10-19T08:59"), tick=False):
        services.approve_timesheet(ts, actor=trust.approver_a)
    assert ts.late is False
    assert db.session.query(Breach).count() == 0


def test_approved_after_the_cutoff_is_late_and_a_breach(trust):
    ts = _submitted_on_saturday(trust)
    with time_machine.travel(london("2026-10-19T09:01"), tick=False):
        services.approve_timesheet(ts, actor=trust.approver_a)
    db.session.commit()
    assert ts.late is True
    breach = db.session.execute(db.select(Breach)).scalar_one()
    assert (breach.type, breach.site_id, breach.shift_id, breach.approved_by_id) == (
        "late_timesheet", trust.site_a.id, ts.booking.shift_id, trust.approver_a.id)
    assert (breach.source_type, breach.source_id) == ("timesheet", ts.id)
    assert breach.reason == "Approved after the pay-run cut-off of Mon 19 Oct 2026 09:00."


def test_cutoff_after_the_clocks_go_back_is_nine_gmt(trust):
    booking = worked(trust, "2026-10-23T08:00", "2026-10-23T17:00")
    with time_machine.travel(london("2026-10-24T10:00"), tick=False):
        ts = submit(booking)
    # Mon 26 Oct 08:30 GMT = 08:30 UTC: on time (would be late if 09:00 BST were used).
    with time_machine.travel(datetime(2026, 10, 26, 8, 30, tzinfo=UTC), tick=False):
        services.approve_timesheet(ts, actor=trust.approver_a)
    assert ts.late is False


def test_queue_shows_which_will_miss_this_weeks_run(trust):
    ts = _submitted_on_saturday(trust)
    with time_machine.travel(london("2026-10-19T08:00"), tick=False):
        assert queries.misses_cutoff(ts) is False
    with time_machine.travel(london("2026-10-19T10:00"), tick=False):
        assert queries.misses_cutoff(ts) is True


def test_cutoff_setting_is_respected(trust, app):
    ts = _submitted_on_saturday(trust)
    app.config["PAYROLL_CUTOFF_WEEKDAY"], app.config["PAYROLL_CUTOFF_TIME"] = 6, "18:00"  # Sunday 18:00
    try:
        with time_machine.travel(london("2026-10-18T18:30"), tick=False):
            services.approve_timesheet(ts, actor=trust.approver_a)
    finally:
        app.config["PAYROLL_CUTOFF_WEEKDAY"], app.config["PAYROLL_CUTOFF_TIME"] = 0, "09:00"
    assert ts.late is True


def test_amended_timesheet_is_due_for_the_run_after_its_resubmission(trust):
    ts = _submitted_on_saturday(trust)
    with time_machine.travel(london("2026-10-18T10:00"), tick=False):
        services.query_timesheet(ts, actor=trust.approver_a, note="Break?")
    with time_machine.travel(london("2026-10-20T10:00"), tick=False):
        services.amend_timesheet(ts, actor=trust.doctor, actual_start=ts.actual_start, actual_end=ts.actual_end,
                                 break_minutes=30)
    with time_machine.travel(london("2026-10-21T10:00"), tick=False):
        services.approve_timesheet(ts, actor=trust.approver_a)
    assert ts.late is False


# --- agency locums -----------------------------------------------------------------------


@pytest.fixture
def agency_booking(trust):
    shift_booking = worked(trust, "2026-10-14T20:00", "2026-10-15T08:00", source="agency",
                           charge_rate=Decimal("110.00"))
    offer = AgencyOffer(shift_id=shift_booking.shift_id, agency_id=trust.agency1.id,
                        offered_by_id=trust.agency_user1.id, locum_name="Dr Lena Locum", gmc_number="7999999",
                        grade_id=trust.grades["ST3"].id, charge_rate=Decimal("110.00"), status="accepted",
                        booking_id=shift_booking.id)
    db.session.add(offer)
    db.session.flush()
    shift_booking.agency_offer_id = offer.id
    db.session.commit()
    return shift_booking


def test_coordinator_of_the_site_enters_an_agency_timesheet(trust, api, agency_booking):
    with time_machine.travel(london("2026-10-16T10:00"), tick=False):
        resp = api(trust.coordinator_a).post("/api/v1/timesheets", json=body(agency_booking))
    assert resp.status_code == 201
    assert resp.get_json()["doctor_id"] is None


@pytest.mark.parametrize("who", ["coordinator_b", "doctor", "approver_a"])
def test_others_cannot_enter_an_agency_timesheet(trust, api, agency_booking, who):
    with time_machine.travel(london("2026-10-16T10:00"), tick=False):
        resp = api(getattr(trust, who)).post("/api/v1/timesheets", json=body(agency_booking))
    assert resp.status_code == 403


def test_agency_timesheet_is_paid_at_the_charge_rate(trust, agency_booking):
    with time_machine.travel(london("2026-10-16T10:00"), tick=False):
        ts = submit(agency_booking, trust.coordinator_a)
        services.approve_timesheet(ts, actor=trust.approver_a)
    assert [(line.band, line.minutes, line.rate, line.amount) for line in ts.pay_lines] == [
        ("weekday_day", 120, Decimal("110.00"), Decimal("220.00")),
        ("weekday_night", 600, Decimal("110.00"), Decimal("1100.00"))]


def test_coordinator_who_entered_it_cannot_approve_it(trust, api, agency_booking, factory):
    both = factory.user(("coordinator", "approver"), sites=[trust.site_a])
    db.session.commit()
    with time_machine.travel(london("2026-10-16T10:00"), tick=False):
        ts = submit(agency_booking, both)
        resp = api(both).post(f"/api/v1/timesheets/{ts.id}/approve", json={})
    assert resp.status_code == 403
    assert resp.get_json()["reasons"] == [{"code": "own_request",
                                           "message": "You made this timesheet: someone else must decide it."}]
