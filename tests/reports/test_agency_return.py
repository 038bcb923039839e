"""The weekly agency return for a hand-built week (2026-W45: Mon 2 – Sun 8 Nov)."""
import csv
import io
from decimal import Decimal

import pytest

from bankapp.cascade import offers
from bankapp.cascade.services import approve_cascade, escalate_to_tier2, request_cascade
from bankapp.extensions import db
from bankapp.reports.agency_return import COLUMNS
from tests.cascade import conftest as cascade_scene
from tests.factories import london

# The cascade's scene: its fixed clock, card with agency caps and released shifts.
clock, card, shift_maker, released = (cascade_scene.clock, cascade_scene.card, cascade_scene.shift_maker,
                                      cascade_scene.released)

REASON = "ED at full capacity, no registrar"


@pytest.fixture
def week(world, shift_maker, clock):
    """Offers made and decided on Friday 30 Oct, for shifts in and around week 45."""
    clock.move_to("2026-10-30T12:00:00+00:00")

    def agency_shift(agency_user, charge, *, start, end, department=None, approver=world.executive):
        shift = shift_maker(start=start, end=end, posted_days_ago=10, department=department or world.dept_a)
        site_people = (world.coordinator_a, world.approver_a) if shift.site_id == world.site_a.id else (
            world.coordinator_b, world.approver_b)
        approve_cascade(request_cascade(shift, actor=site_people[0], reason="Unfilled"), actor=site_people[1])
        escalate_to_tier2(london("2026-10-31T00:00"))
        offer = offers.make_offer(shift, actor=agency_user, locum_name="Dr Locum", gmc_number=f"{6100000 + shift.id}",
                                  grade="ST3", charge_rate=Decimal(charge))
        offers.accept_offer(offer, actor=site_people[0])
        if offer.status == "pending_executive_approval":
            offers.approve_offer(offer, actor=approver, reason=REASON)
        db.session.commit()
        return shift

    over = agency_shift(world.agency_user1, "95.50", start="2026-11-05T08:00", end="2026-11-05T20:00")
    off = agency_shift(world.agency_user2, "70.00", start="2026-11-08T20:00", end="2026-11-09T08:30",
                       department=world.dept_b)
    agency_shift(world.agency_user1, "80.00", start="2026-11-04T08:00", end="2026-11-04T20:00")  # within cap
    agency_shift(world.agency_user1, "99.00", start="2026-11-09T00:00", end="2026-11-09T08:00")  # next week
    agency_shift(world.agency_user1, "90.00", start="2026-11-01T20:00", end="2026-11-02T06:00")  # week before
    clock.move_to("2026-11-10T09:00:00+00:00")
    return over, off


def _rows(resp):
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))


def test_weekly_return_lists_over_cap_and_off_framework_shifts_with_totals(world, api, week):
    over, off = week
    resp = api(world.executive).get("/api/v1/reports/agency-return?week=2026-W45")
    assert 'filename="agency-return-2026-W45.csv"' in resp.headers["Content-Disposition"]
    assert resp.get_data(as_text=True).splitlines()[0] == ",".join(COLUMNS)
    rows = _rows(resp)
    assert [(r["row_type"], r["site_code"], r["shift_id"]) for r in rows] == [
        ("shift", "AAA", str(over.id)), ("shift", "BBB", str(off.id)),
        ("site_total", "AAA", ""), ("site_total", "BBB", ""), ("trust_total", "ALL", "")]
    first = rows[0]
    assert {k: first[k] for k in ("week", "site_name", "department", "grade", "shift_start", "shift_end", "hours",
                                  "framework_status", "charge_rate", "cap", "over_cap_per_hour", "total_over_cap",
                                  "total_charge", "shifts", "above_cap", "off_framework", "approved_by",
                                  "approved_at", "reason")} == {
        "week": "2026-W45", "site_name": "Alpha Hospital", "department": "Emergency Department", "grade": "ST3",
        "shift_start": "2026-11-05T08:00:00+00:00", "shift_end": "2026-11-05T20:00:00+00:00", "hours": "12.00",
        "framework_status": "on_framework", "charge_rate": "95.50", "cap": "80.00", "over_cap_per_hour": "15.50",
        "total_over_cap": "186.00", "total_charge": "1146.00", "shifts": "1", "above_cap": "1",
        "off_framework": "0", "approved_by": "Executive", "approved_at": "2026-10-30T12:00:00+00:00",
        "reason": REASON}
    assert first["agency"] == world.agency1.name
    second = rows[1]
    assert (second["framework_status"], second["hours"], second["over_cap_per_hour"], second["total_over_cap"],
            second["total_charge"], second["above_cap"], second["off_framework"]) == (
        "off_framework", "12.50", "0.00", "0.00", "875.00", "0", "1")
    total = rows[-1]
    assert (total["hours"], total["total_over_cap"], total["total_charge"], total["shifts"], total["above_cap"],
            total["off_framework"]) == ("24.50", "186.00", "2021.00", "2", "1", "1")


def test_a_week_without_breaches_is_a_nil_return(world, api, week):
    rows = _rows(api(world.executive).get("/api/v1/reports/agency-return?week=2026-W40"))
    assert [(r["row_type"], r["shifts"], r["total_over_cap"]) for r in rows] == [("trust_total", "0", "0.00")]


def test_weekly_return_refuses_bad_weeks_and_other_roles(world, api):
    executive = api(world.executive)
    for week in ("2026-45", "2026-W54", ""):
        resp = executive.get(f"/api/v1/reports/agency-return?week={week}")
        assert resp.status_code == 422, week
        assert "week" in resp.get_json()["errors"]
    assert api(world.admin).get("/api/v1/reports/agency-return?week=2026-W45").status_code == 200
    for user in (world.coordinator_a, world.approver_a, world.agency_user1):
        assert api(user).get("/api/v1/reports/agency-return?week=2026-W45").status_code == 403
