"""Scheduled texts: evening-before reminders, timesheet chasers, approver
reminders before the payroll cut-off and document expiry warnings.

Each job takes ``now`` and decides for itself what is due at that moment, so
``bank run-jobs --now …`` can run all of them with one clock. Each is safe to
run twice: every text has a dedupe key. Each finds its recipients with one
query and queues them with one statement.
"""
import logging
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import exists, func, not_, select

from ..auth.models import User, UserRole, UserSite
from ..extensions import db
from ..org.models import Department, Site
from ..shifts.models import Booking, Shift
from ..staff.documents import DOCUMENT_WORDS
from ..staff.models import ComplianceDocument
from ..staff.verification import MY_DOCUMENTS_PATH
from ..timesheets.models import Timesheet
from ..timesheets.rules import next_cutoff
from ..timesheets.services import cutoff_settings
from ..timeutil import LONDON, now_utc, to_london
from . import texts
from .rules import parse_clock, quiet_hours_over
from .services import enqueue_rows, public_url, shift_url, textable

log = logging.getLogger(__name__)

REMINDER_FROM = time(18, 0)
CHASE_AFTER = timedelta(hours=2)
CHASE_FOR = timedelta(days=7)  # stop chasing a week after the shift
APPROVER_REMINDER_DAYS_BEFORE = (3, 1)  # Friday and Sunday before a Monday cut-off
APPROVER_REMINDER_FROM = time(10, 0)
EXPIRY_WARNINGS = (30, 7)

_users = User.__table__


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON)


def _quiet(now):
    config = current_app.config
    return quiet_hours_over(now, config["QUIET_HOURS_START"], config["QUIET_HOURS_END"])


def _bank_bookings():
    return (select(Booking.id, Shift.id, Shift.start_at, Shift.end_at, Site.name, Department.name,
                   _users.c.id, _users.c.mobile)
            .join(Shift, Shift.id == Booking.shift_id).join(Site, Site.id == Shift.site_id)
            .join(Department, Department.id == Shift.department_id).join(_users, _users.c.id == Booking.doctor_id)
            .where(Booking.source == "bank", *textable(_users)))


def send_shift_reminders(now: datetime | None = None) -> int:
    """From 18:00 until quiet hours, remind doctors booked on a shift that starts tomorrow."""
    now = now or now_utc()
    local = to_london(now)
    quiet_start = parse_clock(current_app.config["QUIET_HOURS_START"])
    if not REMINDER_FROM <= local.time() < quiet_start:
        return 0
    tomorrow = local.date() + timedelta(days=1)
    query = _bank_bookings().where(Booking.status == "booked", Shift.status == "booked",
                                   Shift.start_at >= _midnight(tomorrow),
                                   Shift.start_at < _midnight(tomorrow + timedelta(days=1)))
    rows = [{"to": mobile, "user_id": user_id, "kind": "reminder", "dedupe_key": f"reminder:{booking_id}",
             "body": texts.reminder(site=site, department=dept, start=start, end=end, url=shift_url(shift_id))}
            for booking_id, shift_id, start, end, site, dept, user_id, mobile in db.session.execute(query)]
    return enqueue_rows(rows, now=now)


def send_timesheet_chasers(now: datetime | None = None) -> int:
    """Chase a timesheet 2 hours after a bank shift ends without one (once per booking)."""
    now = now or now_utc()
    query = _bank_bookings().where(Booking.status.in_(("booked", "completed")),
                                   Shift.status.in_(("booked", "completed")),
                                   Shift.end_at <= now - CHASE_AFTER, Shift.end_at > now - CHASE_FOR,
                                   not_(exists().where(Timesheet.booking_id == Booking.id)))
    send_after = _quiet(now)
    rows = [{"to": mobile, "user_id": user_id, "kind": "timesheet_chaser", "send_after": send_after,
             "dedupe_key": f"timesheet-chaser:{booking_id}",
             "body": texts.timesheet_chaser(site=site, start=start, end=end, url=shift_url(shift_id))}
            for booking_id, shift_id, start, end, site, _dept, user_id, mobile in db.session.execute(query)]
    return enqueue_rows(rows, now=now)


def next_payroll_cutoff(now: datetime) -> datetime:
    """The next weekly payroll cut-off after ``now``, in London time (the timesheets' own rule)."""
    return to_london(next_cutoff(now, **cutoff_settings()))


