"""A hand-counted month of a two-site trust for the report tests.

Period 2026-03-16 (Mon) to 2026-04-05 (Sun): ISO weeks 12, 13 and 14, with
British Summer Time starting on Sunday 29 March. Expected figures are counted
by hand in EXPECTED below, not computed.

Shifts (London times):
 1  A  ST3  Mon 16 Mar 08-20       bank booked                      W12
 2  A  FY1  Sun 22 Mar 23:30-07:30 open, unfilled                   W12 (its Monday is W13: start counts)
 3  A  ST3  Wed 25 Mar             cancelled (booking cancelled)    not posted
 4  A  ST3  Thu 26 Mar             bank booking cancelled, re-booked by bank: counts once
 5  A  FY1  Mon 30 Mar 00:30-08:30 BST (Sun 23:30 UTC) agency, completed, £100/h × 8 h   W14
 6  B  ST3  Tue 24 Mar             agency booked, not yet worked    W13
 7  B  ST3  Wed 1 Apr              pending rate approval, unfilled  W14
 8  B  ST3  Thu 2 Apr 08-20        bank, completed, approved timesheet 690 min, £575.00   W14
 9  B  ST3  Fri 27 Mar             cancelled then re-opened: open, unfilled             W13
10  A  ST3  Mon 6 Apr 00:30 BST (Sun 5 Apr 23:30 UTC)  bank: outside the period
11  A  ST3  Sun 15 Mar 23:00 GMT   bank: outside the period
"""
from datetime import timedelta

from bankapp.audit.services import record_breach
from bankapp.extensions import db
from bankapp.rates.models import RateViolation
from bankapp.timesheets.models import PayLine, Timesheet
from tests.factories import london, make_booking, make_shift

FROM, TO = "2026-03-16", "2026-04-05"

EXPECTED_BY_SITE = {
    # site: posted, filled_bank, filled_agency, unfilled, fill_rate, bank spend, agency spend, hours
    "A": (4, 2, 1, 1, 0.75, "0.00", "800.00", "8.00"),
    "B": (4, 1, 1, 2, 0.5, "575.00", "0.00", "11.50"),
}
EXPECTED_BY_WEEK = {
    "2026-W12": (2, 1, 0, 1, 0.5),
    "2026-W13": (3, 1, 1, 1, 0.6667),
    "2026-W14": (3, 1, 1, 1, 0.6667),
}
EXPECTED_BY_GRADE = {"FY1": (2, 0, 1, 1, 0.5), "ST3": (6, 3, 1, 2, 0.6667)}
EXPECTED_TOTALS = (8, 3, 2, 3, 0.625)
EXPECTED_BREACH_TOTALS = {"rate_violation": 3, "agency_over_cap": 1, "off_framework": 1, "agency_over_ceo_rate": 0,
                          "wtr_override": 1, "late_timesheet": 0}
EXPECTED_BREACHES_BY_SITE = {"A": {"rate_violation": 1, "agency_over_cap": 1, "off_framework": 1},
                             "B": {"rate_violation": 2, "wtr_override": 1}}


def _shift(w, site, grade, start, hours, **kw):
    dept = w.dept_a if site == "A" else w.dept_b
    begin = london(start)
    return make_shift(department=dept, grade=w.grades[grade], start=begin, end=begin + timedelta(hours=hours),
                      posted_by=w.coordinator_a if site == "A" else w.coordinator_b, **kw)


def _violation(w, shift, status, *, created, decided=None, decided_by=None, note=None):
    rv = RateViolation(shift_id=shift.id, status=status, required_role="approver", percent_over="20.00",
                       flat_rate="40.00", flat_total="480.00", card_total="400.00", reason="Short notice",
                       requested_by_id=shift.posted_by_id, decided_by_id=getattr(decided_by, "id", None),
                       decided_at=london(decided) if decided else None, decision_note=note, created_at=london(created))
    db.session.add(rv)
    db.session.flush()
    return rv


