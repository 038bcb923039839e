"""The weekly breach digest: each executive gets last week's breach counts by SMS.

Trusts send a weekly return of agency overrides; leadership wants every breach
in plain sight. From Monday 08:00 London (after the quiet hours) the job
queues, for every executive and chief executive who takes texts, one SMS with
last week's counts by type and a link to the report. The dedupe key (week and
person) makes it once per week per executive however often the job runs; a
run later in the week catches up anyone missed.
"""
import logging
from datetime import time

from flask import current_app

from ..auth.models import User, UserRole
from ..extensions import db
from ..reports import queries, rules
from ..reports.services import build_period
from ..timeutil import to_london
from .services import enqueue_for_user

log = logging.getLogger(__name__)

DIGEST_KIND = "breach_digest"
DIGEST_ROLES = ("executive", "chief_executive")
SEND_FROM = time(8)
SEND_UNTIL = time(21)
SHORT_LABELS = {
    "rate_violation": "rate violations",
    "agency_over_cap": "agency over cap",
    "off_framework": "off framework",
    "agency_over_ceo_rate": "agency above CEO rate",
    "wtr_override": "working-time overrides",
    "late_timesheet": "late timesheets",
}


def digest_body(counts: dict[str, int], period, base_url: str) -> str:
    """The SMS text: counts by type (zero types left out) and the report link."""
    monday = period.date_from
    week = f"w/c {monday.day} {monday.strftime('%b')}"
    total = sum(counts.values())
    if total:
        parts = ", ".join(f"{n} {SHORT_LABELS[t]}" for t, n in counts.items() if n)
        summary = f"{total} {'breach' if total == 1 else 'breaches'} ({parts})"
    else:
        summary = "no breaches"
    query = f"from={period.date_from.isoformat()}&to={period.date_to.isoformat()}"
    link = f"{base_url.rstrip('/')}/reports/breaches?{query}"
    return f"Staff Bank weekly breaches, {week}: {summary}. Report: {link}"


def _executives():
    stmt = (db.select(User).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role.in_(DIGEST_ROLES), User.active.is_(True)).distinct().order_by(User.id))
    return db.session.execute(stmt).scalars().all()


def send_weekly_breach_digest(now) -> int:
    """Queue last week's digest for every executive not yet sent it; returns how many were queued."""
    local = to_london(now)
    if not SEND_FROM <= local.time() < SEND_UNTIL:
        return 0
    monday, sunday = rules.last_week(local.date())
    period = build_period(monday, sunday, today=local.date())
    counts = rules.empty_type_counts()
    for type_, _site, n in queries.breach_counts(lo=period.lo, hi=period.hi):
        counts[type_] += n
    body = digest_body(counts, period, current_app.config["PUBLIC_BASE_URL"])
    week_key = rules.iso_week_key(monday)
    queued = 0
    for user in _executives():
        if enqueue_for_user(user, kind=DIGEST_KIND, body=body, dedupe_key=f"breach-digest:{week_key}:{user.id}"):
            queued += 1
    if queued:
        log.info("weekly breach digest for %s queued for %s executives", week_key, queued)
    return queued
