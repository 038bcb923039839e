"""Payroll export API shapes: money as strings with two decimals, times in London."""
import marshmallow as ma

from ..money import money_str
from ..timeutil import format_london
from .services import late_timesheet_ids


class PayrollExportSchema(ma.Schema):
    id = ma.fields.Integer()
    created_at = ma.fields.Function(lambda b: format_london(b.created_at))
    created_by_id = ma.fields.Integer()
    timesheet_count = ma.fields.Integer(metadata={"description": "Every timesheet in the batch (ESR and agency)."})
    total_amount = ma.fields.Function(lambda b: money_str(b.total_amount),
                                      metadata={"description": "esr_total + agency_total."})
    esr_count = ma.fields.Integer(metadata={"description": "Bank doctors' timesheets in the ESR file."})
    esr_total = ma.fields.Function(lambda b: money_str(b.esr_total),
                                   metadata={"description": "Exact sum of the ESR file's amount column."})
    late_count = ma.fields.Integer(metadata={"description": "Of the ESR timesheets, approved after their pay-run "
                                                            "cut-off."})
    agency_count = ma.fields.Integer(metadata={"description": "Agency locums' timesheets in the agency file."})
    agency_total = ma.fields.Function(lambda b: money_str(b.agency_total),
                                      metadata={"description": "Exact sum of the agency file's amount column."})
    esr_csv_sha256 = ma.fields.String()
    agency_csv_sha256 = ma.fields.String()


class PayrollExportDetailSchema(PayrollExportSchema):
    late_timesheet_ids = ma.fields.Method("_late_ids")

    def _late_ids(self, batch):
        return late_timesheet_ids(batch)
