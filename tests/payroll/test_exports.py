"""Payroll exports: once per timesheet, exact CSV header, byte-identical downloads, totals that reconcile."""
import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from bankapp.cascade.models import AgencyOffer
from bankapp.extensions import db
from bankapp.payroll.csvfiles import ESR_HEADER
from bankapp.payroll.models import PayrollExport
from bankapp.timesheets.models import Timesheet
from tests.timesheets.helpers import approve, submit, worked

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
HEADER = ("esr_assignment_number,doctor_name,site_code,cost_centre,shift_id,timesheet_id,work_date,band,hours,"
          "rate,amount")


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def approved(trust, start, end, break_minutes=0, **kw):
    booking = worked(trust, start, end, **kw)
    return approve(submit(booking, break_minutes=break_minutes), trust.approver_a)


def rows(body: bytes):
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


def test_nothing_new_is_a_clear_problem_and_no_batch(trust, api):
    resp = api(trust.payroll).post("/api/v1/payroll-exports")
    assert resp.status_code == 409
    problem = resp.get_json()
    assert problem["title"] == "Nothing new to export"
    assert "Nothing new to export" in problem["detail"]
    assert resp.mimetype == "application/problem+json"
    assert db.session.query(PayrollExport).count() == 0


def test_submitted_but_unapproved_timesheets_are_not_exported(trust, api):
    submit(worked(trust, "2026-10-13T08:00", "2026-10-13T17:00"))
    assert api(trust.payroll).post("/api/v1/payroll-exports").status_code == 409


def test_only_payroll_creates_exports(trust, api):
    approved(trust, "2026-10-13T08:00", "2026-10-13T17:00")
    for who in (trust.admin, trust.approver_a, trust.doctor):
        assert api(who).post("/api/v1/payroll-exports").status_code == 403
    assert db.session.query(PayrollExport).count() == 0


def test_export_counts_and_totals(trust, api):
    approved(trust, "2026-10-13T08:00", "2026-10-13T17:00")     # 450.00
    approved(trust, "2026-10-24T20:00", "2026-10-25T08:00")     # 1056.63 (13 h)
    resp = api(trust.payroll).post("/api/v1/payroll-exports")
    assert resp.status_code == 201
    data = resp.get_json()
    assert (data["timesheet_count"], data["total_amount"], data["esr_count"], data["esr_total"],
            data["agency_count"], data["agency_total"]) == (2, "1506.63", 2, "1506.63", 0, "0.00")
    assert data["created_at"] == "2026-11-02T12:00:00+00:00"
    assert {"id", "timesheet_count", "total_amount", "esr_count", "esr_total", "agency_count", "agency_total",
            "created_at"} <= set(data)


def test_csv_header_is_exactly_the_contracts(trust, api):
    approved(trust, "2026-10-13T08:00", "2026-10-13T17:00")
    batch = api(trust.payroll).post("/api/v1/payroll-exports").get_json()
    resp = api(trust.payroll).get(f"/api/v1/payroll-exports/{batch['id']}/file")
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    assert resp.data.split(b"\r\n")[0].decode() == HEADER
    assert ",".join(ESR_HEADER) == HEADER


