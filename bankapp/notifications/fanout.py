"""New-shift alerts and a coordinator's invitations: find every doctor the shift suits in one query, queue one
text each in one statement.

Eligible = an active doctor, opted in, with a mobile that is not opted out,
grade rank at or above the shift's, allowed at the site (no site links =
every site), holding all five documents valid through the shift's London end
date, whose preferences (days, sites, grades) allow it, who is not already
booked on an overlapping shift, not texted about this shift before (alerted,
or invited, each once), and under the daily cap of shift texts (alerts and
invitations together, counted on the London day the text is due). Texts wait
for the end of quiet hours unless the shift is urgent.

An invitation (``invite``) goes further: of those doctors, only the ones a
claim would book now (``shifts.eligibility``, the claim's own checks: rest,
working-time limits) are texted, with the coordinator's note.
"""
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import String, Text, cast, exists, func, literal, not_, or_, select

from ..audit.services import record_audit
from ..auth.models import User, UserRole, UserSite
from ..dbtypes import UTCDateTime
from ..extensions import db
from ..org.models import Grade
from ..shifts.eligibility import for_shift
from ..shifts.models import Booking, Shift
from ..shifts.pricing import estimate_pay
from ..shifts.queries import doctors_with_facts
from ..staff.documents import DOCUMENT_KINDS
from ..staff.models import ComplianceDocument, DoctorProfile
from ..timeutil import LONDON, london_date, now_utc, to_london
from . import texts
from .models import AlertGrade, AlertPreference, AlertSite, OutboxMessage, SmsOptOut
from .rules import alert_send_after, day_bit, is_urgent
from .services import enqueue_rows, insert_ignoring_duplicates, shift_url

log = logging.getLogger(__name__)

ALERTABLE_STATUSES = ("open", "released_tier1", "released_tier2")


ALERT_PREFIX = "shift-alert"
INVITE_PREFIX = "shift-invite"
# Texts about one shift to one doctor that count towards the daily cap.
CAPPED_KINDS = ("shift_alert", "shift_invite")


def alert_key(shift_id: int, user_id: int, prefix: str = ALERT_PREFIX) -> str:
    return f"{prefix}:{shift_id}:{user_id}"


def _london_day_bounds(instant: datetime):
    day = london_date(instant)
    start = datetime.combine(day, datetime.min.time(), tzinfo=LONDON)
    return start, datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=LONDON)


def eligible_doctors_query(shift: Shift, *, send_after: datetime, cap: int, prefix: str = ALERT_PREFIX):
    """SELECT (user id, mobile) of every doctor who should hear about ``shift`` (not yet texted with ``prefix``)."""
    u = User.__table__
    ends_on = london_date(shift.end_at)
    weekday_bit = day_bit(to_london(shift.start_at).weekday())
    day_start, day_end = _london_day_bounds(send_after)
    prefix = f"{prefix}:{shift.id}:"

    has_role = exists().where(UserRole.user_id == u.c.id, UserRole.role == "doctor")
    any_site = exists().where(UserSite.user_id == u.c.id)
    this_site = exists().where(UserSite.user_id == u.c.id, UserSite.site_id == shift.site_id)
    valid_kinds = (select(func.count(func.distinct(ComplianceDocument.kind)))
                   .where(ComplianceDocument.user_id == u.c.id, ComplianceDocument.expires_on >= ends_on,
                          ComplianceDocument.kind.in_(DOCUMENT_KINDS), ComplianceDocument.status == "verified")
                   .scalar_subquery())
    opted_out = exists().where(SmsOptOut.number == u.c.mobile)
    pref_days = (select(AlertPreference.days).where(AlertPreference.user_id == u.c.id).scalar_subquery())
    any_pref_site = exists().where(AlertSite.user_id == u.c.id)
    pref_site = exists().where(AlertSite.user_id == u.c.id, AlertSite.site_id == shift.site_id)
    any_pref_grade = exists().where(AlertGrade.user_id == u.c.id)
    pref_grade = exists().where(AlertGrade.user_id == u.c.id, AlertGrade.grade_id == shift.grade_id)
    overlapping = (exists().where(Booking.doctor_id == u.c.id, Booking.status == "booked",
                                  Booking.shift_id == Shift.id, Shift.id != shift.id,
                                  Shift.start_at < shift.end_at, Shift.end_at > shift.start_at))
    already = exists().where(OutboxMessage.dedupe_key == literal(prefix) + cast(u.c.id, String))
    alerts_that_day = (select(func.count(OutboxMessage.id))
                       .where(OutboxMessage.user_id == u.c.id, OutboxMessage.kind.in_(CAPPED_KINDS),
                              OutboxMessage.send_after >= day_start, OutboxMessage.send_after < day_end)
                       .scalar_subquery())
    shift_rank = select(Grade.rank).where(Grade.id == shift.grade_id).scalar_subquery()
    return (
        select(u.c.id, u.c.mobile)
        .join(DoctorProfile, DoctorProfile.user_id == u.c.id)
        .join(Grade, Grade.id == DoctorProfile.grade_id)
        .where(u.c.active.is_(True), u.c.sms_opt_in.is_(True), u.c.mobile.is_not(None), has_role,
               Grade.rank >= shift_rank,
               or_(not_(any_site), this_site),
               valid_kinds == len(DOCUMENT_KINDS),
               not_(opted_out),
               or_(pref_days.is_(None), pref_days.op("&")(weekday_bit) != 0),
               or_(not_(any_pref_site), pref_site),
               or_(not_(any_pref_grade), pref_grade),
               not_(overlapping), not_(already),
               alerts_that_day < cap)
        .order_by(u.c.id)
    )


