"""Demo cascade: two shifts the bank could not fill, released to agencies, with
an offer from each demo agency; one offer awaits the chief executive."""
import logging
from datetime import datetime, time, timedelta
from decimal import Decimal

from ..errors import DomainError
from ..shifts.services import post_shift
from ..timeutil import LONDON, london_date, now_utc
from . import offers, services

log = logging.getLogger(__name__)


def _london(day, hour):
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def seed(ctx):
    agency1, agency2 = ctx.people.get("agency1"), ctx.people.get("agency2")
    site = ctx.sites[0]
    coordinator, approver = ctx.people.get(f"coordinator:{site.code}"), ctx.people.get(f"approver:{site.code}")
    departments = [d for d in ctx.departments if d.site_id == site.id]
    if not (agency1 and agency2 and coordinator and approver and departments):
        return
    now = now_utc()
    day = london_date(now) + timedelta(days=3)
    try:
        first = _released(post_shift, coordinator, approver, departments[0], ctx.grades["ST3"], day, now,
                          "Posted three days ago, no bank claims; two registrars off sick")
        second = _released(post_shift, coordinator, approver, departments[7 % len(departments)], ctx.grades["ST6"],
                           day + timedelta(days=1), now, "Intensive care nights: every bank registrar asked")
        second.released_tier1_at = now - timedelta(hours=13)  # tier 1 had its window
        services.escalate_to_tier2(now)
        offers.make_offer(first, actor=agency1, locum_name="Dr Lena Fischer", gmc_number="6543210", grade="ST3",
                          charge_rate=Decimal("76.00"), now=now)
        offers.make_offer(second, actor=agency1, locum_name="Dr Marcus Obi", gmc_number="6543211", grade="ST6",
                          charge_rate=Decimal("92.00"), now=now)
        pricey = offers.make_offer(second, actor=agency2, locum_name="Dr Ewa Nowak", gmc_number="6543212",
                                   grade="CONS", charge_rate=Decimal("118.00"), now=now)
        offers.accept_offer(pricey, actor=coordinator)  # above the cap and £100/h: awaits the chief executive
    except DomainError as exc:
        log.warning("demo cascade skipped: %s %s", exc.detail, exc.errors or exc.reasons or "")


def _released(post_shift, coordinator, approver, department, grade, day, now, reason):
    shift = post_shift(actor=coordinator, department=department, grade=grade, start=_london(day, 8),
                       end=_london(day, 20) if grade.code == "ST3" else _london(day + timedelta(days=1), 8),
                       reason=None)
    shift.created_at = shift.opened_at = now - timedelta(days=3)  # posted earlier: out of its bank-only window
    request = services.request_cascade(shift, actor=coordinator, reason=reason, now=now)
    services.approve_cascade(request, actor=approver, note="Agreed: bank exhausted", now=now)
    return shift
