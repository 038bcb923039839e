"""Working-time safeguards for the claim checks: pure functions, no Flask, no DB.

Times are aware datetimes, normalised to UTC, so durations are real elapsed
time; messages show Europe/London wall-clock time. Also the values every claim
check shares (:class:`Reason`, :class:`Interval`) and their wording.

* Working-time checks look at the whole sequence (existing + new, sorted by
  start) but report only violations the NEW shift causes or takes part in.
  Limits are inclusive: exactly the limit passes.

  - ``wtr_max_shift_13h``: the new shift lasts more than 13 h.
  - ``wtr_min_rest_11h``: under 11 h between the new shift and the one before
    it or the one after it.
  - ``wtr_max_72h_in_168h``: a 168 h window sharing time with the new shift
    holds over 72 h of work (the parts of shifts inside it). Only windows
    starting at a shift start or ending at a shift end are measured: the
    maximum is always one of them.
  - Two shifts are *consecutive* when the later starts on the same or the next
    London date as the earlier starts; a *run* is a block of neighbouring
    shifts of one kind, each consecutive with the one before. A *night shift*
    has at least 3 h of real time between 23:00 and 06:00 London time; a
    *long shift* lasts more than 10 h.
  - ``wtr_max_consecutive_nights``: the new shift is in a run of over 4 nights.
  - ``wtr_rest_after_nights_46h``: a shift after a night starts under 46 h
    after it ends, unless it is a consecutive night (the run continues).
  - ``wtr_max_consecutive_long_shifts``: the new shift is in a run of over 4
    long shifts; or, after a run of at least 4 (the new shift in it or right
    after it), the next shift starts under 48 h after the run ends.
  - ``wtr_max_consecutive_shifts``: the same for runs of any shifts, 7 and 48 h.
  - ``wtr_average_48h``: a 182-day window (26 weeks) sharing time with the new
    shift holds over 48 × 26 = 1,248 h, or 56 × 26 = 1,456 h for a doctor with
    a recorded opt-out. Each window costs a binary search, not a pass over the
    shifts.

* Wording: every message names the limit and the doctor's booked shift it
  clashes with (its site, when the interval carries one, day and times).
  A :class:`Voice` says who reads it: the doctor ("You would have…") or a
  coordinator about the doctor ("Dr Amy Shah would have…").
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import accumulate, pairwise

from ..timeutil import LONDON, london_date, to_utc

_DAY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
# A doctor's bookings are checked against every shift of a page (shifts/eligibility.py): the facts of each
# interval (its London start date, whether it is a night) are worked out once, not once per shift checked.
_CACHED = 8192


@dataclass(frozen=True)
class Reason:
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class Voice:
    """Who a refusal is written for: the doctor themselves, or a coordinator about the doctor named."""

    name: str | None = None

    @property
    def you(self) -> str:
        """Subject or object: "you" / "Dr Amy Shah"."""
        return "you" if self.name is None else self.name

    @property
    def your(self) -> str:
        """Possessive at first mention: "your" / "Dr Amy Shah's"."""
        return "your" if self.name is None else f"{self.name}'s"

    @property
    def their(self) -> str:
        """Possessive once the doctor has been named in the sentence: "your" / "their"."""
        return "your" if self.name is None else "their"

    @property
    def are(self) -> str:
        return "are" if self.name is None else "is"


#: The doctor reading about their own claim.
YOU = Voice()


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Interval:
    """A worked (or booked) stretch of time; stored in UTC, end after start.

    ``where`` (e.g. the site's name) is only for the wording of refusals: it
    takes no part in comparisons.
    """

    start: datetime
    end: datetime
    where: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        start, end = to_utc(self.start), to_utc(self.end)
        if end <= start:
            raise ValueError("an interval must end after it starts")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @property
    def duration(self) -> timedelta:
        """Real elapsed time; compare limits with this, not with ``hours``."""
        return self.end - self.start

    @property
    def hours(self) -> float:
        """Elapsed hours, for display only."""
        return self.duration / timedelta(hours=1)


@dataclass(frozen=True)
class WorkingTimeLimits:
    max_shift: timedelta = timedelta(hours=13)
    min_rest: timedelta = timedelta(hours=11)
    max_hours_in_window: timedelta = timedelta(hours=72)
    window: timedelta = timedelta(hours=168)
    max_consecutive_nights: int = 4
    rest_after_nights: timedelta = timedelta(hours=46)
    long_shift_over: timedelta = timedelta(hours=10)
    max_consecutive_long: int = 4
    rest_after_long: timedelta = timedelta(hours=48)
    max_consecutive_shifts: int = 7
    rest_after_consecutive: timedelta = timedelta(hours=48)
    night_window_start: time = time(23, 0)
    night_window_end: time = time(6, 0)
    night_min: timedelta = timedelta(hours=3)
    average_window: timedelta = timedelta(days=182)  # 26 weeks
    max_average_hours: timedelta = timedelta(hours=48 * 26)
    max_average_hours_opted_out: timedelta = timedelta(hours=56 * 26)


DEFAULT_LIMITS = WorkingTimeLimits()


# --- London time and wording -------------------------------------------------


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=LONDON).astimezone(UTC)


def _when(value: datetime) -> str:
    local = value.astimezone(LONDON)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def _day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def _span(interval: Interval) -> str:
    """"Alpha Hospital, Mon 2 Nov 08:00–20:00" (the site when known; both days when it crosses midnight)."""
    if london_date(interval.start) == london_date(interval.end):
        times = f"{_when(interval.start)}–{interval.end.astimezone(LONDON):%H:%M}"
    else:
        times = f"{_when(interval.start)} to {_when(interval.end)}"
    return f"{interval.where}, {times}" if interval.where else times


def _at_site(interval: Interval) -> str:
    return f" at {interval.where}" if interval.where else ""


def _shift_named(rota, interval: Interval, voice: Voice) -> str:
    """"this shift" for the one being checked; else "your shift at Alpha Hospital"."""
    if interval is rota.new:
        return "this shift"
    return f"{voice.their} shift{_at_site(interval)}"


def _hours(value: timedelta, *, up: bool = False) -> str:
    """Hours to at most two decimals, rounded away from the limit's side."""
    hundredths = value / timedelta(hours=1) * 100
    hundredths = math.ceil(hundredths - 1e-6) if up else math.floor(hundredths + 1e-6)
    return f"{hundredths / 100:.2f}".rstrip("0").rstrip(".")


def _short_rest(voice: Voice, gap: timedelta, after: str, needed: timedelta, then: str = "") -> str:
    text = _hours(gap)
    rest = f"{text} hour's" if text == "1" else f"{text} hours'"
    needed_text = _hours(needed)
    return f"{_cap(voice.you)} would have only {rest} rest {after}; at least {needed_text} hours are needed{then}."


def _listing(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _overlap_time(a: Interval, start: datetime, end: datetime) -> timedelta:
    return max(min(a.end, end) - max(a.start, start), timedelta())


def _overlaps(a: Interval, b: Interval) -> bool:
    return a.start < b.end and b.start < a.end


# --- Shift kinds ---------------------------------------------------------------


@lru_cache(maxsize=_CACHED)
def _start_date(interval: Interval) -> date:
    return london_date(interval.start)


def _micros(value: datetime) -> int:
    """Whole microseconds since 1970: exact integer arithmetic for sums of worked time."""
    return (value - _EPOCH) // _US


@lru_cache(maxsize=_CACHED)
def night_time(interval: Interval, limits: WorkingTimeLimits = DEFAULT_LIMITS) -> timedelta:
    """Real time the interval spends inside London's night window (23:00-06:00)."""
    wraps = limits.night_window_end <= limits.night_window_start
    total, day = timedelta(), london_date(interval.start) - _DAY
    while day <= london_date(interval.end):
        start = _at(day, limits.night_window_start)
        end = _at(day + _DAY if wraps else day, limits.night_window_end)
        total += _overlap_time(interval, start, end)
        day += _DAY
    return total


def is_night_shift(interval: Interval, limits: WorkingTimeLimits = DEFAULT_LIMITS) -> bool:
    return night_time(interval, limits) >= limits.night_min


def is_long_shift(interval: Interval, limits: WorkingTimeLimits = DEFAULT_LIMITS) -> bool:
    return interval.duration > limits.long_shift_over


# --- Working time ----------------------------------------------------------------


class _WorkedTime:
    """Work done before any instant, over many shifts (overlapping or not), in O(log n) per instant.

    worked before t = Σ over shifts starting before t of (t − start) − Σ over shifts ending before t of
    (t − end): whole shifts count in full, the one under way up to t. Exact integer microseconds.
    """

    def __init__(self, shifts: Sequence[Interval]):
        self.starts = sorted(_micros(iv.start) for iv in shifts)
        self.ends = sorted(_micros(iv.end) for iv in shifts)
        self.start_sums = [0, *accumulate(self.starts)]
        self.end_sums = [0, *accumulate(self.ends)]

    def before(self, t: int) -> int:
        began, ended = bisect_left(self.starts, t), bisect_left(self.ends, t)
        return (began * t - self.start_sums[began]) - (ended * t - self.end_sums[ended])

    def between_us(self, start: int, end: int) -> int:
        """Work between two instants given in microseconds since the epoch, in microseconds."""
        return self.before(end) - self.before(start)

    def between(self, start: datetime, end: datetime) -> timedelta:
        return self.between_us(_micros(start), _micros(end)) * _US


class _Rota:
    """The doctor's sorted shifts with the new one at index ``k``."""

    def __init__(self, existing: Sequence[Interval], new: Interval, limits: WorkingTimeLimits, voice: Voice = YOU,
                 opted_out: bool = False):
        self.voice = voice
        self.opted_out = opted_out
        others = [iv for iv in existing if not _overlaps(iv, new)]
        self.shifts = sorted([*others, new], key=lambda iv: (iv.start, iv.end))
        self.k = next(i for i, iv in enumerate(self.shifts) if iv is new)
        self.new = new
        self.limits = limits
        dates = [_start_date(iv) for iv in self.shifts]
        #: consecutive[i]: shift i+1 starts on the same or next date as shift i.
        self.consecutive = [(b - a) <= _DAY for a, b in pairwise(dates)]
        self.nights = [is_night_shift(iv, limits) for iv in self.shifts]
        self.longs = [is_long_shift(iv, limits) for iv in self.shifts]

    def runs(self, flags: Sequence[bool]) -> Iterable[tuple[int, int]]:
        """Maximal blocks (first, last) of flagged, consecutive shifts."""
        i = 0
        while i < len(flags):
            if not flags[i]:
                i += 1
                continue
            j = i
            while j + 1 < len(flags) and flags[j + 1] and self.consecutive[j]:
                j += 1
            yield i, j
            i = j + 1


def _max_shift(rota: _Rota) -> list[str]:
    limit = rota.limits.max_shift
    if rota.new.duration <= limit:
        return []
    length = _hours(rota.new.duration, up=True)
    return [f"This shift is {length} hours long; the limit is {_hours(limit)} hours for one shift."]


def _min_rest(rota: _Rota) -> list[str]:
    messages, limit, new, voice = [], rota.limits.min_rest, rota.new, rota.voice
    if rota.k > 0:
        previous = max(rota.shifts[: rota.k], key=lambda iv: iv.end)
        gap = new.start - previous.end
        if gap < limit:
            after = f"after {voice.their} shift{_at_site(previous)} ending {_when(previous.end)}"
            messages.append(_short_rest(voice, gap, after, limit))
    if rota.k + 1 < len(rota.shifts):
        following = rota.shifts[rota.k + 1]
        gap = following.start - new.end
        if gap < limit:
            before = f"before {voice.their} shift{_at_site(following)} starting {_when(following.start)}"
            messages.append(_short_rest(voice, gap, before, limit))
    return messages


def _busiest_window(rota: _Rota, window: timedelta) -> tuple[int, int]:
    """(most work, where that window begins) over windows of length ``window`` that hold part of the new
    shift, in microseconds. Only windows starting at a shift start or ending at a shift end are measured:
    the maximum is always one of them (work in a sliding window peaks where its left edge meets a start or its
    right edge an end)."""
    new = rota.new
    near = [iv for iv in rota.shifts if iv.end > new.start - window and iv.start < new.end + window]
    worked = _WorkedTime(near)
    span_us, new_start, new_end = window // _US, _micros(new.start), _micros(new.end)
    worst, begins = -1, 0
    for s in sorted({_micros(iv.start) for iv in near} | {_micros(iv.end) - span_us for iv in near}):
        if s < new_end and s + span_us > new_start:
            total = worked.between_us(s, s + span_us)
            if total >= worst:
                worst, begins = total, s
    return worst, begins


def _first_worked(rota: _Rota, begins: int, window: timedelta) -> datetime:
    span_us = window // _US
    first = min(max(_micros(iv.start), begins) for iv in rota.shifts
                if _micros(iv.end) > begins and _micros(iv.start) < begins + span_us)
    return _EPOCH + timedelta(microseconds=first)


def _span_words(window: timedelta) -> str:
    days, rest = divmod(window, _DAY)
    return f"{days} days" if not rest else f"{_hours(window)} hours"


def _hours_in_window(rota: _Rota) -> list[str]:
    window, limit = rota.limits.window, rota.limits.max_hours_in_window
    worst, begins = _busiest_window(rota, window)
    if worst <= limit // _US:
        return []
    span = _span_words(window)
    worked = _hours(timedelta(microseconds=worst), up=True)
    when = _when(_first_worked(rota, begins, window))
    return [f"This would give {rota.voice.you} {worked} hours of work in the {span} from {when}; "
            f"the limit is {_hours(limit)} hours in any {span}."]


def _average_hours(rota: _Rota) -> list[str]:
    limits = rota.limits
    window = limits.average_window
    limit = limits.max_average_hours_opted_out if rota.opted_out else limits.max_average_hours
    worst, begins = _busiest_window(rota, window)
    if worst <= limit // _US:
        return []
    weeks = window / timedelta(weeks=1)
    allowance = f"{_hours(limit / weeks)} hours a week on average" + (" with the opt-out" if rota.opted_out else "")
    worked = _hours(timedelta(microseconds=worst), up=True)
    when = _when(_first_worked(rota, begins, window))
    return [f"This would give {rota.voice.you} {worked} hours of work in the {_span_words(window)} "
            f"({weeks:g} weeks) from {when}; the limit is {_hours(limit)} hours ({allowance})."]


def _runs_too_long(rota: _Rota, flags: Sequence[bool], most: int, nouns: str) -> list[str]:
    """The new shift is in a run of more than ``most``."""
    shifts = rota.shifts
    return [f"This would make {last - first + 1} {nouns} in a row for {rota.voice.you}, "
            f"{_day_of(shifts[first].start)} to {_day_of(shifts[last].start)}; the limit is {most} in a row."
            for first, last in rota.runs(flags)
            if first <= rota.k <= last and last - first + 1 > most]


def _day_of(value: datetime) -> str:
    local = value.astimezone(LONDON)
    return f"{local:%a} {local.day} {local:%b}"


def _rest_after_runs(rota: _Rota, flags: Sequence[bool], most: int, rest: timedelta, nouns: str) -> list[str]:
    """Too little rest after a run of at least ``most`` (the new shift in it or next)."""
    messages, k, shifts = [], rota.k, rota.shifts
    for first, last in rota.runs(flags):
        length = last - first + 1
        if length < most or last + 1 >= len(shifts) or not first <= k <= last + 1:
            continue
        gap = shifts[last + 1].start - shifts[last].end
        if gap < rest:
            after = f"after {length} {nouns} in a row ending {_when(shifts[last].end)}"
            then = f" before {_shift_named(rota, shifts[last + 1], rota.voice)}"
            messages.append(_short_rest(rota.voice, gap, after, rest, then))
    return messages


def _rest_after_nights(rota: _Rota) -> list[str]:
    messages, shifts, limit = [], rota.shifts, rota.limits.rest_after_nights
    for a in (rota.k - 1, rota.k):
        b = a + 1
        if a < 0 or b >= len(shifts) or not rota.nights[a]:
            continue
        if rota.nights[b] and rota.consecutive[a]:
            continue  # the night run continues
        gap = shifts[b].start - shifts[a].end
        if gap < limit:
            night = ("this night shift" if shifts[a] is rota.new
                     else f"{rota.voice.their} night shift{_at_site(shifts[a])}")
            after = f"after {night} ending {_when(shifts[a].end)}"
            then = f" before {_shift_named(rota, shifts[b], rota.voice)}"
            messages.append(_short_rest(rota.voice, gap, after, limit, then))
    return messages


def _run_rules(rota: _Rota, flags: Sequence[bool], most: int, rest: timedelta, nouns: str) -> list[str]:
    return _runs_too_long(rota, flags, most, nouns) + _rest_after_runs(rota, flags, most, rest, nouns)


_WTR_CHECKS = (
    ("wtr_max_shift_13h", _max_shift),
    ("wtr_min_rest_11h", _min_rest),
    ("wtr_max_72h_in_168h", _hours_in_window),
    ("wtr_max_consecutive_nights",
     lambda r: _runs_too_long(r, r.nights, r.limits.max_consecutive_nights, "night shifts")),
    ("wtr_rest_after_nights_46h", _rest_after_nights),
    ("wtr_max_consecutive_long_shifts",
     lambda r: _run_rules(r, r.longs, r.limits.max_consecutive_long, r.limits.rest_after_long,
                          f"long shifts (over {_hours(r.limits.long_shift_over)} hours)")),
    ("wtr_max_consecutive_shifts",
     lambda r: _run_rules(r, [True] * len(r.shifts), r.limits.max_consecutive_shifts,
                          r.limits.rest_after_consecutive, "shifts")),
    ("wtr_average_48h", _average_hours),
)


def check_working_time(
    existing: Sequence[Interval], new: Interval, limits: WorkingTimeLimits = DEFAULT_LIMITS, voice: Voice = YOU,
    *, opted_out: bool = False
) -> list[Reason]:
    """The doctors' working-time safeguards, as far as ``new`` is involved, worded for ``voice``.

    ``opted_out``: the doctor has a recorded opt-out of the 48-hour average (56 hours a week instead).
    """
    rota = _Rota(existing, new, limits, voice, opted_out)
    reasons = []
    for code, check in _WTR_CHECKS:
        messages = list(dict.fromkeys(check(rota)))
        if messages:
            reasons.append(Reason(code, " ".join(messages)))
    return reasons
