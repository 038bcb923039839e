"""One journey per role, on a phone, through the real pages (no shortcuts into the database
after seeding): the doctor claims a shift and, once it is over, sends its timesheet; the
coordinator posts a rota from a CSV file; the approver approves a rate and a timesheet; the
executive opens the breach report; payroll exports and downloads the ESR file."""
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from bankapp.timeutil import format_london, london_date, now_utc, to_london

HEADER = ("esr_assignment_number,doctor_name,site_code,cost_centre,shift_id,timesheet_id,work_date,band,hours,"
          "rate,amount")


def _hour(dt):
    return dt.replace(minute=0, second=0, microsecond=0)


def _weekday_morning(after):
    """08:00 London on the first Tuesday–Thursday from ``after``: every minute a weekday-day minute."""
    from tests.factories import london

    day = london_date(after)
    while day.weekday() not in (1, 2, 3):
        day += timedelta(days=1)
    return london(f"{day.isoformat()}T08:00")


def _trust():
    """Site A with a card; a shift starting in two hours; a worked booking with a submitted
    timesheet; a rate waiting for an approver; a working-time override in the breach register."""
    from bankapp.audit.services import record_breach
    from bankapp.extensions import db
    from bankapp.shifts.services import post_shift
    from bankapp.timesheets.services import submit_timesheet
    from tests.factories import Factory, make_booking, make_shift
    from tests.rates.cards import make_card

    w = Factory().world()
    make_card(w.admin)
    st3, now = w.grades["ST3"], _hour(now_utc())
    w.soon = make_shift(department=w.dept_a, grade=st3, start=now + timedelta(hours=2),
                        end=now + timedelta(hours=10), posted_by=w.coordinator_a)
    worked = make_booking(make_shift(department=w.dept_a, grade=st3, start=now - timedelta(days=2, hours=8),
                                     end=now - timedelta(days=2), posted_by=w.coordinator_a), w.doctor)
    w.submitted = submit_timesheet(worked, actor=w.doctor, actual_start=worked.shift.start_at,
                                   actual_end=worked.shift.end_at + timedelta(minutes=45))
    start = _weekday_morning(now + timedelta(days=9))
    w.held = post_shift(actor=w.coordinator_a, department=w.dept_a, grade=st3, start=start,
                        end=start + timedelta(hours=8), hourly_rate=Decimal("70.00"), reason="Winter pressures")
    w.violation_id = w.held.rate_violations[-1].id
    record_breach("wtr_override", site_id=w.site_a.id, approved_by=w.coordinator_a,
                  reason="No one else could cover", at=now_utc())  # this week, as the dashboard
    db.session.flush()
    w.ids = {"soon": w.soon.id, "submitted": w.submitted.id, "violation": w.violation_id}
    w.emails = {r: getattr(w, r).email for r in ("doctor", "coordinator_a", "approver_a", "executive", "payroll")}
    return w


@pytest.fixture
def trust(live_server):
    world = live_server.seed(_trust)
    return world.ids, world.emails


def _log_out(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")


def test_doctor_claims_a_shift_and_sends_its_timesheet_after_it(page, trust, login, expect):
    ids, emails = trust
    login(page, emails["doctor"])
    page.get_by_role("link", name="Find shifts").first.click()
    page.locator(f"a[href='/shifts/{ids['soon']}']").first.click()
    page.get_by_role("button", name="Claim this shift").click()
    # With htmx the claim panel says so in place; before htmx has loaded, a redirect to My shifts does.
    expect(page.locator("main")).to_contain_text("Booked: Emergency Department")
    page.goto("/my-shifts")
    expect(page.locator("main")).to_contain_text("Emergency Department")

    # Eleven hours later the shift is over (the live server runs in this process: its clock moves too).
    with time_machine.travel(now_utc() + timedelta(hours=11), tick=True):
        page.goto("/timesheets")
        page.locator("a[href*='booking_id=']").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Send timesheet")
        page.fill("#break_minutes", "30")
        page.get_by_role("button", name="Send timesheet").click()
        expect(page.get_by_text("Timesheet sent for approval.")).to_be_visible()
        expect(page.locator("table")).to_contain_text("Submitted")


def test_coordinator_posts_a_rota_from_a_csv_file(page, trust, login, expect, tmp_path, live_server):
    ids, emails = trust
    start = _hour(now_utc()) + timedelta(days=20)
    rows = [f"Emergency Department,ST3,{format_london(start + timedelta(days=d))},"
            f"{format_london(start + timedelta(days=d, hours=8))}" for d in range(3)]
    rota = tmp_path / "rota.csv"
    rota.write_text("department,grade,start,end\n" + "\n".join(rows) + "\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("department,grade,start,end\nEmergency Department,ZZ9," + rows[0].split(",", 2)[2] + "\n")

    login(page, emails["coordinator_a"])
    page.goto("/coordinator/shifts/upload")
    page.set_input_files("#file", str(bad))
    page.get_by_role("button", name="Upload and post shifts").click()
    expect(page.locator(".nhsuk-error-summary:not([hidden])")).to_contain_text("Line 2")
    page.set_input_files("#file", str(rota))
    page.get_by_role("button", name="Upload and post shifts").click()
    expect(page.get_by_text("3 shifts imported.")).to_be_visible()
    expect(page.locator("main")).to_contain_text(to_london(start).strftime("%-d %b"))


def test_approver_approves_a_rate_and_a_timesheet(page, trust, login, expect):
    ids, emails = trust
    login(page, emails["approver_a"])
    page.goto("/rate-violations")
    card = page.locator(f"#violation-{ids['violation']}")
    card.get_by_label("Note").fill("Winter pressures: approved")
    card.get_by_role("button", name="Approve rate").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Rate approved")

    page.goto("/timesheets/queue")
    page.locator(f"a[href='/timesheets/{ids['submitted']}']").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Timesheet {ids['submitted']}")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_text(f"Timesheet {ids['submitted']} approved.")).to_be_visible()


def test_executive_opens_the_breach_report(page, trust, login, expect):
    ids, emails = trust
    login(page, emails["executive"])
    page.locator("#dash-breaches a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Breaches")
    expect(page.locator("main")).to_contain_text("No one else could cover")


def test_payroll_exports_and_downloads(page, trust, login, expect, browser, live_server):
    ids, emails = trust
    approver = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    try:
        approver_page = approver.new_page()
        login(approver_page, emails["approver_a"])
        approver_page.goto(f"/timesheets/{ids['submitted']}")
        approver_page.get_by_role("button", name="Approve", exact=True).click()
        expect(approver_page.get_by_text("approved.")).to_be_visible()
    finally:
        approver.close()

    login(page, emails["payroll"])
    page.goto("/payroll")
    page.get_by_role("button", name="Create export").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Export ")
    with page.expect_download() as info:
        page.locator("#download-esr").click()
    lines = open(info.value.path(), encoding="utf-8").read().splitlines()
    assert lines[0] == HEADER
    assert "Dr Default" in lines[1] and f",{ids['submitted']}," in lines[1]
