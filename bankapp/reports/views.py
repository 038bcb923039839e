"""Report pages: filters, charts (Chart.js, drawn by static/reports.js), accessible tables, CSV links.

Filter forms use GET so a report is a link people can share; they carry no
CSRF token because they change nothing (and a token in a URL would leak).
"""
import logging

from flask import Blueprint, g, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from werkzeug.routing import BuildError

from ..auth.permissions import page_roles
from ..errors import ValidationFailed
from ..nav import register_nav
from ..org.models import Department, Site
from . import charts, csv_io, rules, services
from .db import reports_session
from .schemas import BreachQuerySchema, FillRateQuerySchema

log = logging.getLogger(__name__)

bp = Blueprint("reports", __name__, url_prefix="/reports")
register_nav("Reports", "reports.fill_rates", *services.REPORT_ROLES, order=80)

# The shifts feature's page for managing one shift, and who may open it: only they get a link.
SHIFT_PAGE = ("shifts.manage", ("coordinator", "admin"))


def _load(schema):
    """Query args → (values, errors); empty fields are left out, as if not given."""
    args = {k: v for k, v in request.args.items() if v.strip()}
    try:
        return schema.load(args, unknown="exclude"), {}, args
    except ValidationError as exc:
        errors = {k: v if isinstance(v, list) else [str(v)] for k, v in exc.messages.items()}
        return None, errors, args


def _options():
    """Sites and departments the user may report on, for the filter selects."""
    scope = services.report_scope(g.actor)
    sites = select(Site).order_by(Site.name)
    depts = select(Department).join(Site, Site.id == Department.site_id).order_by(Site.name, Department.name)
    if scope is not None:
        sites = sites.where(Site.id.in_(scope))
        depts = depts.where(Department.site_id.in_(scope))
    return ([("", "All sites")] + [(s.id, s.name) for s in reports_session().scalars(sites)],
            [("", "All departments")] + [(d.id, f"{d.name}, {d.site.name}") for d in reports_session().scalars(depts)])


def shift_url(shift_id):
    """Link to the shift's page for people who may open it; None otherwise (the row still names the shift)."""
    endpoint, roles = SHIFT_PAGE
    if shift_id is None or not g.actor.has_role(*roles):
        return None
    try:
        return url_for(endpoint, shift_id=shift_id)
    except BuildError:
        return None


def _run(report_fn, query, errors):
    if errors:
        return None, errors
    try:
        return report_fn(actor=g.actor, **query), {}
    except ValidationFailed as exc:
        return None, exc.errors or {"_form": [exc.detail]}


@bp.get("/")
@page_roles(*services.REPORT_ROLES)
def index():
    return fill_rates()


@bp.get("/fill-rates")
@page_roles(*services.REPORT_ROLES)
def fill_rates():
    query, errors, args = _load(FillRateQuerySchema())
    fmt = (query or {}).pop("format", None)
    report, errors = _run(services.fill_rate_report, query, errors)
    if report and fmt == "csv":
        return csv_io.csv_response(csv_io.fill_rates_csv(report), "fill-rates", report["period"])
    sites, departments = _options()
    context = {"errors": errors, "form": args, "sites": sites, "departments": departments, "report": report}
    if report:
        trend = services.fill_trend(actor=g.actor, period=report["period"], site_id=report["filters"]["site_id"],
                                    department_id=report["filters"]["department_id"])
        params = {**report["period"].params, "group_by": report["group_by"],
                  **{k: v for k, v in report["filters"].items() if v is not None}}
        context.update(trend=trend, rows=[csv_io.fill_row(i) for i in report["items"]],
                       charts=charts.fill_rate_charts(report, trend),
                       csv_url=url_for("reports.fill_rates", **params, format="csv"))
    return render_template("reports/fill_rates.html", **context), 422 if errors else 200


@bp.get("/breaches")
@page_roles(*services.REPORT_ROLES)
def breaches():
    query, errors, args = _load(BreachQuerySchema())
    fmt = (query or {}).pop("format", None)
    report, errors = _run(services.breach_report, query, errors)
    if report and fmt == "csv":
        return csv_io.csv_response(csv_io.breaches_csv_chunks(report), "breaches", report["period"])
    sites, departments = _options()
    context = {"errors": errors, "form": args, "sites": sites, "departments": departments, "report": report,
               "types": [("", "All types")] + list(rules.BREACH_TYPE_LABELS.items()),
               "type_labels": rules.BREACH_TYPE_LABELS}
    if report:
        params = {**report["period"].params, **{k: v for k, v in report["filters"].items() if v is not None}}
        context.update(charts=charts.breach_charts(report), shift_url=shift_url,
                       csv_url=url_for("reports.breaches", **params, format="csv"))
    return render_template("reports/breaches.html", **context), 422 if errors else 200


@bp.app_context_processor
def _dashboard_helper():
    """``reports_dashboard()`` for the executive home section: the figures, or None for other roles."""

    def reports_dashboard():
        user = current_user._get_current_object() if current_user.is_authenticated else None
        if not services.may_read_reports(user):
            return None
        figures = services.dashboard(user)
        week = figures["week"].params
        figures["links"] = {
            "fill_rate": url_for("reports.fill_rates", **week, group_by="site"),
            "urgent": url_for("reports.fill_rates", **week, group_by="department"),
            "pending": url_for("reports.breaches", status="pending"),
            "breaches": url_for("reports.breaches", **week),
        }
        return figures

    return {"reports_dashboard": reports_dashboard, "rate_text": rules.percent_text}
