"""Pure SMS rules: quiet hours, urgency, retry backoff, keywords, numbers.

No Flask, no database: plain values in, plain values out.
"""
import re
from datetime import UTC, datetime, time, timedelta

from ..timeutil import LONDON

# Minutes to wait before retry n (1-based); the last value repeats.
BACKOFF_MINUTES = (1, 5, 15, 60)

# Twilio's own opt-out and opt-in keywords (Advanced Opt-Out defaults).
STOP_WORDS = frozenset({"STOP", "STOPALL", "END", "UNSUBSCRIBE", "CANCEL", "QUIT", "OPTOUT", "REVOKE"})
START_WORDS = frozenset({"START", "YES", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})

E164_RE = re.compile(r"^\+[1-9]\d{7,14}$")
UK_MOBILE_RE = re.compile(r"^\+447\d{9}$")  # 07xxx xxxxxx


def parse_clock(value) -> time:
    """'21:00' → time(21, 0); a time passes through."""
    if isinstance(value, time):
        return value
    hours, _, minutes = str(value).partition(":")
    return time(int(hours), int(minutes or 0))


def _inside(t: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end


def in_quiet_hours(now: datetime, start, end) -> bool:
    """True when London wall-clock ``now`` is within [start, end) (may wrap midnight)."""
    return _inside(now.astimezone(LONDON).time(), parse_clock(start), parse_clock(end))


def quiet_hours_over(now: datetime, start, end) -> datetime:
    """The first instant at or after ``now`` outside quiet hours (UTC).

    Quiet hours end at a London wall-clock time, so the answer follows the
    clock changes (08:00 London is 07:00 or 08:00 UTC).
    """
    start_t, end_t = parse_clock(start), parse_clock(end)
    local = now.astimezone(LONDON)
    if not _inside(local.time(), start_t, end_t):
        return now.astimezone(UTC)
    day = local.date()
    if start_t > end_t and local.time() >= start_t:
        day += timedelta(days=1)  # evening: quiet until tomorrow morning
    return datetime.combine(day, end_t, tzinfo=LONDON).astimezone(UTC)


def is_urgent(shift_start: datetime, now: datetime, within_hours: int) -> bool:
    """A shift that starts within ``within_hours`` may be announced at night."""
    return shift_start - now <= timedelta(hours=within_hours)


def alert_send_after(shift_start: datetime, now: datetime, *, quiet_start, quiet_end, urgent_within_hours) -> datetime:
    """When a new-shift alert may go: now, or when quiet hours end if it can wait."""
    if is_urgent(shift_start, now, urgent_within_hours):
        return now.astimezone(UTC)
    return quiet_hours_over(now, quiet_start, quiet_end)


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the ``attempts``-th failed try (1-based)."""
    index = min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1
    return timedelta(minutes=BACKOFF_MINUTES[index])


def keyword(body: str | None) -> str | None:
    """'stop', 'start', 'help' or None for an inbound text (any case, spaces ignored)."""
    word = (body or "").strip().upper().rstrip(".!")
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    if word in HELP_WORDS:
        return "help"
    return None


def normalise_mobile(text: str | None) -> str | None:
    """A typed mobile number in E.164 form; UK numbers may be typed as 07….

    Returns None for an empty value; raises ValueError when it cannot be a
    mobile number.
    """
    raw = re.sub(r"[\s\-()]", "", text or "")
    if not raw:
        return None
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    elif raw.startswith("0"):
        raw = "+44" + raw[1:]
    if not E164_RE.match(raw) or (raw.startswith("+44") and not UK_MOBILE_RE.match(raw)):
        raise ValueError("Enter a mobile number like 07700 900123 or +447700900123.")
    return raw


def day_bit(weekday: int) -> int:
    """The preference bit of a weekday (Monday = 0)."""
    return 1 << weekday


def days_mask(weekdays) -> int:
    mask = 0
    for d in weekdays:
        mask |= day_bit(int(d))
    return mask


def weekdays_of(mask: int) -> list[int]:
    return [d for d in range(7) if mask & day_bit(d)]
