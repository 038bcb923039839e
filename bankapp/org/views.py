"""Admin pages for reference data: sites, departments and grades (agencies: ``cascade/admin_views.py``).

Each page lists what exists and has an add form below it. A form is parsed
with the API's marshmallow schema, the service does the work, and any
DomainError is shown next to its field (POST/redirect/GET on success).
"""
import logging
from collections import Counter

import marshmallow as ma
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from ..auth.permissions import page_roles
from ..errors import field_messages
from ..extensions import db
from ..forms import form_data, load_form, submit_form
from ..nav import register_nav
from . import policies, services
from .models import Site
from .schemas import DepartmentSchema, GradeSchema, SiteChangeSchema, SitePolicyValuesSchema, SiteSchema

log = logging.getLogger(__name__)
bp = Blueprint("org", __name__, url_prefix="/admin")

register_nav("Sites", "org.sites", "admin", order=80)
register_nav("Departments", "org.departments", "admin", order=81)
register_nav("Grades", "org.grades", "admin", order=82)

def _form_dict(*fields):
    return {f: request.form.get(f, "") for f in fields}


@bp.route("/sites", methods=["GET", "POST"])
@page_roles("admin")
def sites():
    errors, form = {}, {}
    if request.method == "POST":
        form = _form_dict("code", "name", "staffing_phone")
        form["code"] = form["code"].strip().upper()
        site, errors = submit_form(SiteSchema(), form, {"code": "Enter a site code.", "name": "Enter the site's name."},
                                   lambda **v: services.create_site(**v, actor=g.actor))
        if site:
            flash(f"Site {site.code} – {site.name} added.", "success")
            return redirect(url_for("org.sites"))
    counts = Counter(dept.site_id for dept in services.departments_for())
    return render_template("org/sites.html", sites=services.all_sites(), department_counts=counts, errors=errors,
                           form=form), 422 if errors else 200


@bp.route("/sites/<int:site_id>", methods=["GET", "POST"])
@page_roles("admin")
def site(site_id):
    """A site's name and medical staffing phone (the code never changes: payroll files carry it)."""
    site = db.session.get(Site, site_id) or abort(404)
    errors, form = {}, {"name": site.name, "staffing_phone": site.staffing_phone or ""}
    if request.method == "POST":
        form = _form_dict("name", "staffing_phone")
        # A blank phone removes it: sent as null, as the API's PATCH would.
        data = {**form, "staffing_phone": form["staffing_phone"].strip() or None}
        changes, errors = load_form(SiteChangeSchema(), data)
        if not errors and "name" not in changes:
            errors = {"name": ["Enter the site's name."]}
        if not errors:
            services.update_site(site, changes, actor=g.actor)
            flash(f"{site.name} is saved.", "success")
            return redirect(url_for("org.sites"))
    return render_template("org/site.html", site=site, errors=errors, form=form), 422 if errors else 200


@bp.route("/sites/<int:site_id>/policy", methods=["GET", "POST"])
@page_roles("admin")
def site_policy(site_id):
    """The site's own approval threshold and windows; a blank field is the trust default."""
    site = db.session.get(Site, site_id) or abort(404)
    errors, form = {}, {}
    if request.method == "POST":
        schema = SitePolicyValuesSchema()
        form = request.form.to_dict()
        data = {name: None for name in policies.POLICY_FIELDS} | form_data(schema, request.form)
        try:
            values = schema.load(data)
        except ma.ValidationError as exc:
            errors = field_messages(exc)
        else:
            policies.update_policy(site.id, values, actor=g.actor)
            flash(f"The approval process of {site.name} is saved.", "success")
            return redirect(url_for("org.site_policy", site_id=site.id))
    return render_template("org/site_policy.html", site=site, policy=policies.describe(site.id),
                           labels=policies.LABELS, explain=policies.explanation, errors=errors,
                           form=form), 422 if errors else 200


@bp.route("/departments", methods=["GET", "POST"])
@page_roles("admin")
def departments():
    errors, form = {}, {}
    if request.method == "POST":
        form = _form_dict("site_id", "name", "specialty", "cost_centre")
        dept, errors = submit_form(DepartmentSchema(), form, {
            "site_id": "Choose a site.", "name": "Enter the department's name.",
            "specialty": "Enter the specialty.", "cost_centre": "Enter the cost centre."},
            lambda **v: services.create_department(**v, actor=g.actor))
        if dept:
            flash(f"{dept.name} added at {dept.site.name}.", "success")
            return redirect(url_for("org.departments", site_id=dept.site_id))
    all_sites = services.all_sites()
    shown_site = request.args.get("site_id", type=int)
    site_ids = [shown_site] if shown_site else None
    by_site = {site.id: [] for site in all_sites if site_ids is None or site.id in site_ids}
    for dept in services.departments_for(site_ids):
        by_site.setdefault(dept.site_id, []).append(dept)
    return render_template("org/departments.html", sites=all_sites, by_site=by_site, shown_site=shown_site,
                           errors=errors, form=form), 422 if errors else 200


@bp.route("/grades", methods=["GET", "POST"])
@page_roles("admin")
def grades():
    errors, form = {}, {}
    if request.method == "POST":
        form = _form_dict("code", "name", "rank")
        form["code"] = form["code"].strip().upper()
        grade, errors = submit_form(GradeSchema(), form, {
            "code": "Enter a grade code.", "name": "Enter the grade's name.", "rank": "Enter a rank."},
            lambda **v: services.create_grade(**v, actor=g.actor))
        if grade:
            flash(f"Grade {grade.code} – {grade.name} added.", "success")
            return redirect(url_for("org.grades"))
    return render_template("org/grades.html", grades=services.all_grades(), errors=errors, form=form), \
        422 if errors else 200
