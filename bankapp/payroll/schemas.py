"""Payroll export API shapes: money as strings with two decimals, times in London."""
import marshmallow as ma

from ..money import money_str
from ..timeutil import format_london
from .services import late_timesheet_ids


class PayrollExportSchema(ma.Schema):
    id = ma.fields.Integer()
    created_at = ma.fields.Function(lambda b: format_london(b.created_at))
    created_by_id = ma.fields.Integer()
    timesheet_count = ma.fields.Integer(metadata={"description": "Bank timesheets in the ESR file."})
    total_amount = ma.fields.Function(lambda b: money_str(b.total_amount),
                                      metadata={"description": "Exact sum of the ESR file's amount column."})
    late_count = ma.fields.Integer(metadata={"description": "Of those, approved after their pay-run cut-off."})
    agency_timesheet_count = ma.fields.Integer()
    agency_total_amount = ma.fields.Function(lambda b: money_str(b.agency_total_amount))
    esr_csv_sha256 = ma.fields.String()
    agency_csv_sha256 = ma.fields.String()


class PayrollExportDetailSchema(PayrollExportSchema):
    late_timesheet_ids = ma.fields.Method("_late_ids")

    def _late_ids(self, batch):
        return late_timesheet_ids(batch)
