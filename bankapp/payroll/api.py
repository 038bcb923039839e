"""Payroll exports API (payroll role): create a batch, read history, download the files."""
from flask import Response, g
from flask_smorest import Blueprint

from ..apiutil import ListQuerySchema, keyset_page, list_schema
from ..auth.permissions import api_auth
from ..errors import NotFound
from ..extensions import db
from . import services
from .models import PayrollExport
from .schemas import PayrollExportDetailSchema, PayrollExportSchema

blp = Blueprint("payroll_api", __name__, url_prefix="/api/v1", description="Payroll exports to ESR")
SECURITY = [{"bearerAuth": []}]
READERS = ("payroll", "admin")


def _batch(batch_id) -> PayrollExport:
    batch = db.session.get(PayrollExport, batch_id)
    if batch is None:
        raise NotFound("No such payroll export.")
    return batch


def csv_response(body: bytes, filename: str, sha256: str | None = None) -> Response:
    resp = Response(body, mimetype="text/csv")
    resp.headers["Content-Type"] = "text/csv; charset=utf-8"
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    resp.headers["Cache-Control"] = "private, no-store"
    if sha256:
        resp.headers["ETag"] = f'"{sha256}"'
    return resp


@blp.post("/payroll-exports")
@blp.response(201, PayrollExportSchema)
@blp.alt_response(409, description="Nothing new to export (no batch is created)")
@blp.doc(security=SECURITY)
@api_auth("payroll")
def create_export():
    """Export every approved, not yet exported timesheet as one batch (each timesheet once, ever).

    `timesheet_count`/`total_amount` cover every timesheet of the batch; `esr_count`/`esr_total` the
    ESR file and `agency_count`/`agency_total` the agency file.

    Bank doctors' pay lines go to the ESR file (`/file`), agency locums' to the
    agency reconciliation file (`/agency-file`), timesheets approved after
    their pay-run cut-off are listed in `/late-file` and `late_timesheet_ids`.
    Approved bank timesheets of doctors without an ESR assignment number wait
    until the number is recorded.
    """
    batch = services.create_export(actor=g.actor)
    return batch


@blp.get("/payroll-exports")
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200, list_schema(PayrollExportSchema, "PayrollExportList"))
@blp.doc(security=SECURITY)
@api_auth(*READERS)
def list_exports(query):
    return keyset_page(db.session, db.select(PayrollExport), PayrollExport.id, **query)


@blp.get("/payroll-exports/<int:batch_id>")
@blp.response(200, PayrollExportDetailSchema)
@blp.doc(security=SECURITY)
@api_auth(*READERS)
def get_export(batch_id):
    return _batch(batch_id)


@blp.get("/payroll-exports/<int:batch_id>/file")
@blp.response(200, description="text/csv: the ESR file, byte-identical on every download")
@blp.doc(security=SECURITY)
@api_auth(*READERS)
def esr_file(batch_id):
    """The ESR file. Header: ``esr_assignment_number,doctor_name,site_code,cost_centre,shift_id,
    timesheet_id,work_date,band,hours,rate,amount``: one row per pay line and London date its minutes
    were worked (a band across midnight is two rows; the amounts add up to the approved line)."""
    batch = _batch(batch_id)
    return csv_response(services.export_csv(batch), f"esr-export-{batch.id}.csv", batch.esr_csv_sha256)


@blp.get("/payroll-exports/<int:batch_id>/agency-file")
@blp.response(200, description="text/csv: agency invoice reconciliation for this batch")
@blp.doc(security=SECURITY)
@api_auth(*READERS)
def agency_file(batch_id):
    """Agency invoice reconciliation. Header: ``agency,locum_name,gmc_number,site_code,cost_centre,
    shift_id,timesheet_id,work_date,band,hours,charge_rate,amount``: one row per pay line and London
    work date, as in the ESR file."""
    batch = _batch(batch_id)
    return csv_response(services.agency_csv(batch), f"agency-reconciliation-{batch.id}.csv",
                        batch.agency_csv_sha256)


@blp.get("/payroll-exports/<int:batch_id>/late-file")
@blp.response(200, description="text/csv: timesheets of the ESR file approved after their cut-off")
@blp.doc(security=SECURITY)
@api_auth(*READERS)
def late_file(batch_id):
    batch = _batch(batch_id)
    return csv_response(services.late_csv(batch), f"late-timesheets-{batch.id}.csv")
