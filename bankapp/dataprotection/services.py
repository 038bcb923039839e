"""Data protection: a person's copy of their data, and anonymising a departed doctor.

``personal_data(user)`` gathers what Staff Bank holds about one person and
nothing about anyone else: staff who acted on their records appear as
"trust staff", never by name, and texts are included only when they were
addressed to this person.

``anonymise_user(user, actor=...)`` removes what identifies a departed
doctor (name, email, mobile, GMC number, documents, alert settings, texts,
tokens, calendar feed) but keeps the ESR assignment number, bookings,
timesheets and pay lines, so payroll history still reconciles. Audit events
are kept as they are: the trail is hash-chained and held under the trust's
records retention schedule, and the anonymisation itself is audited without
repeating the removed details.
"""
import logging
import secrets
from decimal import Decimal

from ..audit.models import AuditEvent
from ..audit.services import record_audit
from ..auth.models import ApiToken, User
from ..auth.services import hash_password, revoke_all_tokens
from ..auth.sessions import end_sessions
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..joining.applications import redact_applications
from ..money import hours_str, money_str
from ..notifications.models import AlertGrade, AlertPreference, AlertSite, OutboxMessage
from ..org.models import Site
from ..shifts.models import Booking, Shift
from ..staff.models import ComplianceDocument
from ..staff.storage import delete_after_commit
from ..timesheets.models import Timesheet
from ..timeutil import format_london, now_utc

log = logging.getLogger(__name__)

REDACTED_NUMBER = "redacted"
REDACTED_BODY = "(removed when the recipient was anonymised)"


def _iso_date(value):
    return value.isoformat() if value else None


def _profile(user):
    return {"id": user.id, "email": user.email, "name": user.name, "mobile": user.mobile,
            "sms_opt_in": user.sms_opt_in, "active": user.active, "created_at": format_london(user.created_at),
            "anonymised_at": format_london(user.anonymised_at), "roles": user.role_names}


def _doctor_profile(user):
    profile = user.doctor_profile
    if profile is None:
        return None
    grade = profile.grade
    return {"grade": {"code": grade.code, "name": grade.name} if grade else None,
            "esr_assignment_number": profile.esr_assignment_number, "gmc_number": profile.gmc_number,
            "calendar_feed_enabled": bool(profile.calendar_token)}


def _sites(user):
    if not user.site_ids:
        return []
    rows = db.session.execute(db.select(Site).where(Site.id.in_(user.site_ids)).order_by(Site.code)).scalars()
    return [{"id": s.id, "code": s.code, "name": s.name} for s in rows]


def _documents(user):
    rows = db.session.execute(db.select(ComplianceDocument).filter_by(user_id=user.id)
                              .order_by(ComplianceDocument.id)).scalars()
    return [{"id": d.id, "kind": d.kind, "expires_on": _iso_date(d.expires_on), "reference": d.reference,
             "added_at": format_london(d.created_at)} for d in rows]


def _shift(shift):
    return {"id": shift.id, "site": shift.site.name, "department": shift.department.name, "grade": shift.grade.code,
            "start": format_london(shift.start_at), "end": format_london(shift.end_at), "status": shift.status,
            "hourly_rate": money_str(shift.hourly_rate) if shift.hourly_rate is not None else None}


def _bookings(user):
    rows = db.session.execute(db.select(Booking).filter_by(doctor_id=user.id).order_by(Booking.id)).scalars().all()
    return [{"id": b.id, "status": b.status, "source": b.source, "booked_at": format_london(b.created_at),
             "cancelled_at": format_london(b.cancelled_at), "cancel_reason": b.cancel_reason,
             "override_reason": b.override_reason, "shift": _shift(b.shift)} for b in rows]


def _timesheets(user):
    rows = db.session.execute(db.select(Timesheet).filter_by(doctor_id=user.id).order_by(Timesheet.id)).scalars()
    out = []
    for ts in rows:
        lines = [{"band": line.band, "hours": hours_str(line.minutes), "rate": money_str(line.rate),
                  "amount": money_str(line.amount)} for line in ts.pay_lines]
        total = sum((line.amount for line in ts.pay_lines), Decimal(0)) if ts.pay_lines else None
        out.append({"id": ts.id, "booking_id": ts.booking_id, "status": ts.status,
                    "actual_start": format_london(ts.actual_start), "actual_end": format_london(ts.actual_end),
                    "break_minutes": ts.break_minutes, "note": ts.note, "query_note": ts.query_note,
                    "decision_note": ts.decision_note, "submitted_at": format_london(ts.submitted_at),
                    "approved_at": format_london(ts.approved_at), "late": ts.late,
                    "sent_to_payroll": ts.exported_batch_id is not None,
                    "pay_lines": lines, "pay_total": money_str(total) if total is not None else None})
    return out


def _alert_settings(user):
    pref = db.session.get(AlertPreference, user.id)
    site_ids = db.session.execute(db.select(AlertSite.site_id).filter_by(user_id=user.id)).scalars().all()
    grade_ids = db.session.execute(db.select(AlertGrade.grade_id).filter_by(user_id=user.id)).scalars().all()
    if pref is None and not site_ids and not grade_ids:
        return None
    return {"days_mask": pref.days if pref else None, "site_ids": sorted(site_ids), "grade_ids": sorted(grade_ids)}


def _own_messages_filter(user):
    """Texts addressed to this person: theirs by user id, or to their number with no other addressee."""
    cond = OutboxMessage.user_id == user.id
    if user.mobile:
        cond = db.or_(cond, db.and_(OutboxMessage.user_id.is_(None), OutboxMessage.to == user.mobile))
    return OutboxMessage, cond


