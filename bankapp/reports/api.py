"""Report API: breaches and fill rates as JSON, or CSV with ``?format=csv`` / ``Accept: text/csv``."""
from flask import g, request
from flask_smorest import Blueprint

from ..auth.permissions import api_auth
from . import csv_io, services
from .schemas import BreachListQuerySchema, BreachReportSchema, FillRateQuerySchema, FillRateReportSchema

blp = Blueprint("reports_api", __name__, url_prefix="/api/v1/reports",
                description="Leadership reports: the breach register and fill rates, as JSON or CSV. "
                            "`from`/`to` are London dates, both included, at most 731 days apart; without them "
                            "the last 12 weeks. Executives, chief executives and admins see the whole trust; "
                            "coordinators and approvers the rows of their own sites.")
SECURITY = [{"bearerAuth": []}]


def _json_or_csv(schema):
    """Document the 200 as JSON (the default) or CSV (``?format=csv`` / ``Accept: text/csv``)."""
    return {"responses": {"200": {"content": {"application/json": {"schema": schema},
                                              "text/csv": {"schema": {"type": "string"}}}}}}


@blp.get("/breaches")
@blp.arguments(BreachListQuerySchema, location="query", as_kwargs=True)
@blp.response(200, BreachReportSchema)
@blp.doc(security=SECURITY, **_json_or_csv(BreachReportSchema))
@api_auth(*services.REPORT_ROLES)
def breaches(format=None, cursor=None, limit=None, **query):
    """Every breach of the period: rate violations in every state, agency over cap, off framework,
    working-time overrides and late timesheets, newest first, with totals by type and by site.

    JSON comes in pages of `limit` rows (`next` is the cursor of the following page; the totals
    always cover the whole period); CSV is the whole period in one download."""
    if csv_io.wants_csv(request, {"format": format}):
        report = services.breach_report(actor=g.actor, **query)
        return csv_io.csv_response(csv_io.breaches_csv_chunks(report), "breaches", report["period"])
    return services.breach_report(actor=g.actor, cursor=cursor, limit=limit, **query)


@blp.get("/fill-rates")
@blp.arguments(FillRateQuerySchema, location="query", as_kwargs=True)
@blp.response(200, FillRateReportSchema)
@blp.doc(security=SECURITY, **_json_or_csv(FillRateReportSchema))
@api_auth(*services.REPORT_ROLES)
def fill_rates(format=None, **query):
    """Posted, filled by bank and agency, unfilled and fill rate per site, department, grade or ISO week
    (cancelled shifts are not posted; a shift counts once, by its current state), with bank and agency
    spend and the hours of patient care delivered."""
    report = services.fill_rate_report(actor=g.actor, **query)
    if csv_io.wants_csv(request, {"format": format}):
        return csv_io.csv_response(csv_io.fill_rates_csv(report), "fill-rates", report["period"])
    return report
