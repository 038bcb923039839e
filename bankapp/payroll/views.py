"""Payroll pages: create an export, batch history with counts and totals, downloads."""
import logging

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for

from ..auth.permissions import page_roles
from ..errors import DomainError
from ..extensions import db
from ..nav import register_nav
from ..transactions import attempt
from . import services
from .api import csv_response
from .models import PayrollExport

log = logging.getLogger(__name__)
bp = Blueprint("payroll", __name__)

register_nav("Payroll exports", "payroll.index", "payroll", order=40)
READERS = ("payroll", "admin")


@bp.app_context_processor
def _payroll_helpers():
    return {"payroll_home": services}


@bp.get("/payroll")
@page_roles(*READERS)
def index():
    return render_template("payroll/index.html", batches=services.history(), pending=services.pending_count(),
                           held_back=services.held_back())


@bp.post("/payroll/exports")
@page_roles("payroll")
def create():
    try:
        with attempt():
            batch = services.create_export(actor=g.actor)
    except DomainError as exc:
        flash(exc.detail, "error")
        return redirect(url_for("payroll.index"))
    flash(f"Export {batch.id} created: {batch.timesheet_count} timesheets, £{batch.total_amount:,.2f} "
          f"({batch.esr_count} for ESR, £{batch.esr_total:,.2f}; {batch.agency_count} agency, "
          f"£{batch.agency_total:,.2f}).", "success")
    return redirect(url_for("payroll.batch", batch_id=batch.id))


def _batch_or_404(batch_id) -> PayrollExport:
    return db.session.get(PayrollExport, batch_id) or abort(404)


@bp.get("/payroll/exports/<int:batch_id>")
@page_roles(*READERS)
def batch(batch_id):
    batch = _batch_or_404(batch_id)
    return render_template("payroll/batch.html", batch=batch, late_ids=services.late_timesheet_ids(batch))


@bp.get("/payroll/exports/<int:batch_id>/<any(esr, agency, late):kind>.csv")
@page_roles(*READERS)
def download(batch_id, kind):
    batch = _batch_or_404(batch_id)
    body = {"esr": services.export_csv, "agency": services.agency_csv, "late": services.late_csv}[kind](batch)
    names = {"esr": "esr-export", "agency": "agency-reconciliation", "late": "late-timesheets"}
    sha = {"esr": batch.esr_csv_sha256, "agency": batch.agency_csv_sha256}.get(kind)
    return csv_response(body, f"{names[kind]}-{batch.id}.csv", sha)
