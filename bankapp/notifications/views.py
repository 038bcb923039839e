"""Pages: the admin outbox and a doctor's SMS alert settings."""
import logging

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from ..auth.permissions import page_roles
from ..errors import DomainError
from ..extensions import db
from ..nav import register_nav
from ..org.models import Grade, Site
from ..transactions import attempt
from . import services
from .api import search_messages
from .models import MESSAGE_KINDS, MESSAGE_STATUSES, OutboxMessage
from .webhook import bp as webhook_bp

log = logging.getLogger(__name__)
bp = Blueprint("notifications", __name__)
BLUEPRINTS = [bp, webhook_bp]

register_nav("Alerts", "notifications.alerts", "doctor", order=60)
register_nav("Messages", "notifications.messages", "admin", order=86)

PAGE_SIZE = 50
STATUS_LABELS = {"queued": "Queued", "sending": "Sending", "sent": "Sent", "delivered": "Delivered",
                 "failed": "Failed", "suppressed": "Not sent (opted out)"}
KIND_LABELS = {"shift_alert": "Shift alert", "booking_confirmed": "Booking confirmed",
               "booking_cancelled": "Booking cancelled", "booking_repriced": "Booking re-priced",
               "reminder": "Shift reminder",
               "timesheet_chaser": "Timesheet chaser", "approver_reminder": "Approver reminder",
               "doc_expiry": "Document expiry", "breach_digest": "Weekly breach digest", "test": "Test message",
               "shift_changed": "Shift changed", "password_reset": "Password reset code",
               "shift_invite": "Invitation to a shift"}
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _int_list(name):
    out = []
    for value in request.form.getlist(name):
        try:
            out.append(int(value))
        except ValueError:
            continue
    return out


def _field_errors(exc: DomainError):
    if not exc.errors:
        return {"_form": [exc.detail]}
    return {k: (v if isinstance(v, list) else [v]) for k, v in exc.errors.items()}


@bp.get("/admin/messages")
@page_roles("admin")
def messages():
    """The outbox, newest first, searchable by number, status and kind."""
    filters = {k: (request.args.get(k) or "").strip() or None for k in ("to", "status", "kind")}
    if filters["status"] not in (None, *MESSAGE_STATUSES):
        filters["status"] = None
    stmt = search_messages(**filters)
    before = request.args.get("before", type=int)
    if before:
        stmt = stmt.where(OutboxMessage.id < before)
    rows = db.session.execute(stmt.order_by(OutboxMessage.id.desc()).limit(PAGE_SIZE + 1)).scalars().all()
    next_url = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        next_url = url_for("notifications.messages", before=rows[-1].id, **{k: v for k, v in filters.items() if v})
    return render_template("notifications/messages.html", messages=rows, filters=filters, next_url=next_url,
                           status_options=[(s, STATUS_LABELS.get(s, s)) for s in MESSAGE_STATUSES],
                           kind_options=[(k, KIND_LABELS.get(k, k)) for k in MESSAGE_KINDS],
                           status_labels=STATUS_LABELS, kind_labels=KIND_LABELS)


@bp.post("/admin/messages/<int:message_id>/retry")
@page_roles("admin")
def retry(message_id):
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        flash("That message no longer exists.", "error")
    else:
        try:
            with attempt():
                services.retry_message(message, actor=g.actor)
        except DomainError as exc:
            flash(exc.detail, "error")
        else:
            flash(f"Message {message_id} to {message.to} is queued again.", "success")
    back = {k: v for k in ("to", "status", "kind") if (v := request.form.get(k))}
    return redirect(url_for("notifications.messages", **back))


def _alert_choices(user):
    own = user.doctor_profile.grade if user.doctor_profile else None
    grades = db.session.execute(db.select(Grade).order_by(Grade.rank)).scalars().all()
    allowed_sites = set(user.site_ids)
    sites = [s for s in db.session.execute(db.select(Site).order_by(Site.name)).scalars()
             if not allowed_sites or s.id in allowed_sites]
    return {
        "site_options": [(s.id, s.name) for s in sites],
        "grade_options": [(gr.id, f"{gr.code} - {gr.name}") for gr in grades if own is None or gr.rank <= own.rank],
        "day_options": list(enumerate(DAY_NAMES)),
        "own_grade": own,
    }


@bp.route("/profile/alerts", methods=["GET", "POST"])
@page_roles("doctor")
def alerts():
    user = g.actor
    errors = {}
    if request.method == "POST":
        form = {"mobile": request.form.get("mobile", ""), "sms_opt_in": request.form.get("sms_opt_in") == "yes",
                "site_ids": _int_list("sites"), "grade_ids": _int_list("grades"), "days": _int_list("days")}
        try:
            with attempt():
                services.update_alert_settings(user, **form, actor=user)
        except DomainError as exc:
            errors = _field_errors(exc)
            settings = {**form, "number_opted_out": False}
        else:
            flash("Your text alert settings are saved.", "success")
            return redirect(url_for("notifications.alerts"))
    else:
        settings = services.alert_settings(user)
    status = 422 if errors else 200
    return render_template("notifications/alerts.html", settings=settings, errors=errors,
                           **_alert_choices(user)), status


@bp.post("/profile/alerts/test")
@page_roles("doctor")
def test_message():
    user = g.actor
    try:
        with attempt():
            services.send_test_message(user, actor=user)
    except DomainError as exc:
        flash(" ".join(m for msgs in (exc.errors or {}).values() for m in msgs) or exc.detail, "error")
    else:
        flash(f"A test text is on its way to {user.mobile}.", "success")
    return redirect(url_for("notifications.alerts"))
