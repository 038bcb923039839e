"""Shifts and bookings API (contract "Shifts" and "Claim checks").

Choices where the contract is silent:
- Posting is for coordinators of the department's site (and admins).
- A shift that has already started cannot be claimed (409); a coordinator may
  still assign it (retrospective bookings).
- `POST /shifts/{id}/cancel`: a coordinator of the site cancels the shift (and
  any booking on it; reason required). The booked doctor cancels their own
  booking up to DOCTOR_CANCEL_CUTOFF_HOURS (48) before the start; later it is
  refused with 422 reason `cancel_cutoff_passed`. The shift then returns to
  the board and is re-advertised.
- Shifts and bookings another user may not see are 404, never 403, so ids
  leak nothing.
"""
from flask import g, request
from flask_smorest import Blueprint

from ..apiutil import keyset_page, list_schema
from ..auth.models import User
from ..auth.permissions import api_auth, can_act_on_site
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..notifications import fanout
from ..org.models import Department
from ..org.services import grade_by_code
from ..timeutil import now_utc
from . import csv_import, editing, eligibility, queries, rate_approval_api, services
from .booking import assign_shift, claim_shift
from .candidates import candidates_for
from .eligibility import DoctorView
from .models import Booking, Shift
from .schemas import (
    AssignSchema,
    BookingDetailSchema,
    BookingQuerySchema,
    BookingSchema,
    CancelSchema,
    CandidateQuerySchema,
    CandidateSchema,
    InvitedSchema,
    InviteSchema,
    ShiftCreateSchema,
    ShiftEditSchema,
    ShiftQuerySchema,
    ShiftSchema,
    forget_primed,
    prime,
    range_bounds,
)

blp = Blueprint("shifts_api", __name__, url_prefix="/api/v1",
                description="Shifts, claims and bookings. " + __doc__.split("\n", 1)[1].strip())
SECURITY = [{"bearerAuth": []}]
COORDINATORS = ("coordinator", "admin")
blp.teardown_request(forget_primed)
BLUEPRINTS = [blp, rate_approval_api.blp]


def _shift_for(user, shift_id) -> Shift:
    shift = queries.visible_shift(user, shift_id)
    if shift is None:
        raise NotFound("No such shift.")
    return shift


@blp.post("/shifts")
@blp.arguments(ShiftCreateSchema)
@blp.response(201, ShiftSchema)
@blp.alt_response(422, description="Invalid input (end before start, over 24 h, clock-change gap, past start "
                                   "without retrospective, no rate card in force)")
@blp.doc(security=SECURITY)
@api_auth(*COORDINATORS)
def post_shift(body):
    """Post a shift.

    Without `hourly_rate` the shift pays card rates per band. With a flat rate
    that costs more than the card, the shift is created `pending_rate_approval`
    and carries `rate_violation`.
    """
    department = db.session.get(Department, body["department_id"])
    grade = grade_by_code(body["grade"])
    errors = {}
    if department is None:
        errors["department_id"] = ["No department has this id."]
    if grade is None:
        errors["grade"] = [f"Unknown grade: {body['grade']}."]
    if errors:
        raise ValidationFailed("Some fields are not valid.", errors=errors)
    shift = services.post_shift(actor=g.actor, department=department, grade=grade, start=body["start"],
                                end=body["end"], hourly_rate=body["hourly_rate"], reason=body["reason"],
                                retrospective=body["retrospective"])
    return shift


@blp.get("/shifts")
@blp.arguments(ShiftQuerySchema, location="query")
@blp.response(200, list_schema(ShiftSchema, "ShiftList"))
@blp.doc(security=SECURITY)
@api_auth()
def list_shifts(query):
    """Shifts the caller may see, by id.

    Doctors: claimable shifts that have not started, of a grade and site they
    may work, plus shifts they are booked on; each with `can_claim` and
    `reasons` (what a claim would answer now). `eligible=true`: only those a
    claim would book (for anyone else: none). Coordinators and approvers: their
    sites. Executives, payroll, admins: the whole trust. Agencies: shifts
    released to their tier. `from`/`to` filter on the start; a date means the
    London day.
    """
    from_, to = range_bounds(query.pop("from_"), query.pop("to"))
    cursor, limit, eligible = query.pop("cursor"), query.pop("limit"), query.pop("eligible")
    doctor = g.actor.has_role("doctor")
    view = DoctorView.from_now(g.actor) if doctor else None
    if eligible:
        stmt = queries.board_query(g.actor, from_=from_, to=to, **query) if doctor else None
    else:
        stmt = queries.shifts_visible_to(g.actor, from_=from_, to=to, **query)
    if stmt is None:
        return {"items": [], "next": None}
    page = (queries.id_page(stmt.where(queries.clear_of_bookings(g.actor.id)), cursor=cursor, limit=limit,
                            keep=view.can_claim) if eligible
            else keyset_page(db.session, stmt, Shift.id, cursor=cursor, limit=limit))
    # The view reads every booking from now on: enough for any shift a doctor sees (those in the past are
    # booked or worked, so not available whatever the bookings around them).
    prime(page["items"], reasons={s.id: view.reasons(s) for s in page["items"]} if doctor else None)
    return page


