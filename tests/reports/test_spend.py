"""The spend report: the hand-counted month, a reconciliation on generated data, scope, CSV and page."""
import csv
import io
import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from bankapp.extensions import db
from bankapp.rates.services import price
from bankapp.reports import services
from bankapp.shifts.models import Booking, Shift
from bankapp.shifts.pricing import estimate_pay
from bankapp.timesheets import services as timesheets
from bankapp.timesheets.models import Timesheet
from tests.factories import PASSWORD, london, make_booking, make_shift
from tests.timesheets.helpers import make_card

from . import fixtures as fx
from .htmltables import tables

SPEND = "/api/v1/reports/spend"
PERIOD = f"from={fx.FROM}&to={fx.TO}"
FIELDS = ("bank_hours", "bank_spend", "agency_hours", "agency_spend", "agency_share", "off_card_spend",
          "estimated_spend")


@pytest.fixture
def month(world):
    return fx.build(world)


def _figures(item):
    return tuple(item[f] for f in FIELDS)


def test_spend_by_site_matches_the_hand_count(world, month, api):
    """A: the agency's completed night, no timesheet yet: estimated at £100/h × 8 h. B: the approved 11.5 h
    at £575. Booked shifts not yet worked count nothing."""
    body = api(world.executive).get(f"{SPEND}?{PERIOD}&group_by=site").json
    by_site = {item["key"]: item for item in body["items"]}
    assert _figures(by_site[world.site_a.id]) == ("0.00", "0.00", "8.00", "800.00", 1.0, "0.00", "800.00")
    assert _figures(by_site[world.site_b.id]) == ("11.50", "575.00", "0.00", "0.00", 0.0, "0.00", "0.00")
    assert _figures(body["totals"]) == ("11.50", "575.00", "8.00", "800.00", 0.5818, "0.00", "800.00")
    assert [i["label"] for i in body["items"]] == ["Alpha Hospital", "Beta Hospital"]


def test_fill_rates_and_spend_count_spend_the_same_way(world, month, api):
    client = api(world.executive)
    for group_by in ("site", "department", "grade", "week"):
        fill = client.get(f"/api/v1/reports/fill-rates?{PERIOD}&group_by={group_by}").json
        spend = client.get(f"{SPEND}?{PERIOD}&group_by={group_by}").json
        spent = {i["key"]: (i["bank_spend"], i["agency_spend"]) for i in spend["items"]}
        for item in fill["items"]:
            assert spent.get(item["key"], ("0.00", "0.00")) == (item["spend_bank"], item["spend_agency"])
        assert (fill["spend"]["bank"], fill["spend"]["agency"]) == (spend["totals"]["bank_spend"],
                                                                    spend["totals"]["agency_spend"])


def test_spend_by_week_is_keyed_by_iso_week(world, month, api):
    body = api(world.executive).get(f"{SPEND}?{PERIOD}&group_by=week").json
    assert [i["key"] for i in body["items"]] == ["2026-W14"]
    assert body["items"][0]["week_start"] == "2026-03-30"
    assert body["items"][0]["label"] == "Week 14, 2026 (from Mon 30 Mar)"


def test_coordinator_and_approver_see_their_sites_only(world, month, api):
    for user in (world.coordinator_b, world.approver_b):
        body = api(user).get(f"{SPEND}?{PERIOD}").json
        assert [i["key"] for i in body["items"]] == [world.site_b.id]
        assert body["totals"]["agency_spend"] == "0.00" and body["totals"]["bank_spend"] == "575.00"
    other = api(world.coordinator_b).get(f"{SPEND}?{PERIOD}&site_id={world.site_a.id}").json
    assert other["items"] == [] and other["totals"]["agency_share"] is None


def test_doctor_and_payroll_may_not_read_spend(world, api):
    for user in (world.doctor, world.payroll):
        assert api(user).get(SPEND).status_code == 403


def test_bad_grouping_and_unknown_site_are_422_on_the_field(world, api):
    client = api(world.executive)
    resp = client.get(f"{SPEND}?group_by=ward")
    assert resp.status_code == 422 and "group_by" in resp.json["errors"]
    resp = client.get(f"{SPEND}?site_id=999")
    assert resp.status_code == 422 and "site_id" in resp.json["errors"]


def test_spend_csv_equals_the_json_table(world, month, api):
    client = api(world.executive)
    body = client.get(f"{SPEND}?{PERIOD}").json
    resp = client.get(f"{SPEND}?{PERIOD}&format=csv")
    assert resp.mimetype == "text/csv"
    assert 'filename="spend-2026-03-16-to-2026-04-05.csv"' in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert list(rows[0]) == ["key", "label", *FIELDS]
    for row, item in zip(rows, body["items"], strict=True):
        assert row["label"] == item["label"]
        assert [row[f] for f in FIELDS if f != "agency_share"] == [item[f] for f in FIELDS if f != "agency_share"]
        assert float(row["agency_share"]) == item["agency_share"]


def test_spend_page_table_equals_the_csv(world, month, client):
    assert client.post("/login", data={"email": world.executive.email, "password": PASSWORD}).status_code == 302
    html = client.get(f"/reports/spend?{PERIOD}").get_data(as_text=True)
    table = tables(html)["Spend and hours by site"]
    rows = list(csv.DictReader(io.StringIO(client.get(f"/reports/spend?{PERIOD}&format=csv")
                                           .get_data(as_text=True))))
    assert len(table) == len(rows) == 2
    for cells, row in zip(table, rows, strict=True):
        assert cells[0] == row["label"]
        plain = [c.replace("£", "").replace(",", "") for c in cells[1:]]
        assert plain[:4] == [row["bank_hours"], row["bank_spend"], row["agency_hours"], row["agency_spend"]]
        assert plain[4] == f"{float(row['agency_share']) * 100:.2f}%"
        assert plain[5:] == [row["off_card_spend"], row["estimated_spend"]]
    assert 'data-chart="chart-spend-stacked"' in html
    assert '"stacked": true' in html.split('id="chart-spend-stacked-data">')[1].split("</script>")[0]
    assert "format=csv" in html and "<script>" not in html


