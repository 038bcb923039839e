"""Cascade pages for coordinators (ask for agency cover, accept offers) and
approvers (decide cascade requests). Agency and executive pages live in
``agency_views.py`` and ``executive_views.py``."""
import logging

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from ..auth.permissions import page_roles, require_site
from ..errors import Conflict, Forbidden, RuleRefused, ValidationFailed
from ..extensions import db
from ..nav import register_nav
from ..org.policies import policy_for
from ..shifts.queries import visible_shift
from ..transactions import attempt
from . import offers, queries, services
from .admin_views import admin_bp
from .agency_views import agency_bp
from .executive_views import executive_bp
from .forms import errors_from
from .models import LIVE_OFFER_STATUSES, AgencyOffer, CascadeRequest

log = logging.getLogger(__name__)
bp = Blueprint("cascade", __name__)
BLUEPRINTS = [bp, agency_bp, executive_bp, admin_bp]

register_nav("Agency cover", "cascade.coordinator_offers", "coordinator", order=30)
register_nav("Cascade requests", "cascade.requests_queue", "approver", order=31)


# --- coordinator ----------------------------------------------------------------


@bp.route("/coordinator/shifts/<int:shift_id>/cascade", methods=["GET", "POST"])
@page_roles("coordinator")
def request_cover(shift_id):
    """Ask for agency cover of one open shift (reason required)."""
    shift = visible_shift(g.actor, shift_id) or abort(404)
    require_site(g.actor, shift.site_id, "coordinator")
    errors, reason = {}, ""
    if request.method == "POST":
        reason = request.form.get("reason", "")
        try:
            with attempt():
                services.request_cascade(shift, actor=g.actor, reason=reason)
        except (ValidationFailed, RuleRefused) as exc:
            errors = errors_from(exc)
        except Conflict as exc:
            flash(exc.detail, "error")
            return redirect(url_for("cascade.coordinator_offers"))
        else:
            flash("Agency cover requested: an approver for the site will decide.", "success")
            return redirect(url_for("cascade.coordinator_offers"))
    outlook = services.cover_outlook(shift)
    return render_template("cascade/request_cover.html", shift=shift, errors=errors, reason=reason,
                           pending=outlook.pending, outlook=outlook, policy=policy_for(shift.site),
                           bank_only_until=outlook.bank_only_until), (422 if errors else 200)


@bp.get("/coordinator/agency-offers")
@page_roles("coordinator")
def coordinator_offers():
    """Released shifts with their offers, requests awaiting approval, and open shifts to send."""
    released = queries.released_shifts_for(g.actor)
    offers_by_shift = {}
    if released:
        for offer in db.session.execute(db.select(AgencyOffer).where(
                AgencyOffer.shift_id.in_([s.id for s in released])).order_by(AgencyOffer.id)).unique().scalars():
            offers_by_shift.setdefault(offer.shift_id, []).append(offer)
    pending = db.session.execute(queries.cascade_requests_for(g.actor, status="pending_approval")
                                 .order_by(CascadeRequest.id)).unique().scalars().all()
    open_shifts = queries.open_shifts_for(g.actor)
    requested = {r.shift_id for r in pending}
    unrequested = [s for s in open_shifts if s.id not in requested]
    return render_template("cascade/coordinator_offers.html", released=released, offers_by_shift=offers_by_shift,
                           pending=pending, open_shifts=unrequested, live=LIVE_OFFER_STATUSES,
                           outlooks={s.id: services.cover_outlook(s, pending=None) for s in unrequested},
                           limit=offers.chief_executive_rate())


@bp.post("/coordinator/agency-offers/<int:offer_id>/<any(accept, decline):action>")
@page_roles("coordinator")
def coordinator_decide_offer(offer_id, action):
    offer = db.session.get(AgencyOffer, offer_id) or abort(404)
    require_site(g.actor, offer.shift.site_id, "coordinator")
    try:
        with attempt():
            if action == "accept":
                offer = offers.accept_offer(offer, actor=g.actor)
            else:
                offer = offers.decline_offer(offer, actor=g.actor)
    except (Conflict, Forbidden) as exc:
        flash(exc.detail, "error")
    else:
        flash(_accept_message(offer) if action == "accept" else f"Offer from {offer.agency.name} declined.",
              "success")
    return redirect(url_for("cascade.coordinator_offers"))


def _accept_message(offer):
    if offer.status == "pending_executive_approval":
        who = "the chief executive" if offers.required_role(offer) == "chief_executive" else "an executive"
        return (f"{offer.locum_name} accepted, awaiting {who} (above the cap, off framework or above "
                f"£{offers.chief_executive_rate()}/h). The bank can still claim the shift meanwhile.")
    return f"{offer.locum_name} from {offer.agency.name} is booked."


# --- approver -------------------------------------------------------------------------


@bp.get("/cascade-requests")
@page_roles("approver")
def requests_queue():
    pending = db.session.execute(queries.cascade_requests_for(g.actor, status="pending_approval")
                                 .order_by(CascadeRequest.id)).unique().scalars().all()
    decided = db.session.execute(queries.cascade_requests_for(g.actor).where(
        CascadeRequest.status != "pending_approval").order_by(CascadeRequest.id.desc()).limit(20)
    ).unique().scalars().all()
    return render_template("cascade/requests_queue.html", pending=pending, decided=decided,
                           may_decide={r.id: services.may_decide(r, g.actor) for r in pending})


@bp.post("/cascade-requests/<int:request_id>/<any(approve, reject):action>")
@page_roles("approver")
def decide_request(request_id, action):
    cascade_request = db.session.get(CascadeRequest, request_id) or abort(404)
    if visible_shift(g.actor, cascade_request.shift_id) is None:
        abort(404)
    note = request.form.get("note")
    try:
        with attempt():
            if action == "approve":
                services.approve_cascade(cascade_request, actor=g.actor, note=note)
            else:
                services.reject_cascade(cascade_request, actor=g.actor, note=note)
    except (Conflict, Forbidden) as exc:
        flash(exc.detail, "error")
    else:
        flash("Approved: the shift is released to tier 1 agencies." if action == "approve"
              else "Rejected: the shift stays with the bank.", "success")
    return redirect(url_for("cascade.requests_queue"))
