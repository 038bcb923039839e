"""Timesheets in a phone browser: doctor submits → approver approves → payroll exports → download."""
from datetime import timedelta

import pytest

from bankapp.extensions import db
from bankapp.timeutil import now_utc
from tests.factories import Factory, make_booking, make_shift

HEADER = ("esr_assignment_number,doctor_name,site_code,cost_centre,shift_id,timesheet_id,work_date,band,hours,"
          "rate,amount")


def _trust():
    from tests.timesheets.helpers import make_card

    world = Factory().world()
    make_card(world)
    end = (now_utc() - timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    shift = make_shift(department=world.dept_a, grade=world.grades["ST3"], start=end - timedelta(hours=9), end=end,
                       posted_by=world.coordinator_a)
    booking = make_booking(shift, world.doctor)
    db.session.flush()
    world.booking_id = booking.id
    return world


@pytest.fixture
def trust(live_server):
    return live_server.seed(_trust)


def _log_out(page):
    page.get_by_role("button", name="Log out").click()


def test_submit_approve_export_download(page, trust, login, expect, live_server):
    # The doctor sends the booked times with one tap.
    login(page, trust.doctor.email)
    page.goto("/timesheets")
    page.get_by_role("link", name="Send timesheet").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send timesheet")
    assert page.locator("#actual_start").input_value()
    page.get_by_role("button", name="Send timesheet").click()
    expect(page.get_by_text("Timesheet sent for approval.")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Submitted")
    _log_out(page)

    # The approver of the site approves it from the queue (worked as booked: bulk approve).
    login(page, trust.approver_a.email)
    page.goto("/timesheets/queue")
    page.get_by_label("Dr Default", exact=False).check()
    page.get_by_role("button", name="Approve selected").click()
    expect(page.get_by_text("1 timesheet approved.")).to_be_visible()
    _log_out(page)

    # The doctor sees the pay.
    login(page, trust.doctor.email)
    page.goto("/timesheets")
    expect(page.locator("table")).to_contain_text("Approved")
    expect(page.locator("table")).to_contain_text("£")
    _log_out(page)

    # Payroll exports and downloads the ESR file, twice: the same bytes.
    login(page, trust.payroll.email)
    page.goto("/payroll")
    page.get_by_role("button", name="Create export").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Export ")
    files = []
    for _ in range(2):
        with page.expect_download() as info:
            page.locator("#download-esr").click()
        files.append(open(info.value.path(), "rb").read())
    assert files[0] == files[1]
    lines = files[0].decode("utf-8").split("\r\n")
    assert lines[0] == HEADER
    assert "Dr Default" in lines[1]
    page.goto("/payroll")  # everything is exported: no button to make an empty export with
    expect(page.get_by_role("button", name="Create export")).to_have_count(0)
    expect(page.locator("#nothing-to-export")).to_contain_text("Nothing is ready to export")
    _log_out(page)

    # The doctor sees when it went for payment.
    login(page, trust.doctor.email)
    page.goto("/timesheets")
    expect(page.locator("table")).to_contain_text("Exported for payment on")


def test_bad_times_show_errors_next_to_fields_on_a_phone(page, trust, login, expect):
    login(page, trust.doctor.email)
    page.goto(f"/timesheets/new?booking_id={trust.booking_id}")
    page.fill("#break_minutes", "9999")
    page.get_by_role("button", name="Send timesheet").click()
    expect(page.locator("#break_minutes-error")).to_be_visible()
    expect(page.locator(".nhsuk-error-summary").first).to_contain_text("There is a problem")
    # Nothing sticks out sideways on a 390 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