def test_csv_rows_are_dated_by_the_london_day_they_were_worked(trust, api):
    """The night the clocks go back, with a 30-minute break: both bands run past midnight, so each is two
    lines; Sunday's night line holds 8 real hours of the 11 worked in the band."""
    ts = approved(trust, "2026-10-24T20:00", "2026-10-25T08:00", break_minutes=30)
    batch = api(trust.payroll).post("/api/v1/payroll-exports").get_json()
    got = rows(api(trust.payroll).get(f"/api/v1/payroll-exports/{batch['id']}/file").data)
    profile = trust.doctor.doctor_profile
    common = {"esr_assignment_number": profile.esr_assignment_number, "doctor_name": "Dr Default",
              "site_code": "AAA", "cost_centre": trust.dept_a.cost_centre, "shift_id": str(ts.booking.shift_id),
              "timesheet_id": str(ts.id)}
    assert got == [
        {**common, "work_date": "2026-10-24", "band": "weekend_day", "hours": "0.97", "rate": "70.00",
         "amount": "67.67"},
        {**common, "work_date": "2026-10-24", "band": "weekend_night", "hours": "2.88", "rate": "83.33",
         "amount": "240.27"},
        {**common, "work_date": "2026-10-25", "band": "weekend_day", "hours": "0.95", "rate": "70.00",
         "amount": "66.50"},
        {**common, "work_date": "2026-10-25", "band": "weekend_night", "hours": "7.70", "rate": "83.33",
         "amount": "641.64"},
    ]
    # The approved pay is untouched: one line per band, and the file adds up to it.
    pay = [(line.band, line.minutes, str(line.amount)) for line in ts.pay_lines]
    assert pay == [("weekend_day", 115, "134.17"), ("weekend_night", 635, "881.91")]
    assert sum(Decimal(r["amount"]) for r in got) == Decimal("1016.08") == Decimal(batch["esr_total"])


def test_a_day_shift_stays_one_line_per_band(trust, api):
    approved(trust, "2026-10-13T08:00", "2026-10-13T17:00")
    batch = api(trust.payroll).post("/api/v1/payroll-exports").get_json()
    got = rows(api(trust.payroll).get(f"/api/v1/payroll-exports/{batch['id']}/file").data)
    assert [(r["work_date"], r["band"], r["hours"], r["amount"]) for r in got] == [
        ("2026-10-13", "weekday_day", "9.00", "450.00")]


def test_a_night_into_christmas_day_puts_its_bank_holiday_hours_on_the_25th(trust, api):
    with time_machine.travel(datetime(2026, 12, 29, 12, 0, tzinfo=UTC), tick=False):
        approved(trust, "2026-12-24T20:00", "2026-12-25T08:00")
        batch = api(trust.payroll).post("/api/v1/payroll-exports").get_json()
        got = rows(api(trust.payroll).get(f"/api/v1/payroll-exports/{batch['id']}/file").data)
    assert [(r["work_date"], r["band"], r["hours"], r["amount"]) for r in got] == [
        ("2026-12-24", "weekday_day", "1.00", "50.00"),
        ("2026-12-24", "weekday_night", "3.00", "187.50"),
        ("2026-12-25", "bank_holiday", "8.00", "800.00")]


def test_download_is_byte_identical_every_time(trust, api):
    approved(trust, "2026-10-13T08:00", "2026-10-13T17:00")
    approved(trust, "2026-08-30T20:00", "2026-08-31T08:00", break_minutes=7)
    batch = api(trust.payroll).post("/api/v1/payroll-exports").get_json()
    client = api(trust.payroll)
    first = client.get(f"/api/v1/payroll-exports/{batch['id']}/file").data
    # Even after the doctor's name changes, the file that went to payroll is the same.
    trust.doctor.name = "Dr Renamed"
    db.session.commit()
    with time_machine.travel(datetime(2027, 1, 5, tzinfo=UTC), tick=False):
        second = api(trust.payroll).get(f"/api/v1/payroll-exports/{batch['id']}/file").data
    assert first == second
    import hashlib

    assert hashlib.sha256(first).hexdigest() == batch["esr_csv_sha256"]


def test_totals_reconcile_exactly_with_the_lines(trust, api, factory):
    other = factory.doctor(name="Dr Other, Jnr")
    db.session.commit()
    approved(trust, "2026-10-17T12:00", "2026-10-17T22:00", break_minutes=45)
    approved(trust, "2026-03-28T20:00", "2026-03-29T08:00", break_minutes=30, doctor=other)
    approved(trust, "2026-10-14T20:00", "2026-10-15T08:00", hourly_rate="90.00", break_minutes=13)
    batch = api(trust.payroll).post("/api/v1/payroll-exports").get_json()
    got = rows(api(trust.payroll).get(f"/api/v1/payroll-exports/{batch['id']}/file").data)
    assert sum(Decimal(r["amount"]) for r in got) == Decimal(batch["total_amount"]) == Decimal(batch["esr_total"])
    assert len({r["timesheet_id"] for r in got}) == batch["timesheet_count"] == batch["esr_count"] == 3
    lines_total = sum(line.amount for ts in db.session.query(Timesheet) for line in ts.pay_lines)
    assert Decimal(batch["total_amount"]) == lines_total
    assert "Dr Other, Jnr" in {r["doctor_name"] for r in got}


