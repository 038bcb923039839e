"""The doctor's "Where I work" page: the sites they may work at, and asking for another."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from ..auth.permissions import page_roles
from ..forms import submit_form
from ..nav import register_nav
from ..org import services as org_services
from . import site_requests
from .schemas import SiteRequestCreateSchema

bp = Blueprint("my_sites", __name__)

register_nav("Where I work", "my_sites.index", "doctor", order=42)


def _render(*, errors=None, status=200):
    sites = org_services.all_sites()
    mine = set(g.actor.site_ids)
    pending = {r.site_id for r in site_requests.requests_of(g.actor.id) if r.status == "pending"}
    return render_template("joining/my_sites.html", every_site=not mine, sites=sites,
                           working=[s for s in sites if s.id in mine],
                           requestable=[(s.id, s.name) for s in sites if mine and s.id not in mine
                                        and s.id not in pending],
                           requests=site_requests.requests_of(g.actor.id), errors=errors or {}), status


@bp.get("/me/sites")
@page_roles("doctor")
def index():
    return _render()


@bp.post("/me/sites")
@page_roles("doctor")
def ask():
    req, errors = submit_form(SiteRequestCreateSchema(), request.form, {"site_id": "Choose the hospital."},
                              lambda site_id: site_requests.request_site(g.actor, site_id=site_id, actor=g.actor))
    if req:
        flash(f"We have sent your request to work at {req.site.name} to its staffing team.", "success")
        return redirect(url_for("my_sites.index"))
    return _render(errors=errors, status=422)
