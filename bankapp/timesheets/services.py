"""Timesheet workflows: submit, amend, approve (with pay), query, reject, bulk approve.

Services never commit: the request (or job, or CLI) commits once at the edge.
Each change writes an audit event in the same transaction and emits a
``timesheet.*`` domain event (see ``bankapp/events.py``).

Who may act:
- a bank booking's timesheet is submitted and amended by the booked doctor;
- an agency booking's timesheet (the locum has no login) by a coordinator of
  the shift's site, on the locum's behalf;
- an approver of the shift's site decides, never on a timesheet that is their
  own or that they entered themselves.

Approval prices the *actual* times with the rates that price the shift (its
flat rate, else the card in force at its start, whenever that card was
published; an agency locum at the agreed charge rate) and stores the pay
lines; they never change afterwards, whatever card is published later.
"""
import logging

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_audit, record_breach
from ..auth import duties
from ..auth.permissions import can_act_on_site
from ..errors import Conflict, Forbidden, RuleRefused, ValidationFailed, violated
from ..events import emit
from ..extensions import db
from ..rates.services import price
from ..shifts.pricing import rates_for_shift
from ..timeutil import format_london, london_text, now_utc
from . import rules
from .models import PayLine, Timesheet

log = logging.getLogger(__name__)

UNIQUE_BOOKING = "uq_timesheets_booking_id"
STATUS_WORDS = {"approved": "has already been approved", "rejected": "has been rejected",
                "queried": "has been queried and is waiting for the doctor",
                "submitted": "is waiting for an approver"}


# --- settings and small helpers ------------------------------------------------


def cutoff_settings() -> dict:
    """Keyword arguments for the cut-off rules from PAYROLL_CUTOFF_WEEKDAY/TIME."""
    cfg = current_app.config
    return {"weekday": int(cfg.get("PAYROLL_CUTOFF_WEEKDAY", 0)),
            "at": rules.parse_cutoff_time(cfg.get("PAYROLL_CUTOFF_TIME", "09:00"))}


def _snapshot(ts: Timesheet) -> dict:
    return {"status": ts.status, "actual_start": ts.actual_start, "actual_end": ts.actual_end,
            "break_minutes": ts.break_minutes, "note": ts.note, "query_note": ts.query_note,
            "decision_note": ts.decision_note, "late": ts.late}


def _clean_note(note):
    note = (note or "").strip()
    return note or None


def _lock(ts: Timesheet) -> Timesheet:
    """Re-read the timesheet under a row lock (PostgreSQL) before changing its status."""
    return db.session.execute(
        db.select(Timesheet).where(Timesheet.id == ts.id).with_for_update(of=Timesheet)
        .execution_options(populate_existing=True)
    ).unique().scalar_one()


def _require_status(ts: Timesheet, *allowed: str):
    if ts.status not in allowed:
        raise Conflict(f"Timesheet {ts.id} {STATUS_WORDS.get(ts.status, 'cannot change')}.",
                       title="Timesheet cannot change")


# --- permissions ---------------------------------------------------------------


def may_enter(booking, actor) -> bool:
    """The booked doctor, or for an agency locum a coordinator of the site."""
    if actor is None:
        return False
    if booking.source == "agency":
        return actor.has_role("coordinator") and can_act_on_site(actor, booking.shift.site_id, "coordinator")
    return booking.doctor_id is not None and booking.doctor_id == actor.id


def require_may_enter(booking, actor):
    if not may_enter(booking, actor):
        if booking.source == "agency":
            raise Forbidden("Only a coordinator of this site enters an agency locum's timesheet.")
        raise Forbidden("Only the booked doctor can submit this timesheet.")


def _duty(ts: Timesheet) -> dict:
    """Separation of duties: the timesheet concerns its doctor, and was entered by its submitter."""
    return {"requested_by_id": ts.submitted_by_id, "concerns_user_id": ts.doctor_id}


def may_decide(ts: Timesheet, actor) -> bool:
    return (actor is not None and actor.has_role("approver") and can_act_on_site(actor, ts.site_id, "approver")
            and duties.may_decide(actor, **_duty(ts)))


def require_may_decide(ts: Timesheet, actor):
    """403 ``own_request`` for the doctor's own timesheet (or one the actor entered), 403 off site or role."""
    duties.ensure_not_own(actor, **_duty(ts), what="this timesheet")
    if not may_decide(ts, actor):
        raise Forbidden("Only an approver of this site can decide on this timesheet.")


# --- doctor side ---------------------------------------------------------------


