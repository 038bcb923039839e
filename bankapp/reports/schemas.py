"""Report query parameters and response shapes (API); the pages load the same query schemas."""
import marshmallow as ma
from marshmallow import validate

from ..money import hours_str, money_str
from ..timeutil import format_london
from . import forecast_rules, rules

BREACH_STATUSES = ("approved", "pending", "rejected")


def _money(value):
    return money_str(value) if value is not None else None


def _rate(value):
    return float(value) if value is not None else None


class ReportQuerySchema(ma.Schema):
    date_from = ma.fields.Date(data_key="from", load_default=None,
                               metadata={"description": "First London date (inclusive); default 12 weeks before `to`."})
    date_to = ma.fields.Date(data_key="to", load_default=None,
                             metadata={"description": "Last London date (inclusive); default today; at most 731 days."})
    site_id = ma.fields.Integer(load_default=None, validate=validate.Range(min=1))
    department_id = ma.fields.Integer(load_default=None, validate=validate.Range(min=1))
    format = ma.fields.String(load_default=None, validate=validate.OneOf(("json", "csv")),
                              metadata={"description": "`csv` for a download (or send `Accept: text/csv`)."})

    @ma.validates_schema(skip_on_field_errors=False)
    def _period(self, data, **_kw):
        """Report a reversed or too long period with the other field errors (the service checks it again)."""
        if data.get("date_from") and data.get("date_to"):
            errors = rules.period_errors(data["date_from"], data["date_to"])
            if errors:
                raise ma.ValidationError(errors)


class BreachQuerySchema(ReportQuerySchema):
    type = ma.fields.String(load_default=None, validate=validate.OneOf(rules.BREACH_TYPES))
    status = ma.fields.String(load_default=None, validate=validate.OneOf(BREACH_STATUSES),
                              metadata={"description": "Rate violations can be pending or rejected; "
                                                       "every other breach is approved."})


class BreachListQuerySchema(BreachQuerySchema):
    """The API list also pages: ``cursor`` from ``next`` and ``limit`` (JSON only; CSV is the whole period)."""

    cursor = ma.fields.String(load_default=None, validate=validate.Length(min=1, max=200),
                              metadata={"description": "Opaque cursor from `next`."})
    limit = ma.fields.Integer(load_default=rules.BREACH_PAGE_DEFAULT,
                              validate=validate.Range(min=1, max=rules.BREACH_PAGE_MAX),
                              metadata={"description": f"Rows per page, at most {rules.BREACH_PAGE_MAX}."})


class FillRateQuerySchema(ReportQuerySchema):
    group_by = ma.fields.String(load_default="site", validate=validate.OneOf(rules.GROUP_BYS))


class SpendQuerySchema(FillRateQuerySchema):
    """The spend report takes the fill rates' filters: period, site, department, grouping."""


class ForecastQuerySchema(ma.Schema):
    days = ma.fields.Integer(load_default=forecast_rules.DEFAULT_DAYS,
                             validate=validate.Range(min=forecast_rules.MIN_DAYS, max=forecast_rules.MAX_DAYS),
                             metadata={"description": "London days from today (today included)."})
    site_id = ma.fields.Integer(load_default=None, validate=validate.Range(min=1))
    format = ma.fields.String(load_default=None, validate=validate.OneOf(("json", "csv")),
                              metadata={"description": "`csv` for a download (or send `Accept: text/csv`)."})


class PeriodReportSchema(ma.Schema):
    """What every report of a period says first: its London dates, both included."""
    date_from = ma.fields.Function(lambda o: o["period"].date_from.isoformat(), data_key="from")
    date_to = ma.fields.Function(lambda o: o["period"].date_to.isoformat(), data_key="to")


