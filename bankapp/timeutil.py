"""Time: the one place that turns input into aware UTC and back to London.

Everything is stored and compared as aware UTC. People read and type
Europe/London wall-clock time, so this module owns the three awkward bits:

* typed times without an offset are London time, and the hour that does not
  exist (spring forward) or happens twice (fall back) is refused rather than
  guessed;
* durations are real elapsed time, so the night the clocks go back is an hour
  longer and the night they go forward an hour shorter;
* pay bands follow the London wall clock and England and Wales bank holidays.

Counting minutes: every function that counts minutes (``split_into_bands``,
``minutes_by_band``, ``elapsed_minutes``, ``local_minutes_between``) first
truncates both instants down to the whole minute, so 20:00:59-08:00:30 counts
as 20:00-08:00 everywhere and the band minutes always add up to the elapsed
minutes. ``parse_datetime`` keeps seconds and drops microseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
# UTC (datetime.timezone.utc) is imported from datetime and re-exported.

BANDS = ("weekday_day", "weekday_night", "weekend_day", "weekend_night", "bank_holiday")
BAND_LABELS = {
    "weekday_day": "Weekday day",
    "weekday_night": "Weekday night",
    "weekend_day": "Weekend day",
    "weekend_night": "Weekend night",
    "bank_holiday": "Bank holiday",
}

DAY_START = time(7)
DAY_END = time(21)

_EXAMPLE = "e.g. 2026-10-24T20:00 or 2026-10-24T20:00:00+01:00"


class TimeInputError(ValueError):
    """A time a person typed that cannot be taken as one instant.

    ``code`` is "invalid" (not a date and time), "nonexistent" (skipped when
    the clocks went forward) or "ambiguous" (happens twice when they go back).
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


# --- parsing and formatting -------------------------------------------------


def parse_datetime(value: str | datetime) -> datetime:
    """Parse ISO 8601 input into an aware UTC datetime (no microseconds).

    With an offset (or Z) the instant is taken as given. Without one it is
    London wall-clock time, which must exist and be unambiguous.
    """
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str):
        dt = _parse_iso(value)
    else:
        raise TimeInputError("invalid", f"Give a date and time as text, {_EXAMPLE}.")
    dt = dt.replace(microsecond=0)
    if dt.tzinfo is None or dt.utcoffset() is None:
        return _london_wall_to_utc(dt.replace(tzinfo=None))
    try:
        return dt.astimezone(UTC)
    except (OverflowError, ValueError):
        raise TimeInputError("invalid", f"{dt.isoformat()} is out of range.") from None


def _parse_iso(text: str) -> datetime:
    shown = text if len(text) <= 40 else text[:40] + "..."
    s = text.strip()
    # A bare date parses as midnight; a shift time needs the time of day.
    if len(s) <= 10 or not any(sep in s for sep in ("T", "t", " ")):
        raise TimeInputError(
            "invalid", f"{shown!r} is not a date and time in ISO 8601 form, {_EXAMPLE}."
        )
    try:
        return datetime.fromisoformat(s)
    except ValueError:
        raise TimeInputError(
            "invalid", f"{shown!r} is not a date and time in ISO 8601 form, {_EXAMPLE}."
        ) from None


def _london_wall_to_utc(naive: datetime) -> datetime:
    """London wall-clock time → UTC, refusing skipped and repeated times."""
    try:
        first = naive.replace(tzinfo=LONDON, fold=0)
        second = naive.replace(tzinfo=LONDON, fold=1)
        first_utc = first.astimezone(UTC)
        second_utc = second.astimezone(UTC)
    except (OverflowError, ValueError):
        raise TimeInputError(
            "invalid", f"{naive.isoformat()} is out of range."
        ) from None
    if first.utcoffset() == second.utcoffset():
        return first_utc
    shown = naive.isoformat(timespec="seconds" if naive.second else "minutes")
    change = _transition_between(min(first_utc, second_utc), max(first_utc, second_utc))
    before = (change - timedelta(minutes=1)).astimezone(LONDON) + timedelta(minutes=1)
    after = change.astimezone(LONDON)
    old, new = before.strftime("%H:%M"), after.strftime("%H:%M")
    if first_utc.astimezone(LONDON).replace(tzinfo=None) != naive:
        raise TimeInputError(
            "nonexistent",
            f"{shown} does not exist in London: the clocks go forward from {old} "
            f"to {new}. Give an offset or another time.",
        )
    raise TimeInputError(
        "ambiguous",
        f"{shown} happens twice in London: the clocks go back from {old} to {new}. "
        f"Give an offset: {_offset(first)} for the first, {_offset(second)} for the second.",
    )