def send_approver_reminders(now: datetime | None = None) -> int:
    """Friday and Sunday before the Monday cut-off, tell approvers what waits at their sites."""
    now = now or now_utc()
    local, cutoff = to_london(now), next_payroll_cutoff(now)
    days_before = (cutoff.date() - local.date()).days
    quiet_start = parse_clock(current_app.config["QUIET_HOURS_START"])
    if days_before not in APPROVER_REMINDER_DAYS_BEFORE or not APPROVER_REMINDER_FROM <= local.time() < quiet_start:
        return 0
    waiting = dict(db.session.execute(
        select(Shift.site_id, func.count(Timesheet.id)).join(Booking, Booking.id == Timesheet.booking_id)
        .join(Shift, Shift.id == Booking.shift_id).where(Timesheet.status == "submitted").group_by(Shift.site_id)
    ).all())
    if not waiting:
        return 0
    site_names = dict(db.session.execute(select(Site.id, Site.name).where(Site.id.in_(waiting))).all())
    approvers = db.session.execute(
        select(_users.c.id, _users.c.mobile, UserSite.site_id).join(UserSite, UserSite.user_id == _users.c.id)
        .where(UserSite.site_id.in_(waiting), *textable(_users),
               exists().where(UserRole.user_id == _users.c.id, UserRole.role == "approver"))
        .order_by(_users.c.id, UserSite.site_id)).all()
    by_user = {}
    for user_id, mobile, site_id in approvers:
        by_user.setdefault((user_id, mobile), []).append(site_id)
    rows = [{"to": mobile, "user_id": user_id, "kind": "approver_reminder",
             "dedupe_key": f"approver-cutoff:{cutoff.date().isoformat()}:{days_before}:{user_id}",
             "body": texts.approver_reminder(count=sum(waiting[s] for s in sites),
                                             sites=[site_names[s] for s in sites], cutoff=cutoff,
                                             url=public_url("/timesheets"))}
            for (user_id, mobile), sites in by_user.items()]
    return enqueue_rows(rows, now=now)


def send_document_expiry_warnings(now: datetime | None = None) -> int:
    """Warn a doctor 30 and 7 days before the compliance document that counts for their claims runs out.

    Only the verified document with the latest expiry of each kind counts. A
    doctor who has already renewed it (a newer verified document, or an upload
    still waiting for verification) is not warned; a rejected upload does not
    count as renewing. Each warning goes once per document: the 30-day one when
    30 days or fewer are left (and more than 7), the 7-day one from 7 days left;
    a document first recorded 5 days before it expires gets only the 7-day one.
    The text links to My documents, where the doctor uploads the new evidence.
    """
    now = now or now_utc()
    today = to_london(now).date()
    newer = ComplianceDocument.__table__.alias("newer")
    doc = ComplianceDocument
    send_after = _quiet(now)
    renewed = exists().where(newer.c.user_id == doc.user_id, newer.c.kind == doc.kind,
                             newer.c.status.in_(("verified", "awaiting_verification")),
                             newer.c.expires_on > doc.expires_on)
    rows, lower = [], today
    for days in sorted(EXPIRY_WARNINGS):
        upper = today + timedelta(days=days)
        query = (select(doc.id, doc.kind, doc.expires_on, _users.c.id, _users.c.mobile)
                 .join(_users, _users.c.id == doc.user_id)
                 .where(doc.status == "verified", doc.expires_on >= lower, doc.expires_on <= upper,
                        *textable(_users),
                        exists().where(UserRole.user_id == _users.c.id, UserRole.role == "doctor"),
                        not_(renewed)))
        for doc_id, kind, expires_on, user_id, mobile in db.session.execute(query):
            rows.append({"to": mobile, "user_id": user_id, "kind": "doc_expiry", "send_after": send_after,
                         "dedupe_key": f"doc-expiry:{doc_id}:{days}",
                         "body": texts.doc_expiry(document=DOCUMENT_WORDS[kind], expires_on=expires_on,
                                                  days_left=(expires_on - today).days,
                                                  url=public_url(MY_DOCUMENTS_PATH))})
        lower = upper + timedelta(days=1)
    return enqueue_rows(rows, now=now)