class BreachItemSchema(ma.Schema):
    id = ma.fields.String(metadata={"description": "`breach-<id>` or `rate_violation-<id>`."})
    type = ma.fields.String()
    status = ma.fields.String(metadata={"description": "approved, pending or rejected."})
    at = ma.fields.Function(lambda o: format_london(o["at"]),
                            metadata={"description": "Approval time; for a pending rate violation, when asked."})
    site_id = ma.fields.Integer()
    site_code = ma.fields.String()
    department_id = ma.fields.Integer(allow_none=True)
    department_name = ma.fields.String(allow_none=True)
    shift_id = ma.fields.Integer(allow_none=True)
    shift_start = ma.fields.Function(lambda o: format_london(o["shift_start"]))
    amount_over = ma.fields.Function(lambda o: _money(o["amount_over"]),
                                     metadata={"description": "GBP over the card or cap, when known."})
    approved_by = ma.fields.String(allow_none=True, metadata={"description": "Name of who approved it."})
    approved_by_id = ma.fields.Integer(allow_none=True)
    decided_by = ma.fields.String(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    decision_note = ma.fields.String(allow_none=True)
    source_type = ma.fields.String(allow_none=True)
    source_id = ma.fields.Integer(allow_none=True)


def breach_item_json(item) -> dict:
    """One breach row as the API gives it: the fields of ``BreachItemSchema``, already JSON values.

    Built by hand because a year of the register is thousands of rows and marshmallow's per-field
    dump of each cost several times the SQL; ``tests/reports`` checks it against the schema.
    """
    return {
        "id": item["id"], "type": item["type"], "status": item["status"], "at": format_london(item["at"]),
        "site_id": item["site_id"], "site_code": item["site_code"], "department_id": item["department_id"],
        "department_name": item["department_name"], "shift_id": item["shift_id"],
        "shift_start": format_london(item["shift_start"]), "amount_over": _money(item["amount_over"]),
        "approved_by": item["approved_by"], "approved_by_id": item["approved_by_id"],
        "decided_by": item["decided_by"], "reason": item["reason"], "decision_note": item["decision_note"],
        "source_type": item["source_type"], "source_id": item["source_id"],
    }


class BreachItemList(ma.fields.List):
    """Documented as a list of ``BreachItemSchema``; each item is shaped by ``breach_item_json`` (no per-field dump)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else [breach_item_json(item) for item in value]


class SiteTotalsSchema(ma.Schema):
    site_id = ma.fields.Integer()
    label = ma.fields.String()
    total = ma.fields.Integer()
    by_type = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class BreachReportSchema(PeriodReportSchema):
    items = BreachItemList(ma.fields.Nested(BreachItemSchema))
    next = ma.fields.String(allow_none=True, metadata={"description": "Cursor of the next page; null on the last."})
    totals = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(),
                            metadata={"description": "Breaches per type (every type, zero included), "
                                                     "over the whole period, not just this page."})
    total = ma.fields.Integer()
    totals_by_site = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(SiteTotalsSchema))


class FillFiguresSchema(ma.Schema):
    posted = ma.fields.Integer()
    filled_bank = ma.fields.Integer()
    filled_agency = ma.fields.Integer()
    unfilled = ma.fields.Integer()
    fill_rate = ma.fields.Function(lambda o: _rate(o["fill_rate"]),
                                   metadata={"description": "Filled ÷ posted, 0 to 1, half-up to 4 decimals."})
    spend_bank = ma.fields.Function(lambda o: _money(o["spend_bank"]))
    spend_agency = ma.fields.Function(lambda o: _money(o["spend_agency"]))
    hours_delivered = ma.fields.Function(lambda o: hours_str(o["minutes_delivered"]))


class GroupSchema(ma.Schema):
    """Which group a row of a grouped report is."""
    key = ma.fields.Raw(metadata={"description": "Site, department or grade id, or the ISO week (2026-W05)."})
    label = ma.fields.String()
    week_start = ma.fields.Date(metadata={"description": "Grouped by week: its Monday."})


class GroupedReportSchema(PeriodReportSchema):
    group_by = ma.fields.String()


class FillItemSchema(FillFiguresSchema, GroupSchema):
    pass


class FillRateReportSchema(GroupedReportSchema):
    items = ma.fields.List(ma.fields.Nested(FillItemSchema))
    totals = ma.fields.Nested(FillFiguresSchema)
    spend = ma.fields.Function(lambda o: {k: money_str(v) for k, v in o["spend"].items()},
                               metadata={"description": "Bank pay (approved timesheets) and agency charges, GBP."})
    hours_delivered = ma.fields.String(metadata={"description": "Hours of patient care delivered."})


class SpendFiguresSchema(ma.Schema):
    bank_hours = ma.fields.Function(lambda o: hours_str(o["bank_minutes"]),
                                    metadata={"description": "Hours worked by bank doctors."})
    bank_spend = ma.fields.Function(lambda o: money_str(o["bank_spend"]),
                                    metadata={"description": "GBP: approved pay lines, plus estimates."})
    agency_hours = ma.fields.Function(lambda o: hours_str(o["agency_minutes"]))
    agency_spend = ma.fields.Function(lambda o: money_str(o["agency_spend"]),
                                      metadata={"description": "GBP at the agreed charge rates."})
    agency_share = ma.fields.Function(lambda o: _rate(o["agency_share"]),
                                      metadata={"description": "Agency spend ÷ all spend, 0 to 1, half-up to "
                                                               "4 decimals; null when nothing was spent."})
    off_card_spend = ma.fields.Function(lambda o: money_str(o["off_card_spend"]),
                                        metadata={"description": "GBP of bank spend paid at a flat rate instead "
                                                                 "of the rate card (part of bank_spend)."})
    estimated_spend = ma.fields.Function(lambda o: money_str(o["estimated_spend"]),
                                         metadata={"description": "GBP of the spend that is an estimate: worked "
                                                                  "shifts whose timesheet is not approved yet."})


class SpendItemSchema(SpendFiguresSchema, GroupSchema):
    pass


class SpendReportSchema(GroupedReportSchema):
    items = ma.fields.List(ma.fields.Nested(SpendItemSchema))
    totals = ma.fields.Nested(SpendFiguresSchema, metadata={"description": "The sum of the groups."})


class ForecastOutlookSchema(ma.Schema):
    posted = ma.fields.Integer(metadata={"description": "Shifts posted so far that start after now that day."})
    open = ma.fields.Integer(metadata={"description": "Of those, with nobody booked yet."})
    expected_unfilled = ma.fields.Function(lambda o: float(o["expected_unfilled"]),
                                           metadata={"description": "Expected never to be filled, one decimal."})
    low = ma.fields.Integer(metadata={"description": f"{forecast_rules.RANGE_PERCENT}% range: lower bound."})
    high = ma.fields.Integer(metadata={"description": f"{forecast_rules.RANGE_PERCENT}% range: upper bound."})


class ForecastFiguresSchema(ForecastOutlookSchema):
    date = ma.fields.Date(metadata={"description": "London date."})


class ForecastItemSchema(ForecastFiguresSchema):
    site_id = ma.fields.Integer()
    site_name = ma.fields.String()


class ForecastReportSchema(PeriodReportSchema):
    as_of = ma.fields.Function(lambda o: format_london(o["as_of"]), metadata={"description": "When it was made."})
    days = ma.fields.Integer()
    items = ma.fields.List(ma.fields.Nested(ForecastItemSchema), metadata={"description": "Per site and day."})
    totals = ma.fields.List(ma.fields.Nested(ForecastFiguresSchema),
                            metadata={"description": "Per day, for the sites shown."})
    overall = ma.fields.Nested(ForecastOutlookSchema,
                               metadata={"description": "Every day and site shown together."})
    backtest = ma.fields.Dict(metadata={"description": "The model's back-test on the bench year: mean absolute "
                                                       "error per site and day, and a baseline's."})