@blp.get("/shifts/<int:shift_id>")
@blp.response(200, ShiftSchema)
@blp.doc(security=SECURITY)
@api_auth()
def get_shift(shift_id):
    """One shift with its `pay_estimate` and any `rate_violation`; for a doctor, `can_claim` and `reasons`."""
    shift = _shift_for(g.actor, shift_id)
    if g.actor.has_role("doctor"):
        prime([shift], reasons=eligibility.for_doctor(g.actor, [shift]))
    return shift


@blp.patch("/shifts/<int:shift_id>")
@blp.arguments(ShiftEditSchema)
@blp.response(200, ShiftSchema)
@blp.alt_response(409, description="Booked, with agencies, cancelled or worked: the terms (or anything) can no "
                                   "longer change")
@blp.alt_response(422, description="Invalid input (as when posting)")
@blp.doc(security=SECURITY)
@api_auth(*COORDINATORS)
def edit_shift(body, shift_id):
    """Change a shift: only the fields sent.

    `start`, `end`, `hourly_rate` and `grade` while the shift is `open` or
    `pending_rate_approval`: the rate is checked against the card again, so a
    change above the card holds the shift for a new approval (any pending one
    is withdrawn) and a change back within it opens the shift. Once booked (or
    released to agencies) only `notes` change; the booked doctor is texted the
    new note. Audited with the fields before and after.
    """
    shift = _shift_for(g.actor, shift_id)
    changes = dict(body)
    if "grade" in changes:
        changes["grade"] = grade_by_code(body["grade"])
        if changes["grade"] is None:
            raise ValidationFailed("Some fields are not valid.", errors={"grade": [f"Unknown grade: {body['grade']}."]})
    return editing.edit_shift(shift, actor=g.actor, changes=changes)


@blp.post("/shifts/<int:shift_id>/claim")
@blp.response(201, BookingSchema)
@blp.alt_response(409, description="No longer available (booked, cancelled, awaiting rate approval, started)")
@blp.alt_response(422, description="Refused by the claim checks; `reasons` lists every one")
@blp.doc(security=SECURITY)
@api_auth()
def claim(shift_id):
    """A bank doctor claims a shift. Exactly one booking per shift, whatever the concurrency.

    The claim checks count the doctor's bookings at every site; among the working-time reasons,
    `wtr_average_48h`: in every 182-day window holding any part of the shift, at most 1,248 booked hours
    (48 a week over 26 weeks), or 1,456 (56 a week) with an opt-out recorded on the doctor
    (`PATCH /users/{id}` `wtr_opt_out`).
    """
    if not g.actor.has_role("doctor"):
        raise Forbidden("Only bank doctors can claim shifts.")
    booking = claim_shift(shift_id, doctor=g.actor)
    return booking


@blp.post("/shifts/<int:shift_id>/assign")
@blp.arguments(AssignSchema)
@blp.response(201, BookingSchema)
@blp.alt_response(409, description="No longer available")
@blp.alt_response(422, description="Refused by the claim checks; only working-time reasons can be overridden")
@blp.doc(security=SECURITY)
@api_auth(*COORDINATORS)
def assign(body, shift_id):
    """Book a doctor directly. `override_reason` overrides working-time reasons only (a `wtr_override` breach)."""
    shift = _shift_for(g.actor, shift_id)
    doctor = db.session.get(User, body["doctor_id"])
    if doctor is None:
        raise ValidationFailed("Unknown doctor.", errors={"doctor_id": ["No doctor has this id."]})
    booking = assign_shift(shift.id, doctor=doctor, actor=g.actor, override_reason=body["override_reason"])
    return booking


@blp.get("/shifts/<int:shift_id>/candidates")
@blp.arguments(CandidateQuerySchema, location="query")
@blp.response(200, list_schema(CandidateSchema, "CandidateList"))
@blp.doc(security=SECURITY)
@api_auth(*COORDINATORS)
def candidates(query, shift_id):
    """Doctors a coordinator of the site could book on this shift (`q`: part of a name or GMC number).

    Those who can be booked now come first (`can_assign`), then those only working-time limits stand in the way
    of (`can_override`), then the others; each with `reasons`, worded about the doctor by name."""
    shift = _shift_for(g.actor, shift_id)
    services.require_coordinator(g.actor, shift.site_id)
    return {"items": candidates_for(shift, q=query["q"], limit=query["limit"]), "next": None}