def _offset(dt: datetime) -> str:
    return dt.isoformat()[-6:]


def _transition_between(lo: datetime, hi: datetime) -> datetime:
    """The first whole-second UTC instant in (lo, hi] whose London offset
    differs from lo's. London changes on the hour, so seconds are plenty."""
    offset = lo.astimezone(LONDON).utcoffset()
    lo_s, hi_s = int(lo.timestamp() // 1), -int(-hi.timestamp() // 1)
    while hi_s - lo_s > 1:
        mid = (lo_s + hi_s) // 2
        if datetime.fromtimestamp(mid, LONDON).utcoffset() == offset:
            lo_s = mid
        else:
            hi_s = mid
    return datetime.fromtimestamp(hi_s, UTC)


def _require_aware(dt: datetime) -> datetime:
    if not isinstance(dt, datetime):
        raise TypeError(f"Expected a datetime, got {type(dt).__name__}.")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(
            f"{dt.isoformat()} has no time zone; only aware datetimes are allowed."
        )
    return dt


def to_utc(dt: datetime) -> datetime:
    return _require_aware(dt).astimezone(UTC)


def to_london(dt: datetime) -> datetime:
    return _require_aware(dt).astimezone(LONDON)


def format_london(dt: datetime | None) -> str | None:
    """London time with its offset and seconds, e.g. 2026-10-25T01:30:00+01:00."""
    if dt is None:
        return None
    return to_london(dt).replace(microsecond=0).isoformat(timespec="seconds")


# How people read a time: ``Mon 30 Nov 2026 09:00`` (London wall clock).
PEOPLE_FORMAT = "%a %-d %b %Y %H:%M"
# An ISO 8601 time with its offset, as ``format_london`` writes it (or UTC's Z).
_ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})")


def london_text(dt: datetime | None, fmt: str = PEOPLE_FORMAT) -> str:
    """A time as London wall-clock text for people (``Mon 30 Nov 2026 09:00``); empty for None."""
    if dt is None:
        return ""
    return to_london(dt).strftime(fmt)


def times_in_words(text: str | None) -> str | None:
    """``text`` with every ISO 8601 time that carries an offset written for people, in London time.

    For text stored before it was written that way (a late timesheet's breach said
    "cut-off of 2026-11-30T09:00:00+00:00"); anything that does not parse is left as it is.
    """
    if not text:
        return text

    def words(match):
        try:
            return london_text(datetime.fromisoformat(match.group(0).replace("Z", "+00:00")))
        except ValueError:
            return match.group(0)

    return _ISO_TIME.sub(words, text)


def format_span(start: datetime, end: datetime, *, day: str = "%a %-d %b", between: str = " ",
                joiner: str = " to ") -> str:
    """A shift's London times for people, with the end's date whenever it is another day.

    ``Thu 3 Dec 08:00 to 17:00``; an overnight or 24-hour shift reads
    ``Thu 3 Dec 20:00 to Fri 4 Dec 08:00``, never ``08:00 to 08:00``.
    """
    first, last = to_london(start), to_london(end)
    opening = f"{first.strftime(day)}{between}{first:%H:%M}"
    if first.date() == last.date():
        return f"{opening}{joiner}{last:%H:%M}"
    return f"{opening}{joiner}{last.strftime(day)}{between}{last:%H:%M}"


# --- the clock ------------------------------------------------------------------
# Everything that needs "now" asks ``now_utc()``. A scheduled job runs at the
# clock it was given (``run-jobs --now``) by wrapping its work in
# ``clock_at(now)``: every default that reads the time inside it (outbox
# ``send_after``, audit ``at``, ``created_at``) then agrees with the job.
_PINNED_NOW: ContextVar[datetime | None] = ContextVar("pinned_now", default=None)


def now_utc() -> datetime:
    """The current instant as aware UTC: the system clock, or the clock ``clock_at`` set."""
    pinned = _PINNED_NOW.get()
    return pinned if pinned is not None else datetime.now(UTC)


@contextmanager
def clock_at(now: datetime) -> Iterator[datetime]:
    """Inside this block ``now_utc()`` answers ``now`` (for jobs run at a given clock)."""
    token = _PINNED_NOW.set(to_utc(now))
    try:
        yield _PINNED_NOW.get()
    finally:
        _PINNED_NOW.reset(token)


def today_london() -> date:
    """Today's date in London, by ``now_utc()``."""
    return london_date(now_utc())


