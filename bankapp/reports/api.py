"""Report API: breaches and fill rates as JSON, or CSV with ``?format=csv`` / ``Accept: text/csv``."""
from flask import g, request
from flask_smorest import Blueprint

from ..auth.permissions import api_auth
from . import csv_io, forecast, services
from .schemas import (
    BreachListQuerySchema,
    BreachReportSchema,
    FillRateQuerySchema,
    FillRateReportSchema,
    ForecastQuerySchema,
    ForecastReportSchema,
    SpendQuerySchema,
    SpendReportSchema,
)

blp = Blueprint("reports_api", __name__, url_prefix="/api/v1/reports",
                description="Leadership reports: the breach register, fill rates, spend and the forecast of "
                            "unfilled shifts, as JSON or CSV. "
                            "`from`/`to` are London dates, both included, at most 731 days apart; without them "
                            "the last 12 weeks. Executives, chief executives and admins see the whole trust; "
                            "coordinators and approvers the rows of their own sites.")
SECURITY = [{"bearerAuth": []}]


def _report_or_csv(report, format, to_csv, name):
    """The report as JSON (serialized by the route's schema), or its CSV when asked for."""
    if csv_io.wants_csv(request, {"format": format}):
        return csv_io.csv_response(to_csv(report), name, report["period"])
    return report


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
    return _report_or_csv(services.fill_rate_report(actor=g.actor, **query), format, csv_io.fill_rates_csv,
                          "fill-rates")


@blp.get("/spend")
@blp.arguments(SpendQuerySchema, location="query", as_kwargs=True)
@blp.response(200, SpendReportSchema)
@blp.doc(security=SECURITY, **_json_or_csv(SpendReportSchema))
@api_auth(*services.REPORT_ROLES)
def spend(format=None, **query):
    """Bank and agency hours and spend of delivered work per site, department, grade or ISO week, the agency
    share of all spend and the off-card spend, with the total. Delivered work is approved timesheets (their
    pay lines) or worked shifts still without one (an estimate from the booked times, in `estimated_spend`);
    a rejected timesheet counts nothing. A shift counts in the period and group of its London start."""
    return _report_or_csv(services.spend_report(actor=g.actor, **query), format, csv_io.spend_csv, "spend")


@blp.get("/forecast")
@blp.arguments(ForecastQuerySchema, location="query", as_kwargs=True)
@blp.response(200, ForecastReportSchema)
@blp.doc(security=SECURITY, **_json_or_csv(ForecastReportSchema))
@api_auth(*services.REPORT_ROLES)
def forecast_unfilled(format=None, **query):
    """Per site and London day from today, the shifts posted so far that start after now, how many nobody
    has booked yet, how many are expected never to be filled, and the 80% range. Each open shift's chance
    is the share of shifts of its department, weekday and lead time over the last 52 weeks that were still
    open then and never filled (blended with its site's and the trust's share where history is thin);
    booked shifts count as filled. `backtest` gives the model's measured error on the bench year."""
    return _report_or_csv(forecast.forecast_report(actor=g.actor, **query), format, csv_io.forecast_csv,
                          "forecast")