def test_rows_are_in_a_stable_order(trust, api, factory):
    second = factory.doctor()
    db.session.commit()
    approved(trust, "2026-10-14T20:00", "2026-10-15T08:00", doctor=second)
    approved(trust, "2026-10-13T08:00", "2026-10-13T17:00")
    approved(trust, "2026-10-12T08:00", "2026-10-12T17:00")
    batch = api(trust.payroll).post("/api/v1/payroll-exports").get_json()
    got = rows(api(trust.payroll).get(f"/api/v1/payroll-exports/{batch['id']}/file").data)
    keys = [(r["esr_assignment_number"], r["work_date"], int(r["shift_id"])) for r in got]
    assert keys == sorted(keys)


def test_a_timesheet_is_exported_once(trust, api):
    first_ts = approved(trust, "2026-10-13T08:00", "2026-10-13T17:00")
    client = api(trust.payroll)
    first = client.post("/api/v1/payroll-exports").get_json()
    assert client.post("/api/v1/payroll-exports").status_code == 409
    later = approved(trust, "2026-10-14T20:00", "2026-10-15T08:00")
    second = client.post("/api/v1/payroll-exports").get_json()
    assert second["timesheet_count"] == 1
    ids = [r["timesheet_id"] for r in rows(client.get(f"/api/v1/payroll-exports/{second['id']}/file").data)]
    assert set(ids) == {str(later.id)}
    db.session.expire_all()
    assert db.session.get(Timesheet, first_ts.id).exported_batch_id == first["id"]
    assert db.session.get(Timesheet, later.id).exported_batch_id == second["id"]


def test_exported_batch_of_a_timesheet_never_changes(trust, api):
    ts = approved(trust, "2026-10-13T08:00", "2026-10-13T17:00")
    batch = api(trust.payroll).post("/api/v1/payroll-exports").get_json()
    db.session.expire_all()
    ts = db.session.get(Timesheet, ts.id)
    with pytest.raises(ValueError, match="already in payroll export"):
        ts.exported_batch_id = batch["id"] + 1


def test_history_and_detail(trust, api):
    approved(trust, "2026-10-13T08:00", "2026-10-13T17:00")
    client = api(trust.payroll)
    batch = client.post("/api/v1/payroll-exports").get_json()
    listed = client.get("/api/v1/payroll-exports").get_json()
    assert [b["id"] for b in listed["items"]] == [batch["id"]]
    assert listed["items"][0]["total_amount"] == "450.00"
    detail = client.get(f"/api/v1/payroll-exports/{batch['id']}").get_json()
    assert detail["late_timesheet_ids"] == []
    assert client.get("/api/v1/payroll-exports/999").status_code == 404
    assert api(trust.doctor).get("/api/v1/payroll-exports").status_code == 403
    assert api(trust.doctor).get(f"/api/v1/payroll-exports/{batch['id']}/file").status_code == 403


def test_late_timesheets_are_listed_without_changing_the_header(trust, api):
    booking = worked(trust, "2026-10-16T08:00", "2026-10-16T17:00")
    with time_machine.travel(datetime(2026, 10, 17, 9, 0, tzinfo=UTC), tick=False):
        ts = submit(booking)
    with time_machine.travel(datetime(2026, 10, 20, 9, 0, tzinfo=UTC), tick=False):
        approve(ts, trust.approver_a)
    on_time = approved(trust, "2026-10-13T08:00", "2026-10-13T17:00")
    client = api(trust.payroll)
    batch = client.post("/api/v1/payroll-exports").get_json()
    assert batch["late_count"] == 1
    assert client.get(f"/api/v1/payroll-exports/{batch['id']}").get_json()["late_timesheet_ids"] == [ts.id]
    late = rows(client.get(f"/api/v1/payroll-exports/{batch['id']}/late-file").data)
    assert [r["timesheet_id"] for r in late] == [str(ts.id)]
    assert late[0]["due_cutoff"] == "2026-10-19T09:00:00+01:00"
    esr = client.get(f"/api/v1/payroll-exports/{batch['id']}/file").data
    assert esr.split(b"\r\n")[0].decode() == HEADER
    assert {r["timesheet_id"] for r in rows(esr)} == {str(ts.id), str(on_time.id)}