def _check_times(booking, *, actual_start, actual_end, break_minutes, note):
    shift = booking.shift
    errors = rules.check_actual_times(booked_start=shift.start_at, booked_end=shift.end_at,
                                      actual_start=actual_start, actual_end=actual_end,
                                      break_minutes=break_minutes, note=note, now=now_utc())
    if errors:
        raise ValidationFailed("Some of the times are not right.", errors=errors)


def submit_timesheet(booking, *, actor, actual_start, actual_end, break_minutes=0, note=None) -> Timesheet:
    """A new timesheet for ``booking`` (403 not theirs, 409 second one, 422 too early or bad times)."""
    require_may_enter(booking, actor)
    existing = db.session.execute(db.select(Timesheet.id).filter_by(booking_id=booking.id)).scalar()
    if existing is not None:
        raise Conflict("A timesheet has already been submitted for this booking.",
                       title="Timesheet already submitted")
    shift = booking.shift
    reasons = []
    if booking.status == "cancelled":
        reasons.append({"code": "booking_cancelled", "message": "This booking was cancelled."})
    if not rules.shift_has_ended(shift.end_at, now_utc()):
        reasons.append({"code": "shift_not_ended",
                        "message": f"The shift ends at {format_london(shift.end_at)}; "
                                   "submit the timesheet after it has ended."})
    if reasons:
        raise RuleRefused("This timesheet cannot be submitted yet.", reasons=reasons)
    note = _clean_note(note)
    _check_times(booking, actual_start=actual_start, actual_end=actual_end, break_minutes=break_minutes, note=note)
    ts = Timesheet(booking_id=booking.id, doctor_id=booking.doctor_id, site_id=shift.site_id, status="submitted",
                   actual_start=actual_start, actual_end=actual_end, break_minutes=break_minutes, note=note,
                   submitted_by_id=actor.id, submitted_at=now_utc())
    db.session.add(ts)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the edge (or the page's attempt()) rolls the failed flush back
        if violated(exc, UNIQUE_BOOKING, columns="timesheets.booking_id"):
            raise Conflict("A timesheet has already been submitted for this booking.",
                           title="Timesheet already submitted") from None
        raise
    record_audit("timesheet.submitted", "timesheet", ts.id, actor=actor, after=_snapshot(ts))
    emit("timesheet.submitted", timesheet=ts, actor=actor)
    return ts


AMENDABLE = ("actual_start", "actual_end", "break_minutes", "note")


def amend_timesheet(ts, *, actor, **changes) -> Timesheet:
    """The doctor's answer to a query: new times, back to ``submitted``.

    Only the fields given change (``actual_start``, ``actual_end``,
    ``break_minutes``, ``note``); the others keep their values, and the
    whole timesheet is checked again as it will stand.
    """
    unknown = sorted(set(changes) - set(AMENDABLE))
    if unknown:
        raise ValidationFailed("Some fields cannot be changed here.",
                               errors={f: ["Cannot be changed here."] for f in unknown})
    require_may_enter(ts.booking, actor)
    ts = _lock(ts)
    _require_status(ts, "queried")
    values = {"actual_start": ts.actual_start, "actual_end": ts.actual_end, "break_minutes": ts.break_minutes,
              "note": ts.note, **changes}
    values["note"] = _clean_note(values["note"])
    _check_times(ts.booking, **values)
    before = _snapshot(ts)
    ts.actual_start, ts.actual_end = values["actual_start"], values["actual_end"]
    ts.break_minutes, ts.note = values["break_minutes"], values["note"]
    ts.status = "submitted"
    # The pay run it is due for follows the latest submission.
    ts.submitted_at = now_utc()
    db.session.flush()
    record_audit("timesheet.amended", "timesheet", ts.id, actor=actor, before=before, after=_snapshot(ts))
    emit("timesheet.submitted", timesheet=ts, actor=actor)
    return ts


# --- approver side -------------------------------------------------------------


def rates_for(ts: Timesheet):
    """(card rates, flat rate) for a timesheet: agency locums at their agreed charge rate."""
    booking = ts.booking
    if booking.source == "agency" and booking.charge_rate is not None:
        return None, booking.charge_rate
    return rates_for_shift(booking.shift)


def price_timesheet(ts: Timesheet):
    """The pay breakdown of the actual times (rates.rules.PayBreakdown)."""

    card_rates, flat_rate = rates_for(ts)
    if card_rates is None and flat_rate is None:
        raise RuleRefused("There is no rate to pay this timesheet with.",
                          reasons=[{"code": "no_rate_card",
                                    "message": "No rate card is in force for this shift and it has no flat rate."}])
    return price(ts.actual_start, ts.actual_end, rates=card_rates, flat_rate=flat_rate,
                 break_minutes=ts.break_minutes)


def _approve_locked(ts: Timesheet, *, actor, note=None) -> Timesheet:
    before = _snapshot(ts)
    breakdown = price_timesheet(ts)
    for position, line in enumerate(breakdown.lines):
        ts.pay_lines.append(PayLine(position=position, band=line.band, minutes=line.minutes, rate=line.rate,
                                    amount=line.amount))
    now = now_utc()
    ts.status, ts.decided_by_id, ts.decided_at, ts.approved_at = "approved", actor.id, now, now
    ts.decision_note = _clean_note(note)
    ts.late = rules.is_late(submitted_at=ts.submitted_at, approved_at=now, **cutoff_settings())
    db.session.flush()
    if ts.late:
        due = rules.due_cutoff(ts.submitted_at, **cutoff_settings())
        record_breach("late_timesheet", site_id=ts.site_id, shift_id=ts.booking.shift_id, approved_by=actor,
                      reason=f"Approved after the pay-run cut-off of {london_text(due)}.",
                      source_type="timesheet", source_id=ts.id, at=now)
    record_audit("timesheet.approved", "timesheet", ts.id, actor=actor, before=before,
                 after={**_snapshot(ts), "pay": breakdown.as_dict()})
    emit("timesheet.approved", timesheet=ts, actor=actor)
    return ts


def approve_timesheet(ts, *, actor, note=None) -> Timesheet:
    """Approve and store the pay lines; late (and a breach) after the pay-run cut-off."""
    require_may_decide(ts, actor)
    ts = _lock(ts)
    _require_status(ts, "submitted")
    return _approve_locked(ts, actor=actor, note=note)


def _decide(ts, *, actor, note, status, event, need_note_message):
    require_may_decide(ts, actor)
    note = _clean_note(note)
    if note is None:
        raise ValidationFailed("A note is needed.", errors={"note": [need_note_message]})
    ts = _lock(ts)
    _require_status(ts, "submitted")
    before = _snapshot(ts)
    ts.status, ts.decided_by_id, ts.decided_at = status, actor.id, now_utc()
    if status == "queried":
        ts.query_note = note
    else:
        ts.decision_note = note
    db.session.flush()
    record_audit(event, "timesheet", ts.id, actor=actor, before=before, after=_snapshot(ts))
    emit(event, timesheet=ts, actor=actor)
    return ts


def query_timesheet(ts, *, actor, note) -> Timesheet:
    """Send it back to the doctor with a question (a note is required)."""
    return _decide(ts, actor=actor, note=note, status="queried", event="timesheet.queried",
                   need_note_message="Say what the doctor needs to check or change.")


def reject_timesheet(ts, *, actor, note) -> Timesheet:
    """Refuse it for good (a note is required: the doctor is told why)."""
    return _decide(ts, actor=actor, note=note, status="rejected", event="timesheet.rejected",
                   need_note_message="Say why the timesheet is rejected.")


def unchanged(ts: Timesheet) -> bool:
    shift = ts.booking.shift
    return rules.is_unchanged(booked_start=shift.start_at, booked_end=shift.end_at, actual_start=ts.actual_start,
                              actual_end=ts.actual_end, break_minutes=ts.break_minutes)


def bulk_approve(ids, *, actor) -> list[Timesheet]:
    """Approve several unchanged timesheets at once, all or none.

    Every id must be a submitted timesheet the actor may decide on, worked
    exactly as booked with no break; otherwise nothing is approved and every
    reason is listed.
    """
    ids = sorted(set(ids))
    if not ids:
        raise ValidationFailed("Choose at least one timesheet.", errors={"ids": ["Choose at least one timesheet."]})
    rows = db.session.execute(
        db.select(Timesheet).where(Timesheet.id.in_(ids)).order_by(Timesheet.id).with_for_update(of=Timesheet)
        .execution_options(populate_existing=True)
    ).unique().scalars().all()
    found = {ts.id: ts for ts in rows}
    reasons = []
    for ts_id in ids:
        ts = found.get(ts_id)
        own = duties.own_request_reason(actor, **_duty(ts), what=f"timesheet {ts_id}") if ts is not None else None
        if ts is None or not (may_decide(ts, actor) or own):
            reasons.append({"code": "not_found", "message": f"Timesheet {ts_id} is not in your queue."})
        elif own:
            reasons.append(own)
        elif ts.status != "submitted":
            reasons.append({"code": "not_submitted", "message": f"Timesheet {ts_id} {STATUS_WORDS[ts.status]}."})
        elif not unchanged(ts):
            reasons.append({"code": "changed", "message": f"Timesheet {ts_id} differs from the booked times: "
                                                          "review it on its own."})
    if reasons:
        raise RuleRefused("Nothing was approved.", reasons=reasons)
    return [_approve_locked(found[ts_id], actor=actor) for ts_id in ids]