def london_date(dt: datetime) -> date:
    return to_london(dt).date()


# --- bank holidays and bands ------------------------------------------------


@lru_cache(maxsize=64)
def _bank_holidays_cached(year: int) -> dict[date, str]:
    # England and Wales share bank holidays; "ENG" is England in holidays 0.108.
    # Both the day itself and any substitute day are listed (e.g. Boxing Day
    # 2026 on Saturday 26 Dec and "Boxing Day (observed)" on Monday 28 Dec),
    # so work on either is paid at the bank holiday rate.
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year))


def bank_holidays(year: int) -> dict[date, str]:
    """England and Wales bank holidays in ``year``: date → name."""
    return dict(_bank_holidays_cached(year))


def is_bank_holiday(d: date) -> bool:
    if isinstance(d, datetime):
        d = d.date()
    return d in _bank_holidays_cached(d.year)


def _check_day(day_start: time, day_end: time) -> None:
    if not day_start < day_end:
        raise ValueError(f"Day must start before it ends (got {day_start}-{day_end}).")


def band_at(
    local_dt: datetime, *, day_start: time = DAY_START, day_end: time = DAY_END
) -> str:
    """The pay band of one moment. Aware datetimes are converted to London;
    a naive one is taken as London wall-clock time already."""
    _check_day(day_start, day_end)
    wall = to_london(local_dt) if local_dt.tzinfo is not None else local_dt
    if is_bank_holiday(wall.date()):
        return "bank_holiday"
    is_day = day_start <= wall.time().replace(tzinfo=None) < day_end
    if wall.weekday() >= 5:
        return "weekend_day" if is_day else "weekend_night"
    return "weekday_day" if is_day else "weekday_night"


@dataclass(frozen=True)
class BandSegment:
    band: str
    start: datetime
    end: datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def _floor_minute(dt: datetime) -> datetime:
    return to_utc(dt).replace(second=0, microsecond=0)


# London's clocks change twice a year, months apart, always in opposite
# directions: a span shorter than this with the same offset at both ends
# crossed no change at all.
_NO_CHANGE_SPAN = timedelta(days=60)


def _pieces(start: datetime, end: datetime, wall_times: tuple[time, ...]):
    """Cut [start, end) (UTC) at every instant the London wall clock reaches
    one of ``wall_times`` on any date, and at every change of UTC offset.

    Within a piece the wall date and time move monotonically without crossing
    a boundary, so whatever depends only on them is constant and can be read
    at the piece start.
    """
    if end - start < _NO_CHANGE_SPAN and spans_clock_change(start, end) is None:
        return _pieces_one_offset(start, end, wall_times, start.astimezone(LONDON).utcoffset())
    return _pieces_any_offsets(start, end, wall_times)


def _pieces_one_offset(start: datetime, end: datetime, wall_times: tuple[time, ...], offset: timedelta):
    """``_pieces`` for a span with one UTC offset throughout (most shifts):
    wall time is UTC plus the offset, so the cuts are plain arithmetic."""
    local_start, local_end = start + offset, end + offset
    day, last = local_start.date(), local_end.date()
    cuts = {start, end}
    while day <= last:
        for t in wall_times:
            cut = datetime.combine(day, t, tzinfo=UTC)  # wall time, read as if UTC
            if local_start < cut < local_end:
                cuts.add(cut - offset)
        day += timedelta(days=1)
    return list(pairwise(sorted(cuts)))


def _pieces_any_offsets(start: datetime, end: datetime, wall_times: tuple[time, ...]):
    """``_pieces`` for any span, clock changes included.

    Wall times are converted with both folds, so a boundary inside a repeated
    hour cuts twice; a boundary in the skipped hour is covered by the cut at
    the offset change itself.
    """
    cuts = {start, end}
    first = start.astimezone(LONDON).date() - timedelta(days=1)
    last = end.astimezone(LONDON).date() + timedelta(days=1)
    day = first
    while day <= last:
        for t in wall_times:
            for fold in (0, 1):
                cuts.add(
                    datetime.combine(day, t, tzinfo=LONDON)
                    .replace(fold=fold)
                    .astimezone(UTC)
                )
        day += timedelta(days=1)
    probe = start
    while probe < end:
        step = min(probe + timedelta(hours=1), end)
        if probe.astimezone(LONDON).utcoffset() != step.astimezone(LONDON).utcoffset():
            cuts.add(_transition_between(probe, step))
        probe = step
    ordered = sorted(c for c in cuts if start <= c <= end)
    return list(pairwise(ordered))