# --- reconciliation on generated data ----------------------------------------------------------

OUTCOMES = ("open", "cancelled", "booked_ahead", "worked_no_timesheet", "submitted", "queried", "approved",
            "rejected", "agency_no_timesheet", "agency_approved", "flat_approved", "flat_submitted")


def _generate(world, rng, n=60):
    """``n`` shifts over four weeks before the pinned now, at both sites, in random states, through the
    real timesheet workflows (so pay lines are priced as they are in production)."""
    now = london("2026-11-25T10:00")
    sites = ((world.dept_a, world.coordinator_a, world.approver_a), (world.dept_b, world.coordinator_b,
                                                                      world.approver_b))
    for n_shift in range(n):
        dept, coordinator, approver = rng.choice(sites)
        outcome = OUTCOMES[n_shift % len(OUTCOMES)]
        start = now - timedelta(days=rng.randint(2, 27), hours=rng.choice((0, 3, 11, 13)))
        if outcome == "booked_ahead":
            start = now + timedelta(days=2)
        end = start + timedelta(hours=rng.choice((8, 10, 12.5)), minutes=rng.choice((0, 15)))
        flat = Decimal(rng.choice(("61.00", "77.50"))) if outcome.startswith("flat") else None
        shift = make_shift(department=dept, grade=world.grades[rng.choice(("FY1", "ST3", "CONS"))], start=start,
                           end=end, posted_by=coordinator, hourly_rate=flat,
                           status="cancelled" if outcome == "cancelled" else "open")
        if outcome in ("open", "cancelled"):
            continue
        agency = outcome.startswith("agency")
        worked = outcome != "booked_ahead"
        booking = make_booking(shift, None if agency else world.doctor, source="agency" if agency else "bank",
                               status="completed" if worked else "booked",
                               charge_rate=Decimal(rng.choice(("88.00", "101.37"))) if agency else None)
        if worked:
            shift.status = "completed"
        db.session.flush()
        if outcome in ("worked_no_timesheet", "agency_no_timesheet", "booked_ahead"):
            continue
        ts = timesheets.submit_timesheet(booking, actor=coordinator if agency else world.doctor,
                                         actual_start=shift.start_at,
                                         actual_end=shift.end_at + timedelta(minutes=rng.choice((0, 20))),
                                         break_minutes=rng.choice((0, 30)))
        if outcome in ("approved", "agency_approved", "flat_approved"):
            timesheets.approve_timesheet(ts, actor=approver)
        elif outcome == "rejected":
            timesheets.reject_timesheet(ts, actor=approver, note="Not worked")
        elif outcome == "queried":
            timesheets.query_timesheet(ts, actor=approver, note="Any break?")
    db.session.commit()


def _expected(date_from, date_to):
    """Bank and agency spend worked out from the rows directly: every approved timesheet's pay lines, plus,
    for each worked booking whose timesheet is not approved (none, submitted or queried), the doctor's pay
    estimate (``estimate_pay``) or the agency's charge for the booked hours. Rejected: nothing."""
    lo, hi = services.build_period(date_from, date_to).lo, services.build_period(date_from, date_to).hi
    bank = agency = off_card = Decimal(0)
    bookings = db.session.execute(db.select(Booking).join(Shift, Shift.id == Booking.shift_id).where(
        Booking.status != "cancelled", Shift.status != "cancelled", Shift.start_at >= lo, Shift.start_at < hi)
    ).scalars().all()
    for booking in bookings:
        shift = booking.shift
        ts = db.session.execute(db.select(Timesheet).filter_by(booking_id=booking.id)).scalar_one_or_none()
        if ts is not None and ts.status == "approved":
            amount = sum((line.amount for line in ts.pay_lines), Decimal(0))
        elif shift.status == "completed" and (ts is None or ts.status in ("submitted", "queried")):
            amount = (price(shift.start_at, shift.end_at, flat_rate=booking.charge_rate).total
                      if booking.source == "agency" else estimate_pay(shift).total)
        else:
            continue
        if booking.source == "agency":
            agency += amount
        else:
            bank += amount
            off_card += amount if shift.hourly_rate is not None else 0
    return bank, agency, off_card


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_spend_reconciles_with_pay_lines_plus_estimates_on_generated_data(world, api, seed):
    make_card(world)
    _generate(world, random.Random(seed))
    date_from, date_to = date(2026, 10, 26), date(2026, 11, 30)
    bank, agency, off_card = _expected(date_from, date_to)
    assert bank > 0 and agency > 0 and off_card > 0  # the data exercises every part
    client = api(world.executive)
    for group_by in ("site", "department", "grade", "week"):
        body = client.get(f"{SPEND}?from={date_from}&to={date_to}&group_by={group_by}").json
        totals = body["totals"]
        assert (Decimal(totals["bank_spend"]), Decimal(totals["agency_spend"]),
                Decimal(totals["off_card_spend"])) == (bank, agency, off_card), group_by
        for name in ("bank_spend", "agency_spend", "off_card_spend", "estimated_spend"):
            assert sum(Decimal(i[name]) for i in body["items"]) == Decimal(totals[name])
        share = (agency / (bank + agency)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        assert Decimal(str(totals["agency_share"])) == share
