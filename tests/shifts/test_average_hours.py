"""``wtr_average_48h`` through the API: bookings at every site counted, 1,248 h passes and one minute more
is refused, a coordinator may override it (a ``wtr_override`` breach), and an admin records a doctor's
opt-out (56 hours a week), audited and shown on the doctor's profile.

The doctor's rota: 26 weeks of 48 h from Mon 2 Nov 2026 (``working_weeks``), alternate weeks at each site,
all but its last Friday (Fri 30 Apr 2027, 08:00-16:00 BST), which is the shift claimed.
"""
import pytest

from bankapp.audit.models import AuditEvent, Breach
from bankapp.extensions import db
from bankapp.shifts.models import Booking
from bankapp.shifts.working_time import Interval
from tests.factories import PASSWORD, make_booking, make_shift

from .conftest import post
from .intervals import working_weeks


def _book_rota(world, doctor, intervals: list[Interval]):
    for i, iv in enumerate(intervals):
        department = world.dept_a if (i // 5) % 2 == 0 else world.dept_b
        make_booking(make_shift(department=department, grade=world.grades["ST3"], start=iv.start, end=iv.end,
                                posted_by=world.coordinator_a), doctor)
    db.session.commit()


@pytest.fixture
def busy(market):
    """The market's doctor with 1,240 h booked: every shift of the 26 weeks but the last Friday."""
    _book_rota(market, market.doctor, working_weeks("2026-11-02", 26)[:-1])
    return market.doctor


def _codes(resp):
    return [r["code"] for r in resp.get_json().get("reasons", [])]


def test_exactly_1248_hours_in_26_weeks_may_be_claimed(market, api, busy):
    shift = post(api, market, "2027-04-30T08:00", "2027-04-30T16:00")
    resp = api(busy).post(f"/api/v1/shifts/{shift['id']}/claim")
    assert resp.status_code == 201, resp.get_json()


def test_one_minute_more_is_refused_with_the_reason(market, api, busy):
    shift = post(api, market, "2027-04-30T08:00", "2027-04-30T16:01")
    resp = api(busy).post(f"/api/v1/shifts/{shift['id']}/claim")
    assert resp.status_code == 422 and _codes(resp) == ["wtr_average_48h"]
    message = resp.get_json()["reasons"][0]["message"]
    assert message.startswith("This would give you 1248.02 hours of work in the 182 days (26 weeks) from ")
    assert message.endswith("; the limit is 1248 hours (48 hours a week on average).")


def test_a_coordinator_may_override_it_with_a_reason_as_a_wtr_override(market, api, busy):
    shift = post(api, market, "2027-04-30T08:00", "2027-04-30T16:01")
    url = f"/api/v1/shifts/{shift['id']}/assign"
    refused = api(market.coordinator_a).post(url, json={"doctor_id": busy.id})
    assert refused.status_code == 422 and _codes(refused) == ["wtr_average_48h"]
    resp = api(market.coordinator_a).post(url, json={"doctor_id": busy.id,
                                                     "override_reason": "Only ST3 who knows the unit"})
    assert resp.status_code == 201, resp.get_json()
    breach = db.session.execute(db.select(Breach)).scalar_one()
    assert (breach.type, breach.shift_id, breach.approved_by_id) == ("wtr_override", shift["id"],
                                                                     market.coordinator_a.id)
    event = db.session.execute(db.select(AuditEvent).filter_by(action="booking.wtr_override")).scalar_one()
    assert event.after["reasons"] == ["wtr_average_48h"]


def test_an_admin_records_an_opt_out_and_the_doctor_may_work_56_hours_a_week(market, api, busy):
    shift = post(api, market, "2027-04-30T08:00", "2027-04-30T16:01")
    resp = api(market.admin).patch(f"/api/v1/users/{busy.id}", json={"wtr_opt_out": True})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["wtr_opt_out"], body["wtr_opt_out_recorded_by_id"]) == (True, market.admin.id)
    assert body["wtr_opt_out_recorded_at"].startswith("2026-09-01T")
    event = db.session.execute(db.select(AuditEvent).filter_by(action="user.updated")).scalar_one()
    assert (event.before, event.after, event.actor_id) == ({"wtr_opt_out": False}, {"wtr_opt_out": True},
                                                           market.admin.id)
    assert api(busy).post(f"/api/v1/shifts/{shift['id']}/claim").status_code == 201
    assert db.session.execute(db.select(Booking).filter_by(shift_id=shift["id"])).scalar_one().doctor_id == busy.id


def test_withdrawing_the_opt_out_brings_back_the_48_hour_limit(market, api, busy):
    admin = api(market.admin)
    assert admin.patch(f"/api/v1/users/{busy.id}", json={"wtr_opt_out": True}).status_code == 200
    withdrawn = admin.patch(f"/api/v1/users/{busy.id}", json={"wtr_opt_out": False}).get_json()
    assert (withdrawn["wtr_opt_out"], withdrawn["wtr_opt_out_recorded_at"]) == (False, None)
    shift = post(api, market, "2027-04-30T08:00", "2027-04-30T16:01")
    assert _codes(api(busy).post(f"/api/v1/shifts/{shift['id']}/claim")) == ["wtr_average_48h"]


def test_only_an_admin_records_it_and_only_for_a_doctor(market, api):
    refused = api(market.coordinator_a).patch(f"/api/v1/users/{market.doctor.id}", json={"wtr_opt_out": True})
    assert refused.status_code == 403
    not_doctor = api(market.admin).patch(f"/api/v1/users/{market.approver_a.id}", json={"wtr_opt_out": True})
    assert not_doctor.status_code == 422 and "wtr_opt_out" in not_doctor.get_json()["errors"]
    bad = api(market.admin).patch(f"/api/v1/users/{market.doctor.id}", json={"wtr_opt_out": "perhaps"})
    assert bad.status_code == 422 and "wtr_opt_out" in bad.get_json()["errors"]


def test_the_doctors_profile_shows_the_opt_out_with_its_date_and_who(market, client):
    assert client.post("/login", data={"email": market.admin.email, "password": PASSWORD}).status_code == 302
    page = f"/admin/users/{market.doctor.id}"
    assert "Not opted out: up to 48 hours a week over 26 weeks" in client.get(page).get_data(as_text=True)
    details = {"email": market.doctor.email, "name": market.doctor.name, "roles": ["doctor"], "grade": "ST3",
               "mobile": market.doctor.mobile or "", "esr_assignment_number":
                   market.doctor.doctor_profile.esr_assignment_number or "",
               "gmc_number": market.doctor.doctor_profile.gmc_number or "", "wtr_opt_out": "y"}
    resp = client.post(f"{page}/details", data=details)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    html = client.get(page).get_data(as_text=True)
    assert f"Opted out: up to 56 hours a week over 26 weeks. Recorded 1 Sep 2026 by {market.admin.name}" in html
    assert 'name="wtr_opt_out" type="checkbox" value="y" checked' in html
