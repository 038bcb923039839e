"""Claim checks: may this doctor take this shift? Pure functions, no Flask, no DB.

Every check returns all its reasons (never just the first), at most one
:class:`Reason` per code, in :data:`REASON_CODES` order; ``[]`` means yes.

* Times are aware datetimes, normalised to UTC, so durations are real elapsed
  time: a 20:00-08:00 night lasts 13 h over the October clock change, 11 h over
  the March one. Messages show Europe/London wall-clock time.
* ``existing`` is every live booking of the doctor at every site, without the
  shift being checked. Existing shifts overlapping the new one are reported as
  ``overlap`` only and left out of the working-time checks. Touching
  (end == start) is not an overlap.
* Working-time checks (the ``wtr_*`` codes): ``working_time.py``.
* Eligibility: ``grade_mismatch`` (no grade, or a lower rank than the shift);
  ``site_not_enabled`` (``site_ids`` is not None and lacks the site);
  ``compliance_missing`` (one reason naming every missing kind);
  ``compliance_expired`` (one reason naming every document expiring before the
  London date on which the shift ends; valid through the expiry date; ``None``
  never expires). Only :data:`REQUIRED_DOCUMENTS` count.
* A coordinator may override only :data:`WTR_CODES`; see :func:`overridable`.
* Every check takes a ``voice`` (``working_time.Voice``): the doctor reads "your
  DBS check…", a coordinator choosing a doctor reads "Dr Amy Shah's DBS check…".
  Grade codes and site names, when the facts carry them, are named in the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from ..staff.documents import DOCUMENT_KINDS, DOCUMENT_WORDS
from ..timeutil import london_date
from .working_time import (
    DEFAULT_LIMITS,
    YOU,
    Interval,
    Reason,
    Voice,
    WorkingTimeLimits,
    _cap,
    _day,
    _listing,
    _overlaps,
    _span,
    check_working_time,
    is_long_shift,
    is_night_shift,
    night_time,
)

__all__ = [
    "DEFAULT_LIMITS", "DOCUMENT_WORDS", "REASON_CODES", "REQUIRED_DOCUMENTS", "WTR_CODES", "DoctorFacts",
    "Interval", "Reason", "ShiftFacts", "Voice", "WorkingTimeLimits", "YOU", "check_claim", "check_eligibility",
    "check_overlap", "check_working_time", "is_long_shift", "is_night_shift", "night_time", "overlapping",
    "overridable",
]

REQUIRED_DOCUMENTS = DOCUMENT_KINDS
#: Every reason code, in the order reasons are returned.
REASON_CODES = (
    "grade_mismatch", "site_not_enabled", "compliance_missing", "compliance_expired",
    "overlap", "wtr_max_shift_13h", "wtr_min_rest_11h", "wtr_max_72h_in_168h", "wtr_average_48h",
    "wtr_max_consecutive_nights", "wtr_rest_after_nights_46h",
    "wtr_max_consecutive_long_shifts", "wtr_max_consecutive_shifts",
)
#: The only codes a coordinator may override (with a written reason).
WTR_CODES = frozenset(code for code in REASON_CODES if code.startswith("wtr_"))


@dataclass(frozen=True)
class DoctorFacts:
    grade_rank: int | None
    site_ids: frozenset[int] | None  # None: enabled at every site
    documents: Mapping[str, date | None] = field(default_factory=dict)
    wtr_opt_out: bool = False  # a recorded opt-out of the 48-hour average: 56 hours a week over 26 weeks
    grade_code: str | None = None  # for the wording only


@dataclass(frozen=True)
class ShiftFacts:
    start: datetime
    end: datetime
    grade_rank: int
    site_id: int
    grade_code: str | None = None  # for the wording only
    site_name: str | None = None

    def __post_init__(self) -> None:
        interval = Interval(self.start, self.end)  # validates and normalises
        object.__setattr__(self, "start", interval.start)
        object.__setattr__(self, "end", interval.end)

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)


# --- Eligibility -----------------------------------------------------------------


_ASK_STAFFING = "Please contact medical staffing."


def _compliance(doctor: DoctorFacts, shift: ShiftFacts, voice: Voice) -> list[Reason]:
    reasons = []
    missing = [DOCUMENT_WORDS[k] for k in REQUIRED_DOCUMENTS if k not in doctor.documents]
    if missing:
        them = "it" if len(missing) == 1 else "them"
        then = (f"Please upload {them} before booking shifts." if voice.name is None
                else f"Medical staffing must record {them} before {voice.name} can be booked.")
        reasons.append(Reason("compliance_missing", f"We do not hold {voice.your} {_listing(missing)}. {then}"))
    ends_on = london_date(shift.end)
    expired = [
        f"{DOCUMENT_WORDS[kind]} (valid until {_day(expires)})"
        for kind in REQUIRED_DOCUMENTS
        if (expires := doctor.documents.get(kind)) is not None and expires < ends_on
    ]
    if expired:
        verb = "runs" if len(expired) == 1 else "run"
        message = f"{_cap(voice.your)} {_listing(expired)} {verb} out before this shift ends on {_day(ends_on)}."
        then = " Please renew before booking." if voice.name is None else ""
        reasons.append(Reason("compliance_expired", message + then))
    return reasons


def _grade(doctor: DoctorFacts, shift: ShiftFacts, voice: Voice) -> list[Reason]:
    if doctor.grade_rank is None:
        return [Reason("grade_mismatch", f"{_cap(voice.your)} grade is not on record yet. {_ASK_STAFFING}")]
    if doctor.grade_rank >= shift.grade_rank:
        return []
    if shift.grade_code and doctor.grade_code:
        mine = "yours" if voice.name is None else f"{voice.your}"
        message = f"This shift needs grade {shift.grade_code} or above; {mine} is {doctor.grade_code}."
    else:
        message = "This shift needs a more senior grade than yours." if voice.name is None else \
            f"This shift needs a more senior grade than {voice.your}."
    return [Reason("grade_mismatch", message)]


def check_eligibility(doctor: DoctorFacts, shift: ShiftFacts, voice: Voice = YOU) -> list[Reason]:
    """Grade, site and compliance documents."""
    reasons = _grade(doctor, shift, voice)
    if doctor.site_ids is not None and shift.site_id not in doctor.site_ids:
        site = shift.site_name or "this hospital site"
        message = f"{_cap(voice.you)} {voice.are} not set up to work at {site}. {_ASK_STAFFING}"
        reasons.append(Reason("site_not_enabled", message))
    return reasons + _compliance(doctor, shift, voice)


def overlapping(existing: Sequence[Interval], new: Interval) -> list[Interval]:
    """The booked shifts that share time with ``new`` (touching is not sharing), soonest first."""
    return sorted((iv for iv in existing if _overlaps(iv, new)), key=lambda iv: iv.start)


def check_overlap(existing: Sequence[Interval], new: Interval, voice: Voice = YOU) -> list[Reason]:
    """One ``overlap`` reason naming every booked shift that shares time with ``new``."""
    hits = overlapping(existing, new)
    if not hits:
        return []
    plural = "s" if len(hits) > 1 else ""
    shown = _listing([_span(iv) for iv in hits])
    return [Reason("overlap", f"This overlaps {voice.your} booked shift{plural}: {shown}.")]


def check_claim(
    doctor: DoctorFacts, shift: ShiftFacts, existing: Sequence[Interval], limits: WorkingTimeLimits = DEFAULT_LIMITS,
    voice: Voice = YOU,
) -> list[Reason]:
    """Every reason the doctor may not take the shift, in :data:`REASON_CODES` order, worded for ``voice``."""
    new, existing = shift.interval, list(existing)
    reasons = [
        *check_eligibility(doctor, shift, voice),
        *check_overlap(existing, new, voice),
        *check_working_time(existing, new, limits, voice, opted_out=doctor.wtr_opt_out),
    ]
    return sorted(reasons, key=lambda r: REASON_CODES.index(r.code))


def overridable(reasons: Iterable[Reason]) -> bool:
    """True when there is something to override and every reason is a WTR code.

    An empty list gives False: there is nothing to override (and no
    ``wtr_override`` breach to record).
    """
    codes = [r.code for r in reasons]
    return bool(codes) and all(code in WTR_CODES for code in codes)
