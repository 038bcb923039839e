"""Pure cascade rules at their edges."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from bankapp.cascade import rules
from tests.factories import london

POSTED = london("2026-11-02T09:00")


@pytest.mark.parametrize(("hours_after_posting", "hours_to_start", "too_early"), [
    (0, 72, True), (47.99, 72, True), (48, 72, False), (1, 24.01, True), (1, 24, False), (1, 2, False)])
def test_bank_only_window_edges(hours_after_posting, hours_to_start, too_early):
    now = POSTED + timedelta(hours=hours_after_posting)
    reasons = rules.cascade_timing_reasons(opened_at=POSTED, starts_at=now + timedelta(hours=hours_to_start), now=now,
                                           bank_only_hours=48, urgent_within_hours=24)
    assert [r.code for r in reasons] == (["cascade_too_early"] if too_early else [])


def test_tiers_see_their_own_releases():
    assert rules.visible_statuses(1) == ("released_tier1", "released_tier2")
    assert rules.visible_statuses(2) == ("released_tier2",)
    assert rules.visible_statuses(3) == ()


def test_offer_reasons_list_every_reason():
    reasons = rules.offer_reasons(shift_grade_rank=40, shift_grade_name="ST3", offered_grade_rank=20,
                                  offered_grade_name="FY2", locum_on_bank=True)
    assert [r.code for r in reasons] == ["grade_mismatch", "locum_on_bank"]
    assert rules.offer_reasons(shift_grade_rank=40, shift_grade_name="ST3", offered_grade_rank=40,
                               offered_grade_name="ST3", locum_on_bank=False) == []


@pytest.mark.parametrize(("charge", "cap", "on_framework", "expected"), [
    ("80.00", "80.00", True, []),
    ("80.01", "80.00", True, ["agency_over_cap"]),
    ("60.00", "80.00", False, ["off_framework"]),
    ("90.00", "80.00", False, ["agency_over_cap", "off_framework"]),
    ("50.00", None, True, ["agency_over_cap"]),
    # The chief executive's line holds whatever the grade's cap.
    ("100.00", "150.00", True, []),
    ("100.01", "150.00", True, ["agency_over_ceo_rate"]),
    ("140.00", "150.00", False, ["off_framework", "agency_over_ceo_rate"]),
    ("160.00", "150.00", True, ["agency_over_cap", "agency_over_ceo_rate"]),
])
def test_breaches_for(charge, cap, on_framework, expected):
    assert rules.breaches_for(charge_rate=Decimal(charge), cap=Decimal(cap) if cap else None,
                              on_framework=on_framework, chief_executive_above=Decimal("100.00")) == expected


def test_the_chief_executive_line_is_a_setting():
    assert rules.breaches_for(charge_rate=Decimal("100.01"), cap=Decimal("150.00"), on_framework=True,
                              chief_executive_above=Decimal("120.00")) == []


def test_required_role_only_while_awaiting_approval():
    line = Decimal("100.00")
    assert rules.required_role(status="pending_executive_approval", charge_rate=Decimal("100.01"),
                               chief_executive_above=line) == "chief_executive"
    assert rules.required_role(status="pending_executive_approval", charge_rate=Decimal("100.00"),
                               chief_executive_above=line) == "executive"
    assert rules.required_role(status="accepted", charge_rate=Decimal("140.00"), chief_executive_above=line) is None


def test_amount_over_is_measured_from_each_breachs_own_line():
    kw = {"charge_rate": Decimal("140.00"), "over_cap": Decimal("0.00"), "chief_executive_above": Decimal("100")}
    assert rules.amount_over("agency_over_ceo_rate", **kw) == Decimal("40.00")
    assert rules.amount_over("agency_over_cap", **kw) == Decimal("0.00")
    assert rules.amount_over("off_framework", **kw) is None


def test_chief_executive_only_above_the_line():
    line = Decimal("100.00")
    assert rules.approver_role_for(Decimal("100.00"), line) == "executive"
    assert rules.approver_role_for(Decimal("100.01"), line) == "chief_executive"


def test_iso_weeks():
    assert rules.parse_iso_week("2026-W45") == (date(2026, 11, 2), date(2026, 11, 8))
    assert rules.parse_iso_week("2026-W01") == (date(2025, 12, 29), date(2026, 1, 4))
    assert rules.iso_week_of(date(2026, 11, 8)) == "2026-W45"
    for bad in ("2026-W54", "2026-45", "", "2026-W5"):
        with pytest.raises(ValueError):
            rules.parse_iso_week(bad)


def test_over_cap_line_rounds_half_up_per_line():
    line = rules.over_cap_line(charge_rate=Decimal("80.01"), cap=Decimal("80.00"), minutes=750)
    assert (line.over_per_hour, line.total_over, line.total_charge) == (
        Decimal("0.01"), Decimal("0.13"), Decimal("1000.13"))
    within = rules.over_cap_line(charge_rate=Decimal("70.00"), cap=Decimal("80.00"), minutes=60)
    assert (within.over_per_hour, within.total_over) == (Decimal("0.00"), Decimal("0.00"))
    no_cap = rules.over_cap_line(charge_rate=Decimal("70.00"), cap=None, minutes=60)
    assert (no_cap.over_per_hour, no_cap.total_over) == (None, None)
