"""Site policies: each site's own threshold and windows, null meaning the trust default, read by every rule."""
from datetime import timedelta
from decimal import Decimal

import pytest

from bankapp.audit.models import AuditEvent
from bankapp.cascade.services import approve_cascade, escalate_to_tier2, request_cascade
from bankapp.errors import RuleRefused
from bankapp.extensions import db
from bankapp.org.policies import policy_for, update_policy
from bankapp.shifts.rate_approval import approve_violation
from bankapp.shifts.services import doctor_may_cancel, post_shift
from bankapp.timeutil import now_utc
from tests.factories import make_booking, make_shift
from tests.org.test_views import field_error, log_in
from tests.rates.cards import card_rate_plus, make_card, weekday_morning

FIELDS = ("approver_max_percent", "bank_only_window_hours", "cascade_urgent_within_hours", "tier1_window_hours",
          "doctor_cancel_cutoff_hours")


@pytest.fixture
def card(world):
    card = make_card(world.admin)
    db.session.commit()
    return card


def _shift(world, site="a", days=10, hours=10, **kw):
    start = now_utc().replace(minute=0, second=0, microsecond=0) + timedelta(days=days)
    dept = world.dept_a if site == "a" else world.dept_b
    coordinator = world.coordinator_a if site == "a" else world.coordinator_b
    return make_shift(department=dept, grade=world.grades["ST3"], start=start, end=start + timedelta(hours=hours),
                      posted_by=coordinator, **kw)


def test_api_shows_nulls_the_defaults_and_what_is_in_force(world, api):
    resp = api(world.admin).get(f"/api/v1/sites/{world.site_a.id}/policy")
    assert resp.status_code == 200
    body = resp.get_json()
    assert {f: body[f] for f in FIELDS} == dict.fromkeys(FIELDS)
    assert body["defaults"] == {"approver_max_percent": "20.00", "bank_only_window_hours": 48,
                                "cascade_urgent_within_hours": 24, "tier1_window_hours": 12,
                                "doctor_cancel_cutoff_hours": 48}
    assert body["effective"] == body["defaults"]


def test_patch_changes_only_the_fields_sent_and_null_goes_back_to_the_default(world, api):
    admin = api(world.admin)
    url = f"/api/v1/sites/{world.site_a.id}/policy"
    body = admin.patch(url, json={"approver_max_percent": "10.00", "tier1_window_hours": 6}).get_json()
    assert (body["approver_max_percent"], body["tier1_window_hours"], body["bank_only_window_hours"]) == ("10.00", 6,
                                                                                                            None)
    assert body["effective"]["tier1_window_hours"] == 6 and body["effective"]["bank_only_window_hours"] == 48
    body = admin.patch(url, json={"tier1_window_hours": None}).get_json()
    assert body["tier1_window_hours"] is None and body["approver_max_percent"] == "10.00"
    assert body["effective"]["tier1_window_hours"] == 12
    assert admin.get(f"/api/v1/sites/{world.site_b.id}/policy").get_json()["effective"]["approver_max_percent"] == \
        "20.00"


def test_each_change_is_audited_with_before_and_after(world, api):
    api(world.admin).patch(f"/api/v1/sites/{world.site_a.id}/policy", json={"doctor_cancel_cutoff_hours": 24})
    api(world.admin).patch(f"/api/v1/sites/{world.site_a.id}/policy", json={"doctor_cancel_cutoff_hours": 24})
    events = db.session.execute(db.select(AuditEvent).filter_by(action="site.policy_changed")).scalars().all()
    assert len(events) == 1  # the second PATCH changed nothing
    assert (events[0].entity_id, events[0].before, events[0].after, events[0].actor_id) == (
        str(world.site_a.id), {"doctor_cancel_cutoff_hours": None}, {"doctor_cancel_cutoff_hours": 24}, world.admin.id)


@pytest.mark.parametrize("body, field", [({"tier1_window_hours": -1}, "tier1_window_hours"),
                                         ({"bank_only_window_hours": "12"}, "bank_only_window_hours"),
                                         ({"approver_max_percent": "-5"}, "approver_max_percent"),
                                         ({"approver_max_percent": 20.5}, "approver_max_percent"),
                                         ({"unknown": 1}, "unknown")])
def test_bad_values_are_field_errors_and_nothing_changes(world, api, body, field):
    resp = api(world.admin).patch(f"/api/v1/sites/{world.site_a.id}/policy", json=body)
    assert resp.status_code == 422 and field in resp.get_json()["errors"]
    assert db.session.execute(db.select(AuditEvent).filter_by(action="site.policy_changed")).first() is None


def test_unknown_site_is_404_and_only_admins_see_policies(world, api):
    assert api(world.admin).get("/api/v1/sites/999999/policy").status_code == 404
    assert api(world.coordinator_a).get(f"/api/v1/sites/{world.site_a.id}/policy").status_code == 403


def test_the_approver_threshold_is_the_shift_sites(world, card):
    update_policy(world.site_a.id, {"approver_max_percent": Decimal("5")}, actor=world.admin)
    start = weekday_morning(now_utc() + timedelta(days=20))
    rate = card_rate_plus(card, world.grades["ST3"], "5.00")  # a little over the card at both sites
    held = {site: post_shift(actor=coordinator, department=dept, grade=world.grades["ST3"], start=start,
                             end=start + timedelta(hours=10), hourly_rate=rate, reason="Winter")
            for site, coordinator, dept in (("a", world.coordinator_a, world.dept_a),
                                             ("b", world.coordinator_b, world.dept_b))}
    percent = held["a"].rate_violations[-1].percent_over
    assert Decimal("5") < percent < Decimal("20")
    assert held["a"].rate_violations[-1].required_role == "executive"
    assert held["b"].rate_violations[-1].required_role == "approver"


