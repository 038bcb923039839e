"""Claiming through the API: the claim checks wired to real bookings, at their limits."""
from bankapp.extensions import db
from bankapp.shifts.models import Shift

from .conftest import booked, post


def claim(api, doctor, shift_id):
    return api(doctor).post(f"/api/v1/shifts/{shift_id}/claim")


def codes(resp):
    return [r["code"] for r in resp.get_json()["reasons"]]


def test_doctor_claims_an_open_shift(market, api, events):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    resp = claim(api, market.doctor, shift["id"])
    assert resp.status_code == 201
    body = resp.get_json()
    assert body == {"id": body["id"], "shift_id": shift["id"], "doctor_id": market.doctor.id, "source": "bank",
                    "status": "booked", "cancel_by": "2026-10-03T08:00:00+01:00"}  # 48 h before the start
    assert api(market.coordinator_a).get(f"/api/v1/shifts/{shift['id']}").get_json()["status"] == "booked"
    assert [name for name, _ in events] == ["shift.opened", "shift.booked"]


def test_second_claim_gets_409(market, api, factory):
    other = factory.doctor("ST3")
    db.session.commit()
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    assert claim(api, market.doctor, shift["id"]).status_code == 201
    resp = claim(api, other, shift["id"])
    assert resp.status_code == 409 and resp.get_json()["detail"] == "This shift has already been booked."


def test_claiming_a_cancelled_shift_is_409(market, api):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    api(market.coordinator_a).post(f"/api/v1/shifts/{shift['id']}/cancel", json={"reason": "Ward closed"})
    assert claim(api, market.doctor, shift["id"]).status_code == 409


def test_claiming_a_shift_pending_rate_approval_is_409(market, api):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00", hourly_rate="90.00")
    assert claim(api, market.doctor, shift["id"]).status_code == 409


def test_claiming_as_a_non_doctor_is_403(market, api):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    assert claim(api, market.coordinator_a, shift["id"]).status_code == 403


def test_claiming_an_unknown_shift_is_404(market, api):
    assert claim(api, market.doctor, 9999).status_code == 404


def test_lower_grade_is_422_grade_mismatch(market, api, factory):
    junior = factory.doctor("FY2")
    db.session.commit()
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00", grade="ST3")
    resp = claim(api, junior, shift["id"])
    assert resp.status_code == 422 and codes(resp) == ["grade_mismatch"]


def test_every_reason_comes_back_together(market, api, factory):
    junior = factory.doctor("FY1", sites=[market.site_b], documents=False)
    booked(market, junior, "2026-10-05T10:00", "2026-10-05T14:00", department=market.dept_b, grade="FY1")
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T22:00")
    resp = claim(api, junior, shift["id"])
    assert resp.status_code == 422
    assert codes(resp) == ["grade_mismatch", "site_not_enabled", "compliance_missing", "overlap",
                           "wtr_max_shift_13h"]
    assert all(r["message"] for r in resp.get_json()["reasons"])


def test_overlap_counts_bookings_at_every_site(market, api):
    booked(market, market.doctor, "2026-10-05T08:00", "2026-10-05T20:00", department=market.dept_b)
    shift = post(api, market, "2026-10-05T19:00", "2026-10-05T23:00")
    resp = claim(api, market.doctor, shift["id"])
    assert resp.status_code == 422 and codes(resp)[0] == "overlap"


def test_touching_shifts_do_not_overlap_but_need_rest(market, api):
    booked(market, market.doctor, "2026-10-05T08:00", "2026-10-05T20:00", department=market.dept_b)
    shift = post(api, market, "2026-10-05T20:00", "2026-10-05T23:00")
    assert codes(claim(api, market.doctor, shift["id"])) == ["wtr_min_rest_11h"]


def test_rest_of_exactly_11_hours_across_sites_passes(market, api):
    booked(market, market.doctor, "2026-10-05T08:00", "2026-10-05T20:00", department=market.dept_b)
    inside = post(api, market, "2026-10-06T07:00", "2026-10-06T12:00")
    outside = post(api, market, "2026-10-06T06:59", "2026-10-06T07:00")
    assert codes(claim(api, market.doctor, outside["id"])) == ["wtr_min_rest_11h"]
    assert claim(api, market.doctor, inside["id"]).status_code == 201


def test_13_hour_october_night_is_at_the_limit(market, api):
    inside = post(api, market, "2026-10-24T20:00", "2026-10-25T08:00")
    outside = post(api, market, "2026-10-24T19:59", "2026-10-25T08:00")
    resp = claim(api, market.doctor, outside["id"])
    assert codes(resp) == ["wtr_max_shift_13h"]
    assert claim(api, market.doctor, inside["id"]).status_code == 201


