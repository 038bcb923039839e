"""GET /api/v1/reports/bank-utilisation: JSON, or CSV with ``?format=csv`` / ``Accept: text/csv``."""
import marshmallow as ma
from flask import g, request
from flask_smorest import Blueprint

from ..auth.permissions import api_auth
from ..csvout import csv_text
from ..reports import csv_io
from ..reports.schemas import ReportQuerySchema
from . import report, rules

blp = Blueprint("utilisation_api", __name__, url_prefix="/api/v1/reports", description=(
    "Bank utilisation: per site, doctors eligible at 1, 2 and 3+ sites, doctors who worked at more than one site, "
    "applications by status and the median days from application to approval, with a trust total row."))


class UtilisationQuerySchema(ReportQuerySchema):
    class Meta:
        exclude = ("department_id",)


class UtilisationRowSchema(ma.Schema):
    site_id = ma.fields.Integer(allow_none=True, metadata={"description": "null on the trust total row"})
    site = ma.fields.String()
    active_doctors = ma.fields.Integer(metadata={"description": "Active doctors who may work at the site"})
    eligible_1 = ma.fields.Integer()
    eligible_2 = ma.fields.Integer()
    eligible_3_plus = ma.fields.Integer()
    multi_site_workers = ma.fields.Integer(metadata={
        "description": "Doctors who worked a bank shift here in the period and at another site too"})
    applications = ma.fields.Dict(keys=ma.fields.String(metadata={"enum": list(rules.APPLICATION_STATUSES)}),
                                  values=ma.fields.Integer(), metadata={
        "description": "Applications made in the period asking for the site, by status"})
    median_days_to_approval = ma.fields.Float(allow_none=True)


class UtilisationReportSchema(ma.Schema):
    date_from = ma.fields.Function(lambda r: r["period"].date_from.isoformat(), data_key="from")
    date_to = ma.fields.Function(lambda r: r["period"].date_to.isoformat(), data_key="to")
    items = ma.fields.List(ma.fields.Nested(UtilisationRowSchema))
    total = ma.fields.Nested(UtilisationRowSchema, metadata={"description": "The whole trust, whatever the filter"})


def utilisation_csv(report_data):
    return csv_text(report.csv_rows(report_data))


@blp.get("/bank-utilisation")
@blp.arguments(UtilisationQuerySchema, location="query", as_kwargs=True)
@blp.response(200, UtilisationReportSchema)
@blp.doc(security=[{"bearerAuth": []}], responses={"200": {"content": {
    "application/json": {"schema": UtilisationReportSchema}, "text/csv": {"schema": {"type": "string"}}}}})
@api_auth(*report.REPORT_ROLES)
def bank_utilisation(format=None, **query):  # noqa: A002 - the query parameter's name
    """Executives and admins see every site; staffing the sites it is scoped to (the total row is the trust's).
    `from`/`to` are London dates, both included (default: the last 12 weeks)."""
    data = report.utilisation_report(actor=g.actor, **query)
    if csv_io.wants_csv(request, {"format": format}):
        return csv_io.csv_response(utilisation_csv(data), "bank-utilisation", data["period"])
    return data
