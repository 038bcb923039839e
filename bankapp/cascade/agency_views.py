"""The agency portal: shifts released to the agency's tier, offering a locum,
the agency's offers and what the trust has told it."""
import logging

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from ..auth.permissions import page_roles
from ..errors import Conflict, NotFound, RuleRefused, ValidationFailed
from ..extensions import db
from ..forms import load_form
from ..nav import register_nav
from ..org.models import Grade
from ..rates.services import agency_cap_for
from ..transactions import attempt
from . import offers, queries, services
from .forms import errors_from
from .models import AgencyOffer
from .schemas import OfferCreateSchema

log = logging.getLogger(__name__)
agency_bp = Blueprint("cascade_agency", __name__, url_prefix="/agency")

register_nav("Agency shifts", "cascade_agency.portal", "agency", order=10)


def _agency():
    agency = g.actor.agency
    if agency is None:
        abort(403)
    return agency


@agency_bp.get("")
@page_roles("agency")
def portal():
    agency = _agency()
    shifts = db.session.execute(services.shifts_for_agency(agency)).unique().scalars().all()
    my_offers = db.session.execute(queries.offers_for(g.actor).order_by(AgencyOffer.id.desc()).limit(50)
                                   ).unique().scalars().all()
    offered = {o.shift_id for o in my_offers if o.status in ("offered", "pending_executive_approval")}
    return render_template("cascade/agency_portal.html", agency=agency, shifts=shifts, offers=my_offers,
                           offered=offered, notices=queries.notices_for(agency.id))


@agency_bp.route("/shifts/<int:shift_id>/offer", methods=["GET", "POST"])
@page_roles("agency")
def offer(shift_id):
    agency = _agency()
    try:
        shift = services.visible_shift_for_agency(shift_id, agency)
    except NotFound:
        abort(404)
    errors, form = {}, {}
    if request.method == "POST":
        form = request.form.to_dict()
        body, errors = load_form(OfferCreateSchema(), request.form)
        if not errors:
            try:
                with attempt():
                    made = offers.make_offer(shift, actor=g.actor, **body)
            except (ValidationFailed, RuleRefused, Conflict) as exc:
                errors = errors_from(exc)
            else:
                flash(f"Offer of {made.locum_name} sent to the trust.", "success")
                return redirect(url_for("cascade_agency.portal"))
    grades = db.session.execute(db.select(Grade).where(Grade.rank >= shift.grade.rank).order_by(Grade.rank)
                                ).scalars().all()
    return render_template("cascade/agency_offer.html", shift=shift, grades=grades, form=form, errors=errors,
                           cap=agency_cap_for(shift)), (422 if errors else 200)
