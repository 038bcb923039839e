"""Agency cascade in a phone browser: the agency offers, the coordinator accepts,
the executive breaks glass with a patient-safety reason."""
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.factories import Factory, make_shift


def _seed():
    from bankapp.cascade.services import approve_cascade, request_cascade
    from bankapp.rates.cards import create_rate_card
    from bankapp.timeutil import london_date, now_utc

    world = Factory().world()
    caps = {"FY1": "60.00", "FY2": "65.00", "CT1": "70.00", "ST3": "80.00", "CONS": "150.00"}
    bands = ("weekday_day", "weekday_night", "weekend_day", "weekend_night", "bank_holiday")
    create_rate_card(effective_from=london_date(now_utc()) - timedelta(days=30),
                     rates=[{"grade": g, "band": b, "hourly_rate": str(Decimal(c) / 2)} for g, c in caps.items()
                            for b in bands],
                     agency_caps=[{"grade": g, "hourly_cap": c} for g, c in caps.items()],
                     backdated_reason="Card of the merged trust", actor=world.admin)
    now = now_utc()
    shift = make_shift(department=world.dept_a, grade=world.grades["ST3"], start=now + timedelta(days=3),
                       end=now + timedelta(days=3, hours=12), posted_by=world.coordinator_a,
                       created_at=now - timedelta(days=3))
    approve_cascade(request_cascade(shift, actor=world.coordinator_a, reason="No bank claims"),
                    actor=world.approver_a)
    return world, shift.id


@pytest.fixture
def seeded(live_server):
    return live_server.seed(_seed)


def _logout(page):
    page.get_by_role("button", name="Log out").click()


def test_agency_offers_coordinator_accepts_executive_approves(page, seeded, login, expect, live_server):
    world, shift_id = seeded

    login(page, world.agency_user1.email)
    page.goto("/agency")
    page.locator(f"#shift-{shift_id}").get_by_role("link", name="Offer a locum").click()
    page.fill("#locum_name", "Dr Lena Fischer")
    page.fill("#gmc_number", "6543210")
    page.select_option("#grade", "ST3")
    page.fill("#charge_rate", "95.00")
    page.get_by_role("button", name="Send offer").click()
    expect(page.get_by_text("Offer of Dr Lena Fischer sent to the trust.")).to_be_visible()
    _logout(page)

    login(page, world.coordinator_a.email)
    page.goto("/coordinator/agency-offers")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Accept Dr Lena Fischer").click()
    expect(page.get_by_text("accepted, awaiting an executive (above the cap, off framework or above £100.00/h)")
           ).to_be_visible()
    _logout(page)

    login(page, world.executive.email)
    expect(page.locator("#break-glass-count")).to_contain_text("1 agency offer above the cap")
    page.goto("/agency-approvals")
    page.get_by_role("link", name="Dr Lena Fischer").click()
    expect(page.get_by_text("£15.00 an hour")).to_be_visible()
    page.get_by_role("button", name="Approve and book").click()
    expect(page.locator("#reason-error")).to_contain_text("patient-safety reason")
    page.fill("#reason", "Only registrar cover for a full emergency department overnight")
    page.get_by_role("button", name="Approve and book").click()
    expect(page.get_by_text("Dr Lena Fischer is booked; the breach is recorded.")).to_be_visible()

    def booked():
        from bankapp.extensions import db
        from bankapp.shifts.models import Booking

        booking = db.session.execute(db.select(Booking).filter_by(shift_id=shift_id)).scalar_one()
        return booking.source, booking.charge_rate, booking.shift.status

    assert live_server.seed(booked) == ("agency", Decimal("95.00"), "booked")