def test_rest_across_the_october_change_is_real_time(market, api):
    # Ends 00:30 BST (23:30 UTC); 10:30 GMT is 11 real hours later though the wall clock shows 10.
    booked(market, market.doctor, "2026-10-24T17:00", "2026-10-25T00:30", department=market.dept_b)
    outside = post(api, market, "2026-10-25T10:29", "2026-10-25T12:00")
    inside = post(api, market, "2026-10-25T10:30", "2026-10-25T12:00")
    assert codes(claim(api, market.doctor, outside["id"])) == ["wtr_min_rest_11h"]
    assert claim(api, market.doctor, inside["id"]).status_code == 201


def test_rest_across_the_march_change_is_real_time(market, api):
    # Ends 00:30 GMT; 12:30 BST is 11 real hours later though the wall clock shows 12.
    booked(market, market.doctor, "2027-03-27T17:00", "2027-03-28T00:30", department=market.dept_b)
    outside = post(api, market, "2027-03-28T12:29", "2027-03-28T14:00")
    inside = post(api, market, "2027-03-28T12:30", "2027-03-28T14:00")
    assert codes(claim(api, market.doctor, outside["id"])) == ["wtr_min_rest_11h"]
    assert claim(api, market.doctor, inside["id"]).status_code == 201


def test_72_hours_in_168_is_inclusive(market, api):
    for day in range(5, 11):  # six 10 h day shifts at the other site, Mon-Sat
        booked(market, market.doctor, f"2026-10-{day:02d}T08:00", f"2026-10-{day:02d}T18:00",
               department=market.dept_b)
    outside = post(api, market, "2026-10-11T08:00", "2026-10-11T20:01")
    inside = post(api, market, "2026-10-11T08:00", "2026-10-11T20:00")
    assert "wtr_max_72h_in_168h" in codes(claim(api, market.doctor, outside["id"]))
    assert claim(api, market.doctor, inside["id"]).status_code == 201


def test_fifth_consecutive_night_is_refused(market, api):
    for day in range(5, 9):
        booked(market, market.doctor, f"2026-10-{day:02d}T21:00", f"2026-10-{day + 1:02d}T07:00",
               department=market.dept_b)
    fifth = post(api, market, "2026-10-09T21:00", "2026-10-10T07:00")
    assert codes(claim(api, market.doctor, fifth["id"])) == ["wtr_max_consecutive_nights"]


def test_rest_after_nights_46_hours_inclusive(market, api):
    booked(market, market.doctor, "2026-10-05T21:00", "2026-10-06T07:00", department=market.dept_b)
    outside = post(api, market, "2026-10-08T04:59", "2026-10-08T10:00")
    inside = post(api, market, "2026-10-08T05:00", "2026-10-08T10:00")
    assert codes(claim(api, market.doctor, outside["id"])) == ["wtr_rest_after_nights_46h"]
    assert claim(api, market.doctor, inside["id"]).status_code == 201


def test_compliance_expiring_before_the_shift_ends(market, api, factory):
    doctor = factory.doctor("ST3", expires_in_days=34)  # valid through 5 Oct 2026
    db.session.commit()
    inside = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    outside = post(api, market, "2026-10-05T20:00", "2026-10-06T08:00")
    assert codes(claim(api, doctor, outside["id"])) == ["compliance_expired"]
    assert claim(api, doctor, inside["id"]).status_code == 201


def test_bank_first_a_released_shift_is_still_claimable(market, api):
    shift = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    row = db.session.get(Shift, shift["id"])
    row.status, row.released_tier1_at = "released_tier1", row.created_at
    db.session.commit()
    assert claim(api, market.doctor, shift["id"]).status_code == 201


def test_agencies_see_only_shifts_released_to_their_tier(market, api):
    first = post(api, market, "2026-10-05T08:00", "2026-10-05T20:00")
    second = post(api, market, "2026-10-06T08:00", "2026-10-06T20:00")
    post(api, market, "2026-10-07T08:00", "2026-10-07T20:00")
    db.session.get(Shift, first["id"]).status = "released_tier1"
    db.session.get(Shift, second["id"]).status = "released_tier2"
    db.session.commit()

    def ids(user):
        return [s["id"] for s in api(user).get("/api/v1/shifts").get_json()["items"]]

    assert ids(market.agency_user1) == [first["id"], second["id"]]
    assert ids(market.agency_user2) == [second["id"]]