def test_the_cancel_cutoff_is_the_shift_sites(world, card):
    update_policy(world.site_a.id, {"doctor_cancel_cutoff_hours": 24}, actor=world.admin)
    booking_a = make_booking(_shift(world, "a", days=5), world.doctor)
    booking_b = make_booking(_shift(world, "b", days=6), world.doctor)
    assert doctor_may_cancel(booking_a, booking_a.shift.start_at - timedelta(hours=30)) is True  # 24 h at site A
    assert doctor_may_cancel(booking_b, booking_b.shift.start_at - timedelta(hours=30)) is False  # 48 h default
    assert doctor_may_cancel(booking_b, booking_b.shift.start_at - timedelta(hours=48)) is True


def test_the_bank_only_window_is_the_shift_sites_and_runs_from_when_it_opened(world, card, clock):
    update_policy(world.site_a.id, {"bank_only_window_hours": 0}, actor=world.admin)
    shift_a, shift_b = _shift(world, "a", opened_at=now_utc()), _shift(world, "b", opened_at=now_utc())
    db.session.commit()
    assert request_cascade(shift_a, actor=world.coordinator_a, reason="Nobody claimed it").status == \
        "pending_approval"
    with pytest.raises(RuleRefused) as refused:
        request_cascade(shift_b, actor=world.coordinator_b, reason="Nobody claimed it")
    assert [r.code for r in refused.value.reasons] == ["cascade_too_early"]
    assert "48 hours after it opened to bank doctors" in refused.value.reasons[0].message


def test_time_waiting_for_rate_approval_does_not_eat_the_bank_only_window(world, card, clock):
    start = weekday_morning(now_utc() + timedelta(days=20))
    held = post_shift(actor=world.coordinator_a, department=world.dept_a, grade=world.grades["ST3"], start=start,
                      end=start + timedelta(hours=10), reason="Winter",
                      hourly_rate=card_rate_plus(card, world.grades["ST3"], "5.00"))
    assert held.opened_at is None
    clock.shift(timedelta(days=3))  # three days waiting for the approver
    approve_violation(held.rate_violations[-1], actor=world.approver_a, note="ok")
    assert held.opened_at == now_utc().replace(microsecond=held.opened_at.microsecond)
    with pytest.raises(RuleRefused):
        request_cascade(held, actor=world.coordinator_a, reason="Nobody claimed it")
    clock.shift(timedelta(hours=48))
    assert request_cascade(held, actor=world.coordinator_a, reason="Nobody claimed it").status == "pending_approval"


def test_the_tier1_window_is_the_shift_sites(world, card, clock):
    update_policy(world.site_a.id, {"tier1_window_hours": 1}, actor=world.admin)
    update_policy(world.site_b.id, {"bank_only_window_hours": 0}, actor=world.admin)
    update_policy(world.site_a.id, {"bank_only_window_hours": 0}, actor=world.admin)
    shifts = [_shift(world, "a", opened_at=now_utc()), _shift(world, "b", opened_at=now_utc())]
    for shift, coordinator, approver in zip(shifts, (world.coordinator_a, world.coordinator_b),
                                            (world.approver_a, world.approver_b), strict=True):
        approve_cascade(request_cascade(shift, actor=coordinator, reason="Unfilled"), actor=approver)
    moved = escalate_to_tier2(now_utc() + timedelta(hours=2))
    assert moved == [shifts[0].id]
    assert escalate_to_tier2(now_utc() + timedelta(hours=12, minutes=1)) == [shifts[1].id]


def test_policy_for_falls_back_field_by_field(world):
    update_policy(world.site_a.id, {"tier1_window_hours": 3}, actor=world.admin)
    policy = policy_for(world.site_a.id)
    assert (policy.tier1_window_hours, policy.bank_only_window_hours, policy.approver_max_percent) == (
        3, 48, Decimal("20"))


def test_admin_page_saves_values_blank_means_default_and_errors_sit_by_the_field(client, world):
    admin = log_in(client, world.admin)
    url = f"/admin/sites/{world.site_a.id}/policy"
    page = admin.get(url).get_data(as_text=True)
    assert "Trust default: 48 hours" in page and "Approval process at Alpha Hospital" in page
    form = dict.fromkeys(FIELDS, "") | {"tier1_window_hours": "6", "approver_max_percent": "15"}
    assert admin.post(url, data=form).status_code == 302
    assert (policy_for(world.site_a.id).tier1_window_hours, policy_for(world.site_a.id).approver_max_percent) == (
        6, Decimal("15.00"))
    assert admin.post(url, data=dict.fromkeys(FIELDS, "")).status_code == 302
    assert policy_for(world.site_a.id).tier1_window_hours == 12
    resp = admin.post(url, data=dict.fromkeys(FIELDS, "") | {"tier1_window_hours": "soon"})
    assert resp.status_code == 422 and "Enter a whole number." in field_error(resp, "tier1_window_hours")
