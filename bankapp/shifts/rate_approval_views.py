"""Rate approval pages: the approvers' queue and the coordinator's returned rates."""
import logging

import marshmallow as ma
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.permissions import can_act_on_site, page_roles
from ..errors import DomainError, field_messages
from ..extensions import db
from ..nav import register_nav
from ..rates.models import RateViolation
from ..rates.schemas import ReviseSchema
from ..transactions import attempt
from . import rate_approval

log = logging.getLogger(__name__)
bp = Blueprint("rate_approval", __name__)

register_nav("Rate approvals", "rate_approval.violations_queue", *rate_approval.DECIDER_ROLES, order=30)
register_nav("Returned rates", "rate_approval.returned", "coordinator", order=31)


@bp.app_template_global("rates_pending_count")
def rates_pending_count():
    """Rate violations the signed-in user may decide now (home page)."""
    if not current_user.is_authenticated or not current_user.has_role(*rate_approval.DECIDER_ROLES):
        return 0
    return rate_approval.pending_count(current_user)


@bp.app_template_global("rates_returned_count")
def rates_returned_count():
    if not current_user.is_authenticated or not current_user.has_role("coordinator"):
        return 0
    return len(rate_approval.returned_to(current_user))


def _queue_page(errors=None, notes=None, status=200):
    actor = g.actor
    pending = db.session.execute(rate_approval.violations_query(actor, status="pending")
                                 .order_by(RateViolation.id)).scalars().all()
    mine = [v for v in pending if rate_approval.may_decide(v, actor)]
    others = [v for v in pending if v not in mine]
    decided = db.session.execute(rate_approval.violations_query(actor).where(RateViolation.status != "pending")
                                 .order_by(RateViolation.decided_at.desc()).limit(10)).scalars().all()
    return render_template("rates/violations.html", mine=mine, others=others, decided=decided,
                           errors=errors or {}, notes=notes or {}), status


@bp.get("/rate-violations")
@page_roles(*rate_approval.DECIDER_ROLES)
def violations_queue():
    """Pending rates this user may decide, those waiting for someone else, and recent decisions."""
    return _queue_page()


@bp.post("/rate-violations/<int:violation_id>/decide")
@page_roles(*rate_approval.DECIDER_ROLES)
def decide(violation_id):
    violation = rate_approval.get_violation(violation_id)
    decision = request.form.get("decision")
    field = f"note-{violation.id}"
    note = request.form.get(field, "").strip()
    try:
        with attempt():
            if decision == "approve":
                rate_approval.approve_violation(violation, actor=g.actor, note=note)
            elif decision == "reject":
                rate_approval.reject_violation(violation, actor=g.actor, note=note)
            else:
                return _queue_page({field: ["Choose approve or reject."]}, {field: note}, 422)
    except DomainError as exc:
        if exc.status in (403, 409):
            flash(exc.detail, "error")
            return redirect(url_for("rate_approval.violations_queue"))
        messages = (exc.errors or {}).get("note") or [exc.detail]
        return _queue_page({field: messages}, {field: note}, exc.status)
    if decision == "approve":
        flash(f"Rate approved: the {violation.shift.grade.code} shift at {violation.shift.department.name} "
              "is open for bank doctors.", "success")
    else:
        flash("Rate rejected: the shift has gone back to its coordinator.", "success")
    return redirect(url_for("rate_approval.violations_queue"))


def _returned_page(errors=None, values=None, status=200):
    manage = "shifts.manage" if "shifts.manage" in current_app.view_functions else None
    return render_template("rates/returned.html", items=rate_approval.returned_to(g.actor), errors=errors or {},
                           values=values or {}, manage_endpoint=manage), status


@bp.get("/rate-violations/returned")
@page_roles("coordinator")
def returned():
    """Rates an approver rejected, waiting for this coordinator to revise the rate or cancel the shift."""
    return _returned_page()


@bp.post("/rate-violations/<int:violation_id>/revise")
@page_roles("coordinator")
def revise(violation_id):
    violation = rate_approval.get_violation(violation_id)
    if not can_act_on_site(g.actor, violation.shift.site_id, "coordinator"):
        abort(404)  # as the API: another site's violations are not acknowledged to exist
    text = request.form.get(f"hourly_rate-{violation.id}", "").strip().removeprefix("£")
    reason = request.form.get(f"reason-{violation.id}", "").strip()
    values = {f"hourly_rate-{violation.id}": text, f"reason-{violation.id}": reason}
    try:  # the API's schema; a blank rate is null, card rates
        body = ReviseSchema().load({"hourly_rate": text or None, "reason": reason or None})
    except ma.ValidationError as exc:
        return _returned_page({f"{k}-{violation.id}": v for k, v in field_messages(exc).items()}, values, 422)
    try:
        with attempt():
            shift, new = rate_approval.revise_rate(violation, actor=g.actor, **body)
    except DomainError as exc:
        if not exc.errors:
            flash(exc.detail, "error")
            return redirect(url_for("rate_approval.returned"))
        errors = {(f"{k}-{violation.id}" if k in ("hourly_rate", "reason") else "_form"): v
                  for k, v in exc.errors.items()}
        return _returned_page(errors, values, exc.status)
    if new is None:
        flash("The shift is open at the revised rate.", "success")
    else:
        flash(f"The revised rate is still {new.percent_over}% over the card: it is waiting for approval again.",
              "success")
    return redirect(url_for("rate_approval.returned"))
