"""Admin page for the agencies the cascade releases shifts to (tier, framework)."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from ..auth.permissions import page_roles
from ..extensions import db
from ..forms import submit_form
from ..nav import register_nav
from . import services
from .models import Agency
from .schemas import AgencySchema

admin_bp = Blueprint("cascade_admin", __name__, url_prefix="/admin")

register_nav("Agencies", "cascade_admin.agencies", "admin", order=84)
AGENCY_MISSING = {"name": "Enter the agency's name.", "tier": "Choose tier 1 or tier 2."}


@admin_bp.route("/agencies", methods=["GET", "POST"])
@page_roles("admin")
def agencies():
    errors, form = {}, {}
    if request.method == "POST":
        form = {**request.form.to_dict(), "on_framework": "on_framework" in request.form}
        agency, errors = submit_form(AgencySchema(), form, AGENCY_MISSING,
                                     lambda **v: services.create_agency(**v, actor=g.actor))
        if agency:
            flash(f"Agency {agency.name} added.", "success")
            return redirect(url_for("cascade_admin.agencies"))
    rows = db.session.execute(db.select(Agency).order_by(Agency.tier, Agency.name)).scalars().all()
    return render_template("cascade/agencies.html", agencies=rows, errors=errors, form=form), 422 if errors else 200