def _estimate(shift: Shift):
    """The pay estimate for the text (the same as the shift page's), or None when no card prices it yet."""
    estimate = estimate_pay(shift)
    return estimate.total if estimate is not None else None


def alert_text(shift: Shift, *, urgent: bool) -> str:
    return texts.shift_alert(grade=shift.grade.code, site=shift.site.name, start=shift.start_at,
                             end=shift.end_at, url=shift_url(shift.id), estimate=_estimate(shift), urgent=urgent)


def _timing(shift: Shift, now: datetime) -> tuple[datetime, bool]:
    """(when a text about ``shift`` may go, whether it is urgent): quiet hours wait unless it starts soon."""
    config = current_app.config
    send_after = alert_send_after(shift.start_at, now, quiet_start=config["QUIET_HOURS_START"],
                                  quiet_end=config["QUIET_HOURS_END"],
                                  urgent_within_hours=config["URGENT_SHIFT_WITHIN_HOURS"])
    return send_after, is_urgent(shift.start_at, now, config["URGENT_SHIFT_WITHIN_HOURS"])


def _alertable(shift: Shift | None, now: datetime) -> bool:
    return shift is not None and shift.status in ALERTABLE_STATUSES and shift.start_at > now


def fan_out_shift_alert(shift_id: int, *, now: datetime | None = None) -> int:
    """Queue an alert for ``shift_id`` to every eligible doctor; returns how many.

    Safe to call again: doctors already alerted for this shift are skipped.
    """
    now = now or now_utc()
    shift = db.session.get(Shift, shift_id)
    if not _alertable(shift, now):
        return 0
    send_after, urgent = _timing(shift, now)
    body = alert_text(shift, urgent=urgent)
    db.session.flush()
    query = eligible_doctors_query(shift, send_after=send_after,
                                   cap=current_app.config["MAX_SHIFT_ALERTS_PER_DOCTOR_PER_DAY"])
    written = _insert_alerts(query, shift_id=shift.id, body=body, send_after=send_after)
    log.info("shift %s: %s alerts queued (send after %s)", shift.id, written, send_after.isoformat())
    return written


def _insert_alerts(query, *, shift_id, body, send_after) -> int:
    """One INSERT … SELECT of the eligible doctors, skipping dedupe keys already used."""
    eligible = query.subquery()
    stamp = now_utc()
    rows = select(eligible.c.mobile, eligible.c.id, literal(body, Text), literal("shift_alert"),
                  literal(f"{ALERT_PREFIX}:{shift_id}:") + cast(eligible.c.id, String),
                  literal(send_after, UTCDateTime), literal("queued"), literal(0),
                  literal(stamp, UTCDateTime), literal(stamp, UTCDateTime)).where(eligible.c.id.is_not(None))
    table = OutboxMessage.__table__
    columns = ["to", "user_id", "body", "kind", "dedupe_key", "send_after", "status", "attempts", "created_at",
               "updated_at"]
    stmt = insert_ignoring_duplicates().from_select(columns, rows).returning(table.c.id)
    return len(db.session.execute(stmt).all())


# --- a coordinator's invitation ------------------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    """Who an invitation would text now, and when the texts go (after quiet hours unless urgent)."""

    recipients: list  # [(user id, mobile)]
    send_after: datetime
    urgent: bool

    @property
    def count(self) -> int:
        return len(self.recipients)


def invitation(shift: Shift, *, now: datetime | None = None) -> Invitation:
    """The doctors an invitation to ``shift`` would text now: the alert's rules, then the claim's own checks."""
    now = now or now_utc()
    if not _alertable(shift, now):
        return Invitation([], now, False)
    send_after, urgent = _timing(shift, now)
    query = eligible_doctors_query(shift, send_after=send_after, prefix=INVITE_PREFIX,
                                   cap=current_app.config["MAX_SHIFT_ALERTS_PER_DOCTOR_PER_DAY"])
    textable = db.session.execute(query).all()
    doctors = doctors_with_facts([user_id for user_id, _ in textable])
    reasons = for_shift(shift, doctors)
    return Invitation([(user_id, mobile) for user_id, mobile in textable if reasons.get(user_id) == []],
                      send_after, urgent)


def invite(shift: Shift, *, actor, message: str | None = None, now: datetime | None = None) -> tuple[int, datetime]:
    """Text every doctor who can take ``shift`` now and takes texts (see ``invitation``). Audited.

    Returns (texts queued, when they go).

    Each doctor is invited to a shift once; the texts count towards their daily cap.
    """
    now = now or now_utc()
    planned = invitation(shift, now=now)
    message = (message or "").strip() or None
    body = texts.shift_invite(grade=shift.grade.code, site=shift.site.name, start=shift.start_at, end=shift.end_at,
                              url=shift_url(shift.id), estimate=_estimate(shift), urgent=planned.urgent,
                              message=message)
    rows = [{"to": mobile, "user_id": user_id, "body": body, "kind": "shift_invite",
             "dedupe_key": alert_key(shift.id, user_id, INVITE_PREFIX), "send_after": planned.send_after}
            for user_id, mobile in planned.recipients]
    queued = enqueue_rows(rows, now=now)
    record_audit("shift.invited", "shift", shift.id, actor=actor,
                 after={"queued": queued, "message": message, "send_after": planned.send_after.isoformat()})
    log.info("shift %s: %s invitations queued by user %s", shift.id, queued, getattr(actor, "id", None))
    return queued, planned.send_after
