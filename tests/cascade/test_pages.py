"""The cascade pages, driven with the test client as each role would."""
import pytest
import time_machine

from bankapp.audit.models import Breach
from bankapp.cascade.models import AgencyOffer, CascadeRequest
from bankapp.extensions import db
from bankapp.shifts.models import Booking, Shift
from tests.factories import PASSWORD


@pytest.fixture
def login(client):
    def as_user(user):
        client.post("/logout")
        resp = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert resp.status_code == 302, resp.get_data(as_text=True)
        return client

    return as_user


def test_coordinator_requests_cover_and_blank_reason_is_shown_next_to_the_field(world, login, shift_maker):
    shift = shift_maker()
    page = login(world.coordinator_a)
    assert f"/coordinator/shifts/{shift.id}/cascade" in page.get("/coordinator/agency-offers").get_data(as_text=True)
    resp = page.post(f"/coordinator/shifts/{shift.id}/cascade", data={"reason": "  "})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="reason-error"' in html and "nhsuk-error-summary" in html
    resp = page.post(f"/coordinator/shifts/{shift.id}/cascade", data={"reason": "No claims in 3 days"})
    assert resp.status_code == 302
    assert db.session.execute(db.select(CascadeRequest)).scalar_one().status == "pending_approval"


def test_too_early_request_is_explained_on_the_page(world, login, shift_maker):
    shift = shift_maker(posted_days_ago=0)
    resp = login(world.coordinator_a).post(f"/coordinator/shifts/{shift.id}/cascade", data={"reason": "x"})
    assert resp.status_code == 422
    assert "bank has this shift to itself until" in resp.get_data(as_text=True)


def test_other_sites_coordinator_does_not_find_the_request_page(world, login, shift_maker):
    shift = shift_maker()
    assert login(world.coordinator_b).get(f"/coordinator/shifts/{shift.id}/cascade").status_code == 404


def test_approver_approves_from_the_queue(world, login, shift_maker):
    from bankapp.cascade.services import request_cascade

    shift = shift_maker()
    cascade_request = request_cascade(shift, actor=world.coordinator_a, reason="Nobody claimed it")
    db.session.commit()
    page = login(world.approver_a)
    assert "Nobody claimed it" in page.get("/cascade-requests").get_data(as_text=True)
    assert page.post(f"/cascade-requests/{cascade_request.id}/approve", data={"note": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).status == "released_tier1"
    assert "Nobody claimed it" not in login(world.approver_b).get("/cascade-requests").get_data(as_text=True)


def test_agency_offers_from_the_portal_and_bank_doctor_is_refused(world, login, released):
    shift = released()
    page = login(world.agency_user1)
    assert f"/agency/shifts/{shift.id}/offer" in page.get("/agency").get_data(as_text=True)
    form = {"locum_name": "Dr Lena Fischer", "gmc_number": world.doctor.doctor_profile.gmc_number, "grade": "ST3",
            "charge_rate": "75.00"}
    resp = page.post(f"/agency/shifts/{shift.id}/offer", data=form)
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="gmc_number-error"' in html and "trust&#39;s own bank" in html
    resp = page.post(f"/agency/shifts/{shift.id}/offer", data={**form, "gmc_number": "6543210", "charge_rate": "0"})
    assert resp.status_code == 422 and 'id="charge_rate-error"' in resp.get_data(as_text=True)
    assert page.post(f"/agency/shifts/{shift.id}/offer", data={**form, "gmc_number": "6543210"}).status_code == 302
    assert "Dr Lena Fischer" in page.get("/agency").get_data(as_text=True)
    assert login(world.agency_user2).get(f"/agency/shifts/{shift.id}/offer").status_code == 404


def test_coordinator_accepts_then_executive_breaks_glass_on_the_pages(world, login, released):
    from bankapp.cascade.offers import make_offer
    from bankapp.money import parse_money

    shift = released()
    offer = make_offer(shift, actor=world.agency_user1, locum_name="Dr Lena Fischer", gmc_number="6543210",
                       grade="ST3", charge_rate=parse_money("101.00"))
    db.session.commit()
    page = login(world.coordinator_a)
    assert page.post(f"/coordinator/agency-offers/{offer.id}/accept").status_code == 302
    assert "awaiting the chief executive" in page.get("/coordinator/agency-offers").get_data(as_text=True)

    page = login(world.executive)
    assert "1 agency offer above the cap, off framework or above the chief executive's rate awaits" in \
        page.get("/").get_data(as_text=True)
    html = page.get(f"/agency-approvals/{offer.id}").get_data(as_text=True)
    assert "only the chief executive may approve" in html and 'value="approve"' not in html
    resp = page.post(f"/agency-approvals/{offer.id}", data={"reason": "Safety", "action": "approve"})
    assert resp.status_code == 422

    page = login(world.chief_executive)
    resp = page.post(f"/agency-approvals/{offer.id}", data={"reason": "", "action": "approve"})
    assert resp.status_code == 422 and 'id="reason-error"' in resp.get_data(as_text=True)
    resp = page.post(f"/agency-approvals/{offer.id}", data={"reason": "Unsafe ED staffing", "action": "approve"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(AgencyOffer, offer.id).status == "accepted"
    assert db.session.execute(db.select(Booking.source)).scalar_one() == "agency"
    assert sorted(db.session.execute(db.select(Breach.type)).scalars()) == ["agency_over_cap", "agency_over_ceo_rate"]


def test_weekly_return_page_and_download(world, login):
    page = login(world.executive)
    html = page.get("/agency-return?week=2026-W45").get_data(as_text=True)
    assert "agency-return.csv?week=2026-W45" in html
    resp = page.get("/agency-return.csv?week=2026-W45")
    assert resp.mimetype == "text/csv" and resp.get_data(as_text=True).startswith("row_type,week,")
    assert page.get("/agency-return?week=nonsense").status_code == 422
    assert login(world.coordinator_a).get("/agency-return").status_code == 403


def test_nav_and_home_sections_per_role(world, login):
    assert "/agency" in login(world.agency_user1).get("/").get_data(as_text=True)
    home = login(world.chief_executive).get("/").get_data(as_text=True)
    assert home.count('id="break-glass-count"') == 1
    assert "/agency-approvals" in home
    assert "/cascade-requests" in login(world.approver_a).get("/").get_data(as_text=True)


def test_agency_cover_lists_released_shifts_until_a_week_after_they_end(world, login, released):
    from bankapp.cascade.offers import make_offer
    from bankapp.money import parse_money

    recent = released(start="2026-11-05T08:00", end="2026-11-05T20:00")
    offer = make_offer(recent, actor=world.agency_user1, locum_name="Dr Lena Fischer", gmc_number="6543210",
                       grade="ST3", charge_rate=parse_money("75.00"))
    long_past = released(start="2026-10-20T08:00", end="2026-10-20T20:00", posted_days_ago=20, retrospective=True)
    db.session.commit()
    page = login(world.coordinator_a)
    with time_machine.travel("2026-11-12T19:00:00+00:00", tick=False):  # 6 days 23 h after the first one ended
        html = page.get("/coordinator/agency-offers").get_data(as_text=True)
    assert f'id="shift-{recent.id}"' in html and f'id="offer-{offer.id}"' in html
    assert f'id="shift-{long_past.id}"' not in html
    with time_machine.travel("2026-11-12T21:00:00+00:00", tick=False):  # a week and an hour after
        html = page.get("/coordinator/agency-offers").get_data(as_text=True)
    assert f'id="shift-{recent.id}"' not in html and "No shifts of your sites are with agencies." in html
