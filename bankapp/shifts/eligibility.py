"""Eligibility before the tap: what a claim would answer now, for many (doctor, shift) pairs at once.

The board, the shift page and the API show a doctor, before they tap, the
reasons a claim would give; a coordinator choosing whom to book sees the same
for every candidate. Both read one set of facts in a constant number of
statements, whatever the number of shifts or doctors:

* :class:`DoctorView` — one doctor, many shifts: their documents (one
  statement) and their live bookings around the shifts (one);
* :class:`ShiftView` — one shift, many doctors: every doctor's documents (one)
  and live bookings around the shift (one); the doctors come with their roles,
  sites and grade loaded.

Each pair then goes through the very checks a claim runs (``rules.check_claim``
on ``queries.doctor_facts``/``shift_facts`` and the bookings within
``queries.CLAIM_CONTEXT``), and a claim itself asks :func:`claim_reasons`.
Availability comes first: a shift a claim would answer 409 for (booked,
cancelled, worked, waiting for its rate, started) carries one
``not_available`` reason with the claim's own words.
"""
from collections.abc import Sequence
from datetime import datetime

from ..staff.services import latest_documents_of
from ..timeutil import now_utc
from . import lifecycle, rules
from .models import CLAIMABLE_STATUSES
from .queries import CLAIM_CONTEXT, Booked, doctor_facts, live_bookings_of, shift_facts
from .working_time import YOU, Voice

NOT_AVAILABLE = "not_available"
STARTED = "This shift has already started."


def unavailable(shift, now: datetime, *, allow_started: bool = False) -> str | None:
    """Why a shift (anything with its ``status`` and ``start_at``) cannot take a booking now (the claim's 409
    detail), or None when it can."""
    if shift.status not in CLAIMABLE_STATUSES:
        return lifecycle.NOT_BOOKABLE.get(shift.status, "This shift is no longer available.")
    if not allow_started and shift.start_at <= now:
        return STARTED
    return None


def _around(bookings: Sequence[Booked], shift) -> list[rules.Interval]:
    """The bookings a claim of ``shift`` is checked against: within CLAIM_CONTEXT of it, the shift itself left out."""
    after, before = shift.start_at - CLAIM_CONTEXT, shift.end_at + CLAIM_CONTEXT
    return [b.interval for b in bookings
            if b.shift_id != shift.id and b.interval.end > after and b.interval.start < before]


def _reasons(facts: rules.DoctorFacts, bookings: Sequence[Booked], shift, voice: Voice) -> list[rules.Reason]:
    return rules.check_claim(facts, shift_facts(shift), _around(bookings, shift), voice=voice)


def claim_reasons(doctor, shift, *, voice: Voice = YOU) -> list[rules.Reason]:
    """Every claim-check reason for one doctor and one shift (what ``booking.claim_shift`` asks under its locks)."""
    bookings = live_bookings_of([doctor.id], ends_after=shift.start_at - CLAIM_CONTEXT,
                                starts_before=shift.end_at + CLAIM_CONTEXT)
    return _reasons(doctor_facts(doctor), bookings, shift, voice)


class DoctorView:
    """One doctor's facts, read once, for checking any number of shifts.

    ``since``/``until`` bound the bookings read; shifts checked must lie within
    them less CLAIM_CONTEXT (``for_doctor`` sizes them to its shifts; the
    board reads every booking from now on).
    """

    def __init__(self, doctor, *, since: datetime, until: datetime | None = None, now: datetime | None = None):
        self.now = now or now_utc()
        self.facts = doctor_facts(doctor)
        self.bookings = live_bookings_of([doctor.id], ends_after=since - CLAIM_CONTEXT,
                                         starts_before=until + CLAIM_CONTEXT if until is not None else None)
        self._seen: dict[int, list[rules.Reason]] = {}

    @classmethod
    def from_now(cls, doctor) -> "DoctorView":
        """For the shifts a doctor may still claim: every booking from now on."""
        now = now_utc()
        return cls(doctor, since=now, now=now)

    def reasons(self, shift) -> list[rules.Reason]:
        """What a claim would answer now: ``not_available``, or the claim checks' reasons ([]: it would book)."""
        if shift.id not in self._seen:
            problem = unavailable(shift, self.now)
            self._seen[shift.id] = ([rules.Reason(NOT_AVAILABLE, problem)] if problem
                                    else _reasons(self.facts, self.bookings, shift, YOU))
        return self._seen[shift.id]

    def can_claim(self, shift) -> bool:
        """Would a claim book it now? The cheap checks first: the working-time checks (the costly part) run
        only for a shift that is available, of the right grade, site and documents, and overlaps no booking."""
        if shift.id in self._seen:
            return not self._seen[shift.id]
        if unavailable(shift, self.now):
            return False
        facts, around = shift_facts(shift), _around(self.bookings, shift)
        if rules.overlapping(around, facts.interval) or rules.check_eligibility(self.facts, facts):
            return False
        return not self.reasons(shift)


def for_doctor(doctor, shifts) -> dict[int, list[rules.Reason]]:
    """shift id → what a claim by ``doctor`` would answer now ([]: it would book), in two statements."""
    shifts = list(shifts)
    if not shifts:
        return {}
    view = DoctorView(doctor, since=min(s.start_at for s in shifts), until=max(s.end_at for s in shifts))
    return {shift.id: view.reasons(shift) for shift in shifts}


class ShiftView:
    """One shift, any number of doctors: what an assignment by a coordinator would answer for each.

    The doctors must come with roles, sites and profile (grade) loaded. Reasons are worded for the
    coordinator ("Dr Amy Shah's DBS check…"); availability is the coordinator's (a started shift may
    still be assigned).
    """

    def __init__(self, shift, doctors: Sequence, *, now: datetime | None = None):
        self.shift = shift
        self.problem = unavailable(shift, now or now_utc(), allow_started=True)
        ids = [d.id for d in doctors]
        documents = latest_documents_of(ids) if ids else {}
        self.facts = {d.id: doctor_facts(d, documents.get(d.id, {})) for d in doctors}
        self.names = {d.id: d.name for d in doctors}
        booked = live_bookings_of(ids, ends_after=shift.start_at - CLAIM_CONTEXT,
                                  starts_before=shift.end_at + CLAIM_CONTEXT) if ids else []
        self.bookings: dict[int, list[Booked]] = {}
        for b in booked:
            self.bookings.setdefault(b.doctor_id, []).append(b)

    def reasons(self, doctor_id) -> list[rules.Reason]:
        if self.problem:
            return [rules.Reason(NOT_AVAILABLE, self.problem)]
        return _reasons(self.facts[doctor_id], self.bookings.get(doctor_id, []), self.shift,
                        Voice(self.names[doctor_id]))


def for_shift(shift, doctors) -> dict[int, list[rules.Reason]]:
    """doctor id → what assigning them to ``shift`` would answer now, in the coordinator's words."""
    view = ShiftView(shift, list(doctors))
    return {doctor_id: view.reasons(doctor_id) for doctor_id in view.facts}
