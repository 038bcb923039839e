"""Executive pages: break-glass approvals of agency offers above the cap or off
framework, and the weekly agency return."""
import logging
from decimal import Decimal

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from ..auth.permissions import page_roles
from ..errors import Conflict, Forbidden, ValidationFailed
from ..extensions import db
from ..nav import register_nav
from ..reports import agency_return
from ..timeutil import london_date, now_utc
from ..transactions import attempt
from . import offers, queries, rules
from .forms import errors_from
from .models import AgencyOffer

log = logging.getLogger(__name__)
executive_bp = Blueprint("cascade_exec", __name__)
LEADERS = ("executive", "chief_executive")

register_nav("Agency approvals", "cascade_exec.approvals", *LEADERS, order=20)
register_nav("Agency return", "cascade_exec.weekly_return", *LEADERS, "admin", order=21)


@executive_bp.app_template_global()
def pending_break_glass_count():
    """For the executive home section."""
    return queries.pending_break_glass_count()


def _limit() -> Decimal:
    return offers.chief_executive_rate()


@executive_bp.get("/agency-approvals")
@page_roles(*LEADERS)
def approvals():
    pending = db.session.execute(db.select(AgencyOffer).filter_by(status="pending_executive_approval")
                                 .order_by(AgencyOffer.id)).unique().scalars().all()
    recent = db.session.execute(db.select(AgencyOffer).where(AgencyOffer.approved_by_id.isnot(None))
                                .order_by(AgencyOffer.decided_at.desc()).limit(20)).unique().scalars().all()
    return render_template("cascade/approvals.html", pending=pending, recent=recent, limit=_limit(),
                           own={o.id for o in pending if not offers.may_decide(o, g.actor)})


@executive_bp.route("/agency-approvals/<int:offer_id>", methods=["GET", "POST"])
@page_roles(*LEADERS)
def approval(offer_id):
    offer = db.session.get(AgencyOffer, offer_id) or abort(404)
    errors, reason = {}, ""
    if request.method == "POST":
        reason = request.form.get("reason", "")
        action = request.form.get("action", "approve")
        try:
            with attempt():
                if action == "decline":
                    offers.decline_offer(offer, actor=g.actor, reason=reason)
                else:
                    offers.approve_offer(offer, actor=g.actor, reason=reason)
        except ValidationFailed as exc:
            errors = errors_from(exc)
        except (Conflict, Forbidden) as exc:
            errors = {"_form": [exc.detail]}
        else:
            flash(f"{offer.locum_name} is booked; the breach is recorded." if action != "decline"
                  else f"Offer from {offer.agency.name} declined.", "success")
            return redirect(url_for("cascade_exec.approvals"))
        offer = db.session.get(AgencyOffer, offer_id)
    needed = rules.approver_role_for(offer.charge_rate, _limit())
    breaches = offers.offer_breaches(offer)
    return render_template("cascade/approval.html", offer=offer, errors=errors, reason=reason, needed=needed,
                           breaches=breaches, limit=_limit(), own=not offers.may_decide(offer, g.actor),
                           may_approve=needed != "chief_executive" or g.actor.has_role("chief_executive")
                           ), (422 if errors else 200)


@executive_bp.get("/agency-return")
@page_roles(*LEADERS, "admin")
def weekly_return():
    week = request.args.get("week") or rules.iso_week_of(london_date(now_utc()))
    errors, rows = {}, []
    try:
        rows = agency_return.return_rows(week)
    except ValueError as exc:
        errors = {"week": [str(exc)]}
    return render_template("cascade/weekly_return.html", week=week, rows=rows, errors=errors,
                           columns=agency_return.COLUMNS), (422 if errors else 200)


@executive_bp.get("/agency-return.csv")
@page_roles(*LEADERS, "admin")
def weekly_return_csv():
    week = request.args.get("week", "")
    try:
        body = agency_return.return_csv(week)
    except ValueError:
        abort(404)
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="agency-return-{week}.csv"'})