def split_into_bands(
    start: datetime,
    end: datetime,
    *,
    day_start: time = DAY_START,
    day_end: time = DAY_END,
) -> list[BandSegment]:
    """Split [start, end) into consecutive band segments (UTC, whole minutes).

    Boundaries are London midnight, ``day_start`` and ``day_end`` of each
    London date; adjacent segments of the same band are merged. A span
    shorter than a minute after truncation gives an empty list.
    """
    _check_day(day_start, day_end)
    if to_utc(start) >= to_utc(end):
        raise ValueError("The end must be after the start.")
    lo, hi = _floor_minute(start), _floor_minute(end)
    segments: list[BandSegment] = []
    for a, b in _pieces(lo, hi, (time(0), day_start, day_end)):
        band = band_at(a, day_start=day_start, day_end=day_end)
        if segments and segments[-1].band == band and segments[-1].end == a:
            segments[-1] = BandSegment(band, segments[-1].start, b)
        else:
            segments.append(BandSegment(band, a, b))
    return segments


def minutes_by_band(start: datetime, end: datetime, **kw) -> dict[str, int]:
    """Whole minutes per band, in BANDS order, only bands with minutes."""
    totals = dict.fromkeys(BANDS, 0)
    for seg in split_into_bands(start, end, **kw):
        totals[seg.band] += seg.minutes
    return {band: m for band, m in totals.items() if m > 0}


def minutes_by_date_and_band(
    start: datetime, end: datetime, *, day_start: time = DAY_START, day_end: time = DAY_END
) -> dict[tuple[date, str], int]:
    """Whole minutes per (London date, band) on which they were worked: a band that runs past
    midnight counts on both dates, real elapsed time across a clock change included."""
    _check_day(day_start, day_end)
    if to_utc(start) >= to_utc(end):
        raise ValueError("The end must be after the start.")
    totals: dict[tuple[date, str], int] = {}
    for a, b in _pieces(_floor_minute(start), _floor_minute(end), (time(0), day_start, day_end)):
        key = (london_date(a), band_at(a, day_start=day_start, day_end=day_end))
        totals[key] = totals.get(key, 0) + int((b - a).total_seconds() // 60)
    return {key: m for key, m in totals.items() if m > 0}


def elapsed_minutes(start: datetime, end: datetime) -> int:
    """Real elapsed whole minutes (negative if end is before start)."""
    return int((_floor_minute(end) - _floor_minute(start)).total_seconds() // 60)


def local_minutes_between(
    start: datetime, end: datetime, window_start: time, window_end: time
) -> int:
    """Minutes of [start, end) whose London wall-clock time is in the daily
    window [window_start, window_end), which may wrap midnight (23:00-06:00).

    Real minutes are counted, so the repeated hour in October counts twice.
    """
    if window_start == window_end:
        raise ValueError("The window must have a start different from its end.")
    lo, hi = _floor_minute(start), _floor_minute(end)
    if lo >= hi:
        return 0
    total = 0
    for a, b in _pieces(lo, hi, (window_start, window_end)):
        t = a.astimezone(LONDON).time()
        if window_start < window_end:
            inside = window_start <= t < window_end
        else:
            inside = t >= window_start or t < window_end
        if inside:
            total += int((b - a).total_seconds() // 60)
    return total


def spans_clock_change(start: datetime, end: datetime) -> str | None:
    """ "forward" or "back" if London's offset at end differs from at start."""
    before = to_london(start).utcoffset()
    after = to_london(end).utcoffset()
    if after > before:
        return "forward"
    if after < before:
        return "back"
    return None


@lru_cache(maxsize=32)
def summer_time_spans(first_year: int, last_year: int) -> tuple[tuple[datetime, datetime], ...]:
    """UTC spans in which London is ahead of UTC (British Summer Time), one per year.

    Read from the tz database, not from a written rule: for each year the two
    instants where London's offset changes are found by bisection. Used to
    turn stored UTC into London dates in SQL on engines without time zones.
    """
    spans = []
    for year in range(first_year, last_year + 1):
        new_year = datetime(year, 1, 1, tzinfo=UTC)
        midsummer = datetime(year, 7, 1, tzinfo=UTC)
        year_end = datetime(year + 1, 1, 1, tzinfo=UTC)
        winter, summer = new_year.astimezone(LONDON).utcoffset(), midsummer.astimezone(LONDON).utcoffset()
        if summer == winter:
            continue
        spans.append((_transition_between(new_year, midsummer), _transition_between(midsummer, year_end)))
    return tuple(spans)
