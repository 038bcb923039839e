"""The bank utilisation report page: a chart, the table beside it, and the CSV."""
from flask import Blueprint, g, render_template, request, url_for

from ..auth.permissions import page_roles
from ..errors import ValidationFailed
from ..nav import register_nav
from ..org import services as org_services
from ..reports import csv_io
from . import report
from .report_api import UtilisationQuerySchema, utilisation_csv
from .rules import APPLICATION_STATUSES

bp = Blueprint("utilisation", __name__, url_prefix="/reports")

register_nav("Bank utilisation", "utilisation.page", *report.REPORT_ROLES, order=81)


@bp.get("/bank-utilisation", endpoint="page")
@page_roles(*report.REPORT_ROLES)
def utilisation_page():
    args = {k: v for k, v in request.args.items() if v.strip()}
    errors = UtilisationQuerySchema().validate(args)
    data = None
    if not errors:
        query = UtilisationQuerySchema().load(args)
        fmt = query.pop("format", None)
        try:
            data = report.utilisation_report(actor=g.actor, **query)
        except ValidationFailed as exc:
            errors = exc.errors or {"_form": [exc.detail]}
        else:
            if fmt == "csv":
                return csv_io.csv_response(utilisation_csv(data), "bank-utilisation", data["period"])
    context = {"errors": errors, "form": args, "report": data, "statuses": APPLICATION_STATUSES,
               "sites": [("", "All sites")] + [(s.id, s.name) for s in org_services.all_sites()]}
    if data:
        params = {**data["period"].params, **({"site_id": data["filters"]["site_id"]}
                                              if data["filters"]["site_id"] else {})}
        context.update(charts=[report.chart(data)],
                       csv_url=url_for("utilisation.page", **params, format="csv"))
    return render_template("joining/utilisation.html", **context), 422 if errors else 200