def test_doctor_without_esr_number_waits(trust, api, factory):
    no_esr = factory.user(("doctor",), grade="ST3")
    db.session.commit()
    held = approved(trust, "2026-10-13T08:00", "2026-10-13T17:00", doctor=no_esr)
    assert api(trust.payroll).post("/api/v1/payroll-exports").status_code == 409
    db.session.expire_all()
    assert db.session.get(Timesheet, held.id).exported_batch_id is None


# --- agency locums -------------------------------------------------------------------


def _agency_timesheet(trust):
    booking = worked(trust, "2026-10-14T20:00", "2026-10-15T08:00", source="agency", charge_rate=Decimal("110.00"))
    offer = AgencyOffer(shift_id=booking.shift_id, agency_id=trust.agency1.id, offered_by_id=trust.agency_user1.id,
                        locum_name="Dr Lena Locum", gmc_number="7999999", grade_id=trust.grades["ST3"].id,
                        charge_rate=Decimal("110.00"), status="accepted", booking_id=booking.id)
    db.session.add(offer)
    db.session.flush()
    booking.agency_offer_id = offer.id
    db.session.commit()
    return approve(submit(booking, trust.coordinator_a), trust.approver_a)


def test_agency_bookings_never_go_to_esr(trust, api):
    agency_ts = _agency_timesheet(trust)
    bank_ts = approved(trust, "2026-10-13T08:00", "2026-10-13T17:00")
    client = api(trust.payroll)
    batch = client.post("/api/v1/payroll-exports").get_json()
    assert (batch["timesheet_count"], batch["total_amount"]) == (2, "1770.00")  # every timesheet of the batch
    assert (batch["esr_count"], batch["esr_total"]) == (1, "450.00")
    esr = rows(client.get(f"/api/v1/payroll-exports/{batch['id']}/file").data)
    assert {r["timesheet_id"] for r in esr} == {str(bank_ts.id)}
    agency = rows(client.get(f"/api/v1/payroll-exports/{batch['id']}/agency-file").data)
    assert [(r["timesheet_id"], r["agency"], r["locum_name"], r["work_date"], r["band"], r["hours"],
             r["charge_rate"], r["amount"]) for r in agency] == [
        (str(agency_ts.id), trust.agency1.name, "Dr Lena Locum", "2026-10-14", "weekday_day", "1.00", "110.00",
         "110.00"),
        (str(agency_ts.id), trust.agency1.name, "Dr Lena Locum", "2026-10-14", "weekday_night", "3.00", "110.00",
         "330.00"),
        (str(agency_ts.id), trust.agency1.name, "Dr Lena Locum", "2026-10-15", "weekday_day", "1.00", "110.00",
         "110.00"),
        (str(agency_ts.id), trust.agency1.name, "Dr Lena Locum", "2026-10-15", "weekday_night", "7.00", "110.00",
         "770.00")]
    assert (batch["agency_count"], batch["agency_total"]) == (1, "1320.00")


def test_agency_only_export_has_an_empty_esr_file(trust, api):
    _agency_timesheet(trust)
    client = api(trust.payroll)
    batch = client.post("/api/v1/payroll-exports").get_json()
    assert (batch["timesheet_count"], batch["total_amount"], batch["esr_count"], batch["esr_total"],
            batch["agency_count"], batch["agency_total"]) == (1, "1320.00", 0, "0.00", 1, "1320.00")
    assert client.get(f"/api/v1/payroll-exports/{batch['id']}/file").data == (HEADER + "\r\n").encode()
    assert client.post("/api/v1/payroll-exports").status_code == 409