def build(w):
    """Build the month; returns the shifts by number."""
    s = {}
    s[1] = _shift(w, "A", "ST3", "2026-03-16T08:00", 12)
    make_booking(s[1], w.doctor)
    s[2] = _shift(w, "A", "FY1", "2026-03-22T23:30", 8)
    s[3] = _shift(w, "A", "ST3", "2026-03-25T08:00", 12, status="cancelled")
    make_booking(s[3], w.doctor, status="cancelled")
    s[4] = _shift(w, "A", "ST3", "2026-03-26T08:00", 12)
    make_booking(s[4], w.doctor, status="cancelled")
    make_booking(s[4], w.doctor)
    s[5] = _shift(w, "A", "FY1", "2026-03-30T00:30", 8)
    make_booking(s[5], None, source="agency", status="completed", charge_rate="100.00")
    s[5].status = "completed"
    s[6] = _shift(w, "B", "ST3", "2026-03-24T08:00", 12)
    make_booking(s[6], None, source="agency", charge_rate="90.00")
    s[7] = _shift(w, "B", "ST3", "2026-04-01T08:00", 12, status="pending_rate_approval", hourly_rate="40.00")
    s[8] = _shift(w, "B", "ST3", "2026-04-02T08:00", 12)
    booking8 = make_booking(s[8], w.doctor, status="completed")
    s[8].status = "completed"
    s[9] = _shift(w, "B", "ST3", "2026-03-27T08:00", 12, status="open", cancelled_at=london("2026-03-20T10:00"))
    s[10] = _shift(w, "A", "ST3", "2026-04-06T00:30", 8)
    make_booking(s[10], w.doctor)
    s[11] = _shift(w, "A", "ST3", "2026-03-15T23:00", 8)
    make_booking(s[11], w.doctor)

    ts = Timesheet(booking_id=booking8.id, doctor_id=w.doctor.id, site_id=w.site_b.id, status="approved",
                   actual_start=s[8].start_at, actual_end=s[8].end_at, break_minutes=30,
                   submitted_by_id=w.doctor.id, approved_at=london("2026-04-03T09:00"))
    db.session.add(ts)
    db.session.flush()
    db.session.add(PayLine(timesheet_id=ts.id, position=1, band="weekday_day", minutes=690, rate="50.00",
                           amount="575.00"))

    rv1 = _violation(w, s[1], "approved", created="2026-03-16T09:00", decided="2026-03-17T10:00",
                     decided_by=w.executive, note="Winter pressures")
    record_breach("rate_violation", site_id=w.site_a.id, shift_id=s[1].id, amount_over="80.00",
                  approved_by=w.executive, reason="Winter pressures", source_type="rate_violation",
                  source_id=rv1.id, at=london("2026-03-17T10:00"))
    _violation(w, s[7], "pending", created="2026-04-01T09:00")
    _violation(w, s[9], "rejected", created="2026-03-26T09:00", decided="2026-03-27T12:00",
               decided_by=w.approver_b, note="Use the card rate")
    record_breach("agency_over_cap", site_id=w.site_a.id, shift_id=s[5].id, amount_over="15.00",
                  approved_by=w.chief_executive, reason="Only locum available", at=london("2026-03-29T23:45+00:00"))
    record_breach("wtr_override", site_id=w.site_b.id, shift_id=s[8].id, approved_by=w.coordinator_b,
                  reason="=HYPERLINK(\"http://evil\")", at=london("2026-04-05T23:30"))
    record_breach("late_timesheet", site_id=w.site_b.id, shift_id=s[8].id, at=london("2026-04-05T23:30+00:00"))
    record_breach("off_framework", site_id=w.site_a.id, at=london("2026-03-15T23:59"))
    record_breach("off_framework", site_id=w.site_a.id, shift_id=s[4].id, approved_by=w.executive,
                  reason="Patient safety", at=london("2026-03-20T12:00"))
    db.session.commit()
    return s