def _messages(user):
    OutboxMessage, cond = _own_messages_filter(user)
    rows = db.session.execute(db.select(OutboxMessage).where(cond).order_by(OutboxMessage.id)).scalars()
    return [{"id": m.id, "to": m.to, "body": m.body, "kind": m.kind, "status": m.status,
             "created_at": format_london(m.created_at), "sent_at": format_london(m.sent_at)} for m in rows]


def _about_user_filter(user, booking_ids, timesheet_ids, document_ids, token_ids):
    def about(entity_type, ids):
        return db.and_(AuditEvent.entity_type == entity_type, AuditEvent.entity_id.in_([str(i) for i in ids]))

    return db.or_(about("user", [user.id]), about("booking", booking_ids), about("timesheet", timesheet_ids),
                  about("compliance_document", document_ids), about("api_token", token_ids))


def _audit_events(user, data):
    token_ids = db.session.execute(db.select(ApiToken.id).filter_by(user_id=user.id)).scalars().all()
    cond = _about_user_filter(user, [b["id"] for b in data["bookings"]], [t["id"] for t in data["timesheets"]],
                              [d["id"] for d in data["documents"]], token_ids)
    rows = db.session.execute(db.select(AuditEvent).where(cond).order_by(AuditEvent.id)).scalars()
    return [{"id": e.id, "at": format_london(e.at), "action": e.action, "entity_type": e.entity_type,
             "entity_id": e.entity_id, "by": _who(e.actor_id, user), "before": e.before, "after": e.after}
            for e in rows]


def _who(actor_id, user):
    if actor_id is None:
        return "system"
    return "you" if actor_id == user.id else "trust staff"


def personal_data(user) -> dict:
    """Everything held about ``user``, as JSON-ready values (times in London time, money as strings)."""
    data = {
        "generated_at": format_london(now_utc()),
        "profile": _profile(user),
        "sites": _sites(user),
        "doctor_profile": _doctor_profile(user),
        "documents": _documents(user),
        "bookings": _bookings(user),
        "timesheets": _timesheets(user),
        "alert_settings": _alert_settings(user),
        "messages": _messages(user),
    }
    data["audit_events"] = _audit_events(user, data)
    return data


def record_export(user, *, actor):
    """Note in the audit trail that a copy of someone's data was given out."""
    record_audit("personal_data.exported", "user", user.id, actor=actor)


# ---- anonymisation ---------------------------------------------------------------

def future_bookings(user):
    """Live bookings of ``user`` whose shift has not ended yet, soonest first."""
    return db.session.execute(
        db.select(Booking).join(Shift, Shift.id == Booking.shift_id)
        .where(Booking.doctor_id == user.id, Booking.status == "booked", Shift.end_at > now_utc())
        .order_by(Shift.start_at)).scalars().all()


def _refuse_future_bookings(user):
    bookings = future_bookings(user)
    if not bookings:
        return
    reasons = [{"code": "future_booking",
                "message": f"Booking {b.id}: shift {b.shift_id} at {b.shift.site.name}, "
                           f"{b.shift.department.name}, starting {format_london(b.shift.start_at)}."}
               for b in bookings]
    raise Conflict(f"{user.name} still has {len(bookings)} future booking(s). Cancel or reassign them first: "
                   + " ".join(r["message"] for r in reasons), reasons=reasons)


def _remove_personal_rows(user) -> dict:
    counts = {"documents_removed": 0, "tokens_revoked": 0, "alert_settings_removed": 0, "messages_redacted": 0}
    files = list(db.session.execute(db.select(ComplianceDocument.file_key).where(
        ComplianceDocument.user_id == user.id)).scalars())
    counts["documents_removed"] = db.session.execute(
        db.delete(ComplianceDocument).where(ComplianceDocument.user_id == user.id)).rowcount
    files += redact_applications(user)
    counts["files_removed"] = delete_after_commit(files)
    counts["tokens_revoked"] = revoke_all_tokens(user.id)

    for model in (AlertPreference, AlertSite, AlertGrade):
        counts["alert_settings_removed"] += db.session.execute(
            db.delete(model).where(model.user_id == user.id)).rowcount
    OutboxMessage, cond = _own_messages_filter(user)
    db.session.execute(db.update(OutboxMessage).where(cond, OutboxMessage.status.in_(("queued", "sending")))
                       .values(status="suppressed"))
    counts["messages_redacted"] = db.session.execute(
        db.update(OutboxMessage).where(cond).values(to=REDACTED_NUMBER, body=REDACTED_BODY)).rowcount
    return counts


def anonymise_user(user: User, *, actor, reason=None) -> User:
    """Replace what identifies ``user`` with placeholders; keep what payroll needs. Never commits."""
    if actor is not None and getattr(actor, "id", None) == user.id:
        raise ValidationFailed("You cannot anonymise your own account.",
                               errors={"user_id": ["You cannot anonymise your own account."]})
    if user.anonymised_at is not None:
        raise Conflict(f"User {user.id} was already anonymised on {format_london(user.anonymised_at)}.")
    _refuse_future_bookings(user)
    counts = _remove_personal_rows(user)  # before the mobile goes: texts are matched by number too
    user.name = f"Anonymised person {user.id}"
    user.email = f"anonymised-{user.id}@anonymised.invalid"
    user.mobile = None
    user.sms_opt_in = False
    user.active = False
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    user.anonymised_at = now_utc()
    end_sessions(user)
    if user.doctor_profile is not None:
        user.doctor_profile.gmc_number = None
        user.doctor_profile.calendar_token = None
    db.session.flush()
    record_audit("user.anonymised", "user", user.id, actor=actor,
                 after={**counts, "reason": reason, "kept": ["esr_assignment_number", "bookings", "timesheets",
                                                             "pay_lines"]})
    log.info("user %s anonymised by %s", user.id, getattr(actor, "id", None))
    return user
