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
from . import charts, csv_io, forecast, forecast_rules, rules, services
from .db import reports_session
from .schemas import BreachQuerySchema, FillRateQuerySchema, ForecastQuerySchema, SpendQuerySchema

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


def filters_applied(args) -> bool:
    """Someone chose a filter (the form was sent, or a link carries one): show the filters open."""
    return any(key != "format" for key in args)


def _filter_params(report, *names, period=True) -> dict:
    """The report's period (unless not ``period``), filters and ``names`` of its other settings, as link
    parameters."""
    params = {**report["period"].params} if period else {}
    params.update({k: v for k, v in report["filters"].items() if v is not None})
    params.update({name: report[name] for name in names})
    return params


def _report_page(schema, report_fn, *, template, csv_name, csv_fn, endpoint, extra=None, always=None,
                 period_in_links=True):
    """A report page: load the filters, run the report, answer the CSV or render the page.

    ``always`` is added to every render (the form's own choices); ``extra(report, context)`` adds the
    page's charts and tables when the report ran. The forecast has no period to choose
    (``period_in_links=False``): it always starts today.
    """
    query, errors, args = _load(schema)
    fmt = (query or {}).pop("format", None)
    report, errors = _run(report_fn, query, errors)
    if report and fmt == "csv":
        return csv_io.csv_response(csv_fn(report), csv_name, report["period"])
    sites, departments = _options()
    context = {"errors": errors, "form": args, "sites": sites, "departments": departments, "report": report,
               "filters_open": bool(errors) or not report or filters_applied(args), **(always or {})}
    if report:
        names = [name for name in ("group_by", "days") if name in report]
        context["csv_url"] = url_for(endpoint, **_filter_params(report, *names, period=period_in_links),
                                     format="csv")
        if extra:
            extra(report, context)
    return render_template(template, **context), 422 if errors else 200


@bp.get("/fill-rates")
@page_roles(*services.REPORT_ROLES)
def fill_rates():
    def extra(report, context):
        trend = services.fill_trend(actor=g.actor, period=report["period"], site_id=report["filters"]["site_id"],
                                    department_id=report["filters"]["department_id"])
        context.update(trend=trend, rows=[csv_io.fill_row(i) for i in report["items"]],
                       charts=charts.fill_rate_charts(report, trend))

    return _report_page(FillRateQuerySchema(), services.fill_rate_report, template="reports/fill_rates.html",
                        csv_name="fill-rates", csv_fn=csv_io.fill_rates_csv, endpoint="reports.fill_rates",
                        extra=extra)


@bp.get("/spend")
@page_roles(*services.REPORT_ROLES)
def spend():
    def extra(report, context):
        context.update(charts=charts.spend_charts(report))

    return _report_page(SpendQuerySchema(), services.spend_report, template="reports/spend.html",
                        csv_name="spend", csv_fn=csv_io.spend_csv, endpoint="reports.spend", extra=extra)


@bp.get("/forecast")
@page_roles(*services.REPORT_ROLES)
def forecast_page():
    def extra(report, context):
        context.update(charts=charts.forecast_charts(report, day_label), day_label=day_label,
                       lead_bands=forecast_rules.LEAD_BANDS,
                       cells={(i["site_id"], i["date"]): i for i in report["items"]})

    return _report_page(ForecastQuerySchema(), forecast.forecast_report, template="reports/forecast.html",
                        csv_name="forecast", csv_fn=csv_io.forecast_csv, endpoint="reports.forecast_page",
                        extra=extra, period_in_links=False)


def day_label(day) -> str:
    """A forecast day for people: ``Fri 4 Dec``."""
    return f"{day.strftime('%a')} {day.day} {day.strftime('%b')}"


@bp.get("/breaches")
@page_roles(*services.REPORT_ROLES)
def breaches():
    def extra(report, context):
        context.update(charts=charts.breach_charts(report), shift_url=shift_url)

    types = {"types": [("", "All types")] + list(rules.BREACH_TYPE_LABELS.items()),
             "type_labels": rules.BREACH_TYPE_LABELS}
    return _report_page(BreachQuerySchema(), services.breach_report, template="reports/breaches.html",
                        csv_name="breaches", csv_fn=csv_io.breaches_csv_chunks, endpoint="reports.breaches",
                        extra=extra, always=types)


@bp.app_context_processor
def _dashboard_helper():
    """``reports_dashboard()`` for the executive home section: the figures, or None for other roles."""

    def reports_dashboard():
        user = current_user._get_current_object() if current_user.is_authenticated else None
        if not services.may_read_reports(user):
            return None
        figures = services.dashboard(user)
        week = figures["week"].params
        figures["likely_unfilled"] = forecast.week_outlook(user)
        figures["likely_unfilled_text"] = forecast_rules.expected_tenths(figures["likely_unfilled"].expected)
        figures["links"] = {
            "fill_rate": url_for("reports.fill_rates", **week, group_by="site"),
            "urgent": url_for("reports.fill_rates", **week, group_by="department"),
            "likely_unfilled": url_for("reports.forecast_page", days=forecast.days_left_this_week()),
            "pending": url_for("reports.breaches", status="pending"),
            "breaches": url_for("reports.breaches", **week),
        }
        return figures

    return {"reports_dashboard": reports_dashboard, "rate_text": rules.percent_text}
