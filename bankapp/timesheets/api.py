"""Timesheets API: doctors submit and amend, approvers decide (contract: "Timesheets and payroll")."""
from flask import g
from flask_smorest import Blueprint

from ..apiutil import keyset_page, list_schema
from ..auth.permissions import api_auth
from ..errors import NotFound
from ..extensions import db
from ..shifts.models import Booking
from . import queries, services
from .models import Timesheet
from .schemas import (
    BulkApprovedSchema,
    BulkApproveSchema,
    TimesheetAmendSchema,
    TimesheetCreateSchema,
    TimesheetDecisionSchema,
    TimesheetQuerySchema,
    TimesheetSchema,
)

blp = Blueprint("timesheets_api", __name__, url_prefix="/api/v1", description="Timesheets and their approval")
SECURITY = [{"bearerAuth": []}]


def _visible(ts_id) -> Timesheet:
    ts = queries.visible_to(g.actor, ts_id)
    if ts is None:
        raise NotFound("No such timesheet.")
    return ts


@blp.post("/timesheets")
@blp.arguments(TimesheetCreateSchema)
@blp.response(201, TimesheetSchema)
@blp.alt_response(403, description="Not your booking")
@blp.alt_response(409, description="A timesheet already exists for this booking")
@blp.alt_response(422, description="Shift not ended yet, or bad times")
@blp.doc(security=SECURITY)
@api_auth("doctor", "coordinator")
def submit(body):
    """Submit the actual times of a booked shift after it has ended.

    The booked doctor submits; for an agency locum a coordinator of the site
    enters it on the locum's behalf.
    """
    booking = db.session.get(Booking, body.pop("booking_id"))
    if booking is None:
        raise NotFound("No such booking.")
    ts = services.submit_timesheet(booking, actor=g.actor, **body)
    return ts


@blp.get("/timesheets")
@blp.arguments(TimesheetQuerySchema, location="query")
@blp.response(200, list_schema(TimesheetSchema, "TimesheetList"))
@blp.doc(security=SECURITY)
@api_auth()
def list_timesheets(query):
    """Timesheets you may see: a doctor their own, approvers their sites' (e.g. `?status=submitted`)."""
    cursor, limit = query.pop("cursor"), query.pop("limit")
    return keyset_page(db.session, queries.list_statement(g.actor, **query), Timesheet.id, cursor=cursor,
                       limit=limit)


@blp.get("/timesheets/<int:ts_id>")
@blp.response(200, TimesheetSchema)
@blp.doc(security=SECURITY)
@api_auth()
def get_timesheet(ts_id):
    return _visible(ts_id)


@blp.patch("/timesheets/<int:ts_id>")
@blp.arguments(TimesheetAmendSchema(partial=True))
@blp.response(200, TimesheetSchema)
@blp.alt_response(409, description="Only a queried timesheet can be amended")
@blp.alt_response(422, description="Bad times, checked as the timesheet will stand")
@blp.doc(security=SECURITY)
@api_auth("doctor", "coordinator")
def amend(body, ts_id):
    """Amend a queried timesheet; it returns to `submitted`.

    Partial: only the fields sent change (e.g. `{"actual_end": …}`); the
    times are checked again as the timesheet will stand.
    """
    ts = services.amend_timesheet(_visible(ts_id), actor=g.actor, **body)
    return ts


def _decision(action):
    @blp.arguments(TimesheetDecisionSchema)
    @blp.response(200, TimesheetSchema)
    @blp.alt_response(403, description="Not an approver of this site, or your own timesheet")
    @blp.alt_response(409, description="Not waiting for a decision")
    @blp.doc(security=SECURITY)
    @api_auth("approver")
    def view(body, ts_id):
        ts = getattr(services, f"{action}_timesheet")(_visible(ts_id), actor=g.actor,
                                                             note=body.get("note"))
        return ts

    view.__name__ = f"{action}_timesheet"
    view.__doc__ = {"approve": "Approve: the pay lines are computed from the actual times and stored for good.\n\n"
                               "`late` is set when approved after the cut-off (Monday 09:00 London by default) of "
                               "the pay run it was due for: the first cut-off after its latest submission. A late "
                               "approval is also a `late_timesheet` breach.",
                    "reject": "Reject, with a note saying why.",
                    "query": "Query, with a note; the doctor amends and resubmits."}[action]
    blp.post(f"/timesheets/<int:ts_id>/{action}")(view)


for _action in ("approve", "reject", "query"):
    _decision(_action)


@blp.post("/timesheets/bulk-approve")
@blp.arguments(BulkApproveSchema)
@blp.response(200, BulkApprovedSchema)
@blp.alt_response(422, description="Some are changed, not submitted or not yours to decide: nothing approved")
@blp.doc(security=SECURITY)
@api_auth("approver")
def bulk_approve(body):
    """Approve several timesheets worked exactly as booked (no break); all or none."""
    approved = services.bulk_approve(body["ids"], actor=g.actor)
    return {"approved_ids": [ts.id for ts in approved], "count": len(approved)}