@blp.post("/shifts/<int:shift_id>/invite")
@blp.arguments(InviteSchema)
@blp.response(200, InvitedSchema)
@blp.alt_response(409, description="The shift cannot take a booking now (booked, cancelled, awaiting its rate, "
                                   "started)")
@blp.doc(security=SECURITY)
@api_auth(*COORDINATORS)
def invite(body, shift_id):
    """Text every doctor who can take this shift now and takes texts, with an optional note. Audited.

    Each doctor is invited to a shift once; opt-in, STOP, their alert choices, quiet hours (unless the shift is
    urgent) and the daily cap of shift texts apply as for alerts."""
    shift = _shift_for(g.actor, shift_id)
    services.require_coordinator(g.actor, shift.site_id)
    problem = eligibility.unavailable(shift, now_utc())
    if problem:
        raise Conflict(problem)
    queued, send_after = fanout.invite(shift, actor=g.actor, message=body["message"])
    return {"queued": queued, "send_after": send_after}


@blp.post("/shifts/<int:shift_id>/cancel")
@blp.arguments(CancelSchema)
@blp.response(200, ShiftSchema)
@blp.doc(security=SECURITY)
@api_auth("doctor", *COORDINATORS)
def cancel(body, shift_id):
    """Coordinator: cancel the shift (reason required). Booked doctor: cancel their booking before the cut-off."""
    shift = _shift_for(g.actor, shift_id)
    if can_act_on_site(g.actor, shift.site_id, *COORDINATORS) and g.actor.has_role(*COORDINATORS):
        services.cancel_shift(shift, actor=g.actor, reason=body["reason"])
    else:
        booking = queries.live_booking(shift.id)
        if booking is None or booking.doctor_id != g.actor.id:
            raise NotFound("You have no booking on this shift.")
        services.cancel_booking(booking, actor=g.actor, reason=body["reason"])
    return db.session.get(Shift, shift_id)


@blp.post("/shifts/<int:shift_id>/reopen")
@blp.response(200, ShiftSchema)
@blp.doc(security=SECURITY)
@api_auth(*COORDINATORS)
def reopen(shift_id):
    """Put a cancelled shift back on the board (a flat rate is checked against the card again)."""
    shift = services.reopen_shift(_shift_for(g.actor, shift_id), actor=g.actor)
    return shift


@blp.post("/shifts/import")
@blp.response(201, list_schema(ShiftSchema, "ImportedShifts"))
@blp.doc(security=SECURITY, requestBody={"content": {
    "text/csv": {"schema": {"type": "string"}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {"file": {"type": "string",
                                                                                 "format": "binary"}}}}}})
@api_auth(*COORDINATORS)
def import_rota():
    """Post a rota from CSV: `department` (name or id), `grade` (code), `start`, `end`, optional `hourly_rate`,
    `site` (code) and `reason`. All or nothing: any bad line → 422 with `errors` keyed `line N` (the header is
    line 1), every problem of every line at once, and nothing imported. The upload page offers a template
    file. A `text/csv` body may be up to 1 MB, a `multipart/form-data` upload up to 10 MB (larger: 413)."""
    upload = request.files.get("file")
    raw = upload.read() if upload is not None else request.get_data()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("The file is not UTF-8 text.", errors={"file": ["Save the rota as CSV (UTF-8)."]}) \
            from None
    shifts = csv_import.import_rota(text, actor=g.actor)
    return {"items": shifts, "next": None}


@blp.get("/bookings")
@blp.arguments(BookingQuerySchema, location="query")
@blp.response(200, list_schema(BookingDetailSchema, "BookingList"))
@blp.doc(security=SECURITY)
@api_auth()
def list_bookings(query):
    """The caller's own bookings (`when=upcoming|past`); never anyone else's."""
    stmt = queries.my_bookings(g.actor, query["when"])
    page = keyset_page(db.session, stmt, Booking.id, cursor=query["cursor"], limit=query["limit"])
    prime(b.shift for b in page["items"])
    return page


@blp.get("/bookings/<int:booking_id>")
@blp.response(200, BookingDetailSchema)
@blp.doc(security=SECURITY)
@api_auth()
def get_booking(booking_id):
    """One of the caller's own bookings; anyone else's is 404."""
    booking = queries.my_booking(g.actor, booking_id)
    if booking is None:
        raise NotFound("No such booking.")
    return booking
