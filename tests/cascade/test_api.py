"""The agency cascade through the API, as coordinators, approvers, agencies and executives use it."""
from decimal import Decimal

from bankapp.audit.models import AuditEvent, Breach
from bankapp.cascade.models import AgencyNotice, AgencyOffer, CascadeRequest
from bankapp.extensions import db
from bankapp.shifts.models import Booking, Shift
from tests.cascade.conftest import offer_body


def _problem_codes(resp):
    return [r["code"] for r in resp.get_json().get("reasons", [])]


def test_full_path_over_cap_to_break_glass_booking(world, api, shift_maker):
    shift = shift_maker()
    resp = api(world.coordinator_a).post(f"/api/v1/shifts/{shift.id}/cascade",
                                         json={"reason": "Nobody on the bank has claimed it in three days"})
    assert resp.status_code == 201, resp.get_json()
    request = resp.get_json()
    assert request["status"] == "pending_approval"

    resp = api(world.approver_a).post(f"/api/v1/cascade-requests/{request['id']}/approve", json={"note": "Agreed"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "approved"
    assert db.session.get(Shift, shift.id).status == "released_tier1"

    agency = api(world.agency_user1)
    listed = agency.get("/api/v1/agency/shifts").get_json()["items"]
    assert [s["id"] for s in listed] == [shift.id]
    assert listed[0]["start"] == "2026-11-05T08:00:00+00:00"

    resp = agency.post(f"/api/v1/shifts/{shift.id}/agency-offers", json=offer_body(charge_rate="95.50"))
    assert resp.status_code == 201, resp.get_json()
    offer = resp.get_json()
    assert offer["status"] == "offered"
    assert (offer["cap"], offer["over_cap_amount"]) == ("80.00", "15.50")

    resp = api(world.coordinator_a).post(f"/api/v1/agency-offers/{offer['id']}/accept")
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "pending_executive_approval"
    assert db.session.execute(db.select(Booking)).first() is None
    assert db.session.get(Shift, shift.id).status == "released_tier1"

    resp = api(world.executive).post(f"/api/v1/agency-offers/{offer['id']}/approve",
                                     json={"reason": "Only registrar cover for a full ED overnight"})
    assert resp.status_code == 200, resp.get_json()
    approved = resp.get_json()
    assert approved["status"] == "accepted"
    assert approved["approved_by_id"] == world.executive.id

    booking = db.session.execute(db.select(Booking).filter_by(shift_id=shift.id)).scalar_one()
    assert (booking.source, booking.status, booking.doctor_id) == ("agency", "booked", None)
    assert booking.charge_rate == Decimal("95.50")
    assert booking.agency_offer_id == offer["id"]
    assert db.session.get(Shift, shift.id).status == "booked"
    breach = db.session.execute(db.select(Breach)).scalar_one()
    assert (breach.type, breach.amount_over, breach.approved_by_id) == ("agency_over_cap", Decimal("15.50"),
                                                                        world.executive.id)
    assert breach.reason == "Only registrar cover for a full ED overnight"
    assert (breach.site_id, breach.shift_id, breach.at) == (world.site_a.id, shift.id, breach.at)
    assert breach.at is not None

    actions = set(db.session.execute(db.select(AuditEvent.action)).scalars())
    assert {"cascade.requested", "cascade.approved", "shift.released", "agency_offer.made",
            "agency_offer.accepted_pending_approval", "agency_offer.approved", "booking.created",
            "shift.booked"} <= actions
    assert agency.get("/api/v1/agency/shifts").get_json()["items"] == []


def test_offer_within_cap_from_framework_agency_is_booked_on_accept(world, api, released):
    shift = released()
    offer = api(world.agency_user1).post(f"/api/v1/shifts/{shift.id}/agency-offers",
                                         json=offer_body(charge_rate="80.00")).get_json()
    resp = api(world.coordinator_a).post(f"/api/v1/agency-offers/{offer['id']}/accept")
    assert resp.status_code == 200
    assert resp.get_json()["status"] == "accepted"
    booking = db.session.execute(db.select(Booking).filter_by(shift_id=shift.id)).scalar_one()
    assert (booking.source, booking.charge_rate) == ("agency", Decimal("80.00"))
    assert db.session.execute(db.select(Breach)).first() is None


def test_cascade_request_on_booked_or_cancelled_shift_gets_409(world, api, shift_maker):
    from tests.factories import make_booking

    booked = shift_maker()
    make_booking(booked, world.doctor)
    cancelled = shift_maker(status="cancelled")
    db.session.commit()
    coordinator = api(world.coordinator_a)
    for shift in (booked, cancelled):
        resp = coordinator.post(f"/api/v1/shifts/{shift.id}/cascade", json={"reason": "Short"})
        assert resp.status_code == 409, resp.get_json()
        assert resp.mimetype == "application/problem+json"


def test_second_cascade_request_for_the_same_shift_gets_409(world, api, shift_maker):
    shift = shift_maker()
    coordinator = api(world.coordinator_a)
    assert coordinator.post(f"/api/v1/shifts/{shift.id}/cascade", json={"reason": "x"}).status_code == 201
    assert coordinator.post(f"/api/v1/shifts/{shift.id}/cascade", json={"reason": "y"}).status_code == 409


def test_cascade_inside_bank_only_window_is_too_early(world, api, shift_maker):
    shift = shift_maker(posted_days_ago=1)
    resp = api(world.coordinator_a).post(f"/api/v1/shifts/{shift.id}/cascade", json={"reason": "Nobody yet"})
    assert resp.status_code == 422
    assert _problem_codes(resp) == ["cascade_too_early"]


def test_cascade_inside_bank_only_window_is_allowed_when_the_shift_starts_within_24h(world, api, shift_maker):
    shift = shift_maker(posted_days_ago=0, start="2026-11-03T08:00", end="2026-11-03T20:00")
    resp = api(world.coordinator_a).post(f"/api/v1/shifts/{shift.id}/cascade", json={"reason": "Tomorrow, empty"})
    assert resp.status_code == 201, resp.get_json()


def test_cascade_request_needs_a_reason(world, api, shift_maker):
    shift = shift_maker()
    coordinator = api(world.coordinator_a)
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        resp = coordinator.post(f"/api/v1/shifts/{shift.id}/cascade", json=body)
        assert resp.status_code == 422
        assert "reason" in resp.get_json()["errors"]


def test_cascade_request_needs_the_coordinator_role_and_another_sites_shift_is_not_found(world, api, shift_maker):
    shift = shift_maker()
    for user in (world.doctor, world.agency_user1, world.approver_a):
        resp = api(user).post(f"/api/v1/shifts/{shift.id}/cascade", json={"reason": "x"})
        assert resp.status_code == 403, user.name
    assert api(world.coordinator_b).post(f"/api/v1/shifts/{shift.id}/cascade", json={"reason": "x"}).status_code == 404


def test_another_sites_approver_cannot_find_the_request_and_rejection_keeps_shift_open(world, api, shift_maker):
    shift = shift_maker()
    request = api(world.coordinator_a).post(f"/api/v1/shifts/{shift.id}/cascade", json={"reason": "x"}).get_json()
    assert api(world.approver_b).post(f"/api/v1/cascade-requests/{request['id']}/approve").status_code == 404
    assert api(world.coordinator_a).post(f"/api/v1/cascade-requests/{request['id']}/approve").status_code == 403
    resp = api(world.approver_a).post(f"/api/v1/cascade-requests/{request['id']}/reject",
                                      json={"note": "Try the bank again"})
    assert resp.status_code == 200
    assert resp.get_json()["status"] == "rejected"
    assert db.session.get(Shift, shift.id).status == "open"
    assert api(world.approver_a).post(f"/api/v1/cascade-requests/{request['id']}/approve").status_code == 409


def test_cascade_requests_list_is_scoped_to_the_approvers_sites(world, api, shift_maker):
    mine = shift_maker()
    theirs = shift_maker(department=world.dept_b)
    api(world.coordinator_a).post(f"/api/v1/shifts/{mine.id}/cascade", json={"reason": "x"})
    api(world.coordinator_b).post(f"/api/v1/shifts/{theirs.id}/cascade", json={"reason": "y"})
    items = api(world.approver_a).get("/api/v1/cascade-requests?status=pending_approval").get_json()["items"]
    assert [i["shift_id"] for i in items] == [mine.id]
    assert api(world.approver_a).get("/api/v1/cascade-requests?status=approved").get_json()["items"] == []
    assert len(api(world.executive).get("/api/v1/cascade-requests").get_json()["items"]) == 2
    assert api(world.agency_user1).get("/api/v1/cascade-requests").status_code == 403


def test_offer_on_a_shift_not_released_to_the_tier_is_404_like_a_missing_one(world, api, shift_maker, released):
    open_shift = shift_maker()
    tier1_shift = released()
    agency2 = api(world.agency_user2)  # tier 2
    missing = agency2.post("/api/v1/shifts/999999/agency-offers", json=offer_body())
    not_released = api(world.agency_user1).post(f"/api/v1/shifts/{open_shift.id}/agency-offers", json=offer_body())
    not_my_tier = agency2.post(f"/api/v1/shifts/{tier1_shift.id}/agency-offers", json=offer_body())
    assert missing.status_code == not_released.status_code == not_my_tier.status_code == 404
    assert missing.get_json() == not_released.get_json() == not_my_tier.get_json()
    assert agency2.get("/api/v1/agency/shifts").get_json()["items"] == []


def test_offer_with_bad_charge_or_junior_grade_gets_422(world, api, released):
    shift = released()
    agency = api(world.agency_user1)
    url = f"/api/v1/shifts/{shift.id}/agency-offers"
    for charge in ("0.00", "-5.00", "0", "abc", "12.345"):
        resp = agency.post(url, json=offer_body(charge_rate=charge))
        assert resp.status_code == 422, charge
        assert "charge_rate" in resp.get_json()["errors"]
    resp = agency.post(url, json=offer_body(grade="FY2"))
    assert resp.status_code == 422
    assert _problem_codes(resp) == ["grade_mismatch"]
    resp = agency.post(url, json=offer_body(grade="NOPE"))
    assert resp.status_code == 422
    assert "grade" in resp.get_json()["errors"]
    resp = agency.post(url, json=offer_body(gmc_number="12"))
    assert resp.status_code == 422
    assert "gmc_number" in resp.get_json()["errors"]
    assert agency.post(url, json=offer_body(grade="CONS")).status_code == 201


def test_agency_may_not_offer_a_doctor_on_the_trusts_bank(world, api, released):
    shift = released()
    gmc = world.doctor.doctor_profile.gmc_number
    resp = api(world.agency_user1).post(f"/api/v1/shifts/{shift.id}/agency-offers",
                                        json=offer_body(gmc_number=gmc, grade="FY1"))
    assert resp.status_code == 422
    assert _problem_codes(resp) == ["grade_mismatch", "locum_on_bank"]
    assert "trust's own bank" in resp.get_json()["reasons"][1]["message"]


def test_accepting_one_offer_declines_the_others_and_tells_the_agencies(world, api, released, clock):
    shift = released()
    from bankapp.cascade.services import escalate_to_tier2

    clock.shift(13 * 3600)
    escalate_to_tier2()
    db.session.commit()
    first = api(world.agency_user1).post(f"/api/v1/shifts/{shift.id}/agency-offers",
                                         json=offer_body(charge_rate="70.00")).get_json()
    second = api(world.agency_user2).post(f"/api/v1/shifts/{shift.id}/agency-offers",
                                          json=offer_body(locum_name="Dr B", gmc_number="6000001")).get_json()
    resp = api(world.coordinator_a).post(f"/api/v1/agency-offers/{first['id']}/accept")
    assert resp.get_json()["status"] == "accepted"
    assert db.session.get(AgencyOffer, second["id"]).status == "declined"
    notices = api(world.agency_user2).get("/api/v1/agency/notices").get_json()["items"]
    assert [n["message"] for n in notices] == ["Offer declined: another offer was accepted."]
    assert api(world.coordinator_a).post(f"/api/v1/agency-offers/{second['id']}/accept").status_code == 409


def test_bank_claim_withdraws_offers_and_the_shift_vanishes_for_agencies(world, api, released):
    shift = released()
    agency = api(world.agency_user1)
    offer = agency.post(f"/api/v1/shifts/{shift.id}/agency-offers", json=offer_body()).get_json()
    resp = api(world.doctor).post(f"/api/v1/shifts/{shift.id}/claim")
    assert resp.status_code == 201, resp.get_json()
    assert db.session.get(AgencyOffer, offer["id"]).status == "withdrawn"
    assert agency.get("/api/v1/agency/shifts").get_json()["items"] == []
    assert [n["message"] for n in agency.get("/api/v1/agency/notices").get_json()["items"]] == [
        "Shift withdrawn: filled by the bank."]
    assert agency.post(f"/api/v1/shifts/{shift.id}/agency-offers", json=offer_body()).status_code == 404
    assert api(world.coordinator_a).post(f"/api/v1/agency-offers/{offer['id']}/accept").status_code == 409


def test_bank_claim_while_an_offer_awaits_the_executive_wins(world, api, released):
    shift = released()
    offer = api(world.agency_user1).post(f"/api/v1/shifts/{shift.id}/agency-offers",
                                         json=offer_body(charge_rate="99.00")).get_json()
    api(world.coordinator_a).post(f"/api/v1/agency-offers/{offer['id']}/accept")
    assert api(world.doctor).post(f"/api/v1/shifts/{shift.id}/claim").status_code == 201
    resp = api(world.executive).post(f"/api/v1/agency-offers/{offer['id']}/approve", json={"reason": "Safety"})
    assert resp.status_code == 409
    assert db.session.get(AgencyOffer, offer["id"]).status == "withdrawn"
    assert db.session.execute(db.select(Breach)).first() is None


def _pending_offer(world, api, shift, charge="95.00", user=None):
    offer = api(user or world.agency_user1).post(f"/api/v1/shifts/{shift.id}/agency-offers",
                                                 json=offer_body(charge_rate=charge)).get_json()
    resp = api(world.coordinator_a).post(f"/api/v1/agency-offers/{offer['id']}/accept")
    assert resp.get_json()["status"] == "pending_executive_approval"
    return offer


def test_executive_approval_needs_a_reason_and_the_role(world, api, released):
    offer = _pending_offer(world, api, released())
    url = f"/api/v1/agency-offers/{offer['id']}/approve"
    for user in (world.coordinator_a, world.approver_a, world.admin, world.agency_user1):
        assert api(user).post(url, json={"reason": "Safety"}).status_code == 403, user.name
    for body in ({}, {"reason": ""}, {"reason": "  "}):
        resp = api(world.executive).post(url, json=body)
        assert resp.status_code == 422
        assert "reason" in resp.get_json()["errors"]
    assert db.session.get(AgencyOffer, offer["id"]).status == "pending_executive_approval"


def test_above_100_an_hour_only_the_chief_executive_may_approve(world, api, released):
    offer = _pending_offer(world, api, released(), charge="100.01")
    url = f"/api/v1/agency-offers/{offer['id']}/approve"
    resp = api(world.executive).post(url, json={"reason": "Unsafe staffing"})
    assert resp.status_code == 403
    assert "chief executive" in resp.get_json()["detail"]
    resp = api(world.chief_executive).post(url, json={"reason": "Unsafe staffing"})
    assert resp.status_code == 200
    breaches = db.session.execute(db.select(Breach).order_by(Breach.type)).scalars().all()
    assert [(b.type, b.amount_over, b.approved_by_id) for b in breaches] == [
        ("agency_over_cap", Decimal("20.01"), world.chief_executive.id),
        ("agency_over_ceo_rate", Decimal("0.01"), world.chief_executive.id)]


def test_exactly_100_an_hour_an_executive_may_approve(world, api, released):
    offer = _pending_offer(world, api, released(), charge="100.00")
    resp = api(world.executive).post(f"/api/v1/agency-offers/{offer['id']}/approve", json={"reason": "Safety"})
    assert resp.status_code == 200


def test_off_framework_agency_needs_executive_even_within_cap(world, api, released, clock):
    from bankapp.cascade.services import escalate_to_tier2

    shift = released()
    clock.shift(12 * 3600)
    escalate_to_tier2()
    db.session.commit()
    offer = _pending_offer(world, api, shift, charge="60.00", user=world.agency_user2)
    assert offer["off_framework"] is True
    resp = api(world.executive).post(f"/api/v1/agency-offers/{offer['id']}/approve",
                                     json={"reason": "No framework agency could supply"})
    assert resp.status_code == 200
    breach = db.session.execute(db.select(Breach)).scalar_one()
    assert (breach.type, breach.amount_over) == ("off_framework", None)


def test_over_cap_and_off_framework_records_both_breaches(world, api, released, clock):
    from bankapp.cascade.services import escalate_to_tier2

    shift = released()
    clock.shift(12 * 3600)
    escalate_to_tier2()
    db.session.commit()
    offer = _pending_offer(world, api, shift, charge="90.00", user=world.agency_user2)
    api(world.executive).post(f"/api/v1/agency-offers/{offer['id']}/approve", json={"reason": "Safety"})
    types = sorted(db.session.execute(db.select(Breach.type)).scalars())
    assert types == ["agency_over_cap", "off_framework"]


def test_executive_may_decline_an_offer_awaiting_approval(world, api, released):
    offer = _pending_offer(world, api, released())
    resp = api(world.executive).post(f"/api/v1/agency-offers/{offer['id']}/decline", json={"reason": "Too dear"})
    assert resp.get_json()["status"] == "declined"
    notices = db.session.execute(db.select(AgencyNotice.message).order_by(AgencyNotice.id)).scalars().all()
    assert notices[-1] == "Offer for Dr Lena Fischer declined by the trust: Too dear"


def test_offers_list_is_scoped(world, api, released):
    shift = released()
    offer = api(world.agency_user1).post(f"/api/v1/shifts/{shift.id}/agency-offers", json=offer_body()).get_json()
    assert [o["id"] for o in api(world.agency_user1).get("/api/v1/agency-offers").get_json()["items"]] == [offer["id"]]
    assert api(world.agency_user2).get("/api/v1/agency-offers").get_json()["items"] == []
    assert api(world.coordinator_b).get("/api/v1/agency-offers").get_json()["items"] == []
    coordinator_a = api(world.coordinator_a)
    assert len(coordinator_a.get(f"/api/v1/agency-offers?shift_id={shift.id}&status=offered").get_json()["items"]) == 1
    assert coordinator_a.get("/api/v1/agency-offers?status=accepted").get_json()["items"] == []
    assert api(world.coordinator_b).post(f"/api/v1/agency-offers/{offer['id']}/accept").status_code == 404
    assert api(world.doctor).get("/api/v1/agency-offers").status_code == 403


def test_same_locum_offered_twice_for_a_shift_gets_409(world, api, released):
    shift = released()
    agency = api(world.agency_user1)
    assert agency.post(f"/api/v1/shifts/{shift.id}/agency-offers", json=offer_body()).status_code == 201
    assert agency.post(f"/api/v1/shifts/{shift.id}/agency-offers", json=offer_body()).status_code == 409


def test_cancelled_shift_withdraws_offers_and_pending_requests(world, api, released, shift_maker):
    shift = released()
    offer = api(world.agency_user1).post(f"/api/v1/shifts/{shift.id}/agency-offers", json=offer_body()).get_json()
    pending = shift_maker()
    request = api(world.coordinator_a).post(f"/api/v1/shifts/{pending.id}/cascade", json={"reason": "x"}).get_json()
    coordinator = api(world.coordinator_a)
    assert coordinator.post(f"/api/v1/shifts/{shift.id}/cancel", json={"reason": "Ward closed"}).status_code == 200
    assert coordinator.post(f"/api/v1/shifts/{pending.id}/cancel", json={"reason": "Ward closed"}).status_code == 200
    assert db.session.get(AgencyOffer, offer["id"]).status == "withdrawn"
    assert db.session.get(CascadeRequest, request["id"]).status == "withdrawn"
