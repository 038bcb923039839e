"""The unfilled-shift forecast's arithmetic: lead-time bands, the blended rates and the range.

No Flask and no database: plain counts in, numbers out, so every edge is tested.

The model, in words (README and the forecast page say the same):

- A shift already booked counts as filled. A shift still open is one that may go unfilled.
- Its chance of going unfilled is read from the last 52 weeks: of the shifts in the same
  department, on the same London weekday, that were still open at about the same lead time
  before their start (the lead-time band's ``history_minutes``), the share that was never
  filled.
- Where a department has few such shifts, its share is blended with its site's share for that
  weekday, and the site's with the whole trust's for that band (each adds ``BLEND_WEIGHT``
  shifts' worth of the wider share); with no history at all a shift is an even chance.
- Expected unfilled for a site and day is the sum of those chances; the range is where the
  count falls four times in five if each open shift goes its own way (a normal approximation
  to the sum of independent yes/no outcomes), rounded to whole shifts.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

MINUTES_PER_DAY = 24 * 60
# Shifts of the last 52 weeks, the same weekdays each.
HISTORY_DAYS = 364
# A forecast looks 1 to 28 days ahead (today included).
MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 1, 28, 14
# The range: where the count falls 80% of the time (z of the normal distribution's 90th percentile).
RANGE_Z = 1.2816
RANGE_PERCENT = 80
# How many shifts' worth of the wider (site, then trust) share a department's share is blended with.
BLEND_WEIGHT = 10
# With no history at all, an open shift is an even chance.
NO_HISTORY_CHANCE = 0.5


@dataclass(frozen=True)
class LeadBand:
    label: str
    below_minutes: int | None  # a shift starting this soon or sooner (exclusive); None: any later
    history_minutes: int       # history counts shifts still open this long before their start


LEAD_BANDS = (
    LeadBand("under a day", MINUTES_PER_DAY, 12 * 60),
    LeadBand("1 to 3 days", 3 * MINUTES_PER_DAY, 2 * MINUTES_PER_DAY),
    LeadBand("3 to 7 days", 7 * MINUTES_PER_DAY, 5 * MINUTES_PER_DAY),
    LeadBand("a week or more", None, 10 * MINUTES_PER_DAY),
)


def band_of(minutes_to_start: float) -> int:
    """Index in LEAD_BANDS of a shift starting ``minutes_to_start`` from now."""
    for index, band in enumerate(LEAD_BANDS):
        if band.below_minutes is not None and minutes_to_start < band.below_minutes:
            return index
    return len(LEAD_BANDS) - 1


def blend(unfilled: int, open_: int, wider: float, weight: int = BLEND_WEIGHT) -> float:
    """The share ``unfilled / open_`` pulled towards ``wider`` by ``weight`` shifts' worth of it."""
    return (unfilled + weight * wider) / (open_ + weight)


@dataclass
class Counts:
    """Open-at-lead and never-filled counts per band."""
    open: list = field(default_factory=lambda: [0] * len(LEAD_BANDS))
    unfilled: list = field(default_factory=lambda: [0] * len(LEAD_BANDS))

    def add(self, band: int, open_: int, unfilled: int):
        self.open[band] += open_
        self.unfilled[band] += unfilled


class UnfilledRates:
    """Blended chances of going unfilled, from history rows.

    ``history``: (site_id, department_id, weekday, band, open, unfilled) — per department, London
    weekday (Monday 0) and lead band, how many shifts were still open at the band's lead time and
    how many of those were never filled.
    """

    def __init__(self, history: Iterable[tuple]):
        self.trust, self.sites, self.departments = Counts(), {}, {}
        for site_id, department_id, weekday, band, open_, unfilled in history:
            self.trust.add(band, open_, unfilled)
            self.sites.setdefault((site_id, weekday), Counts()).add(band, open_, unfilled)
            self.departments.setdefault((department_id, weekday), Counts()).add(band, open_, unfilled)

    def trust_chance(self, band: int) -> float:
        counts = self.trust
        if not counts.open[band]:
            return NO_HISTORY_CHANCE
        return counts.unfilled[band] / counts.open[band]

    def site_chance(self, site_id: int, weekday: int, band: int) -> float:
        counts = self.sites.get((site_id, weekday), Counts())
        return blend(counts.unfilled[band], counts.open[band], self.trust_chance(band))

    def chance(self, site_id: int, department_id: int, weekday: int, band: int) -> float:
        """The chance that a shift of this department, weekday and lead band, open now, is never filled."""
        counts = self.departments.get((department_id, weekday), Counts())
        return blend(counts.unfilled[band], counts.open[band], self.site_chance(site_id, weekday, band))


@dataclass(frozen=True)
class Outlook:
    posted: int
    open: int
    expected: float
    low: int
    high: int


def outlook(cells: Iterable[tuple[int, int, float]]) -> Outlook:
    """Sum of (posted, open, chance) cells: expected unfilled, and the 80% range in whole shifts.

    Each open shift goes unfilled with its own chance, independently of the others; the count's
    spread is then the square root of the sum of p × (1 − p).
    """
    posted = open_total = 0
    expected = variance = 0.0
    for cell_posted, cell_open, chance in cells:
        posted += cell_posted
        open_total += cell_open
        expected += cell_open * chance
        variance += cell_open * chance * (1 - chance)
    spread = RANGE_Z * math.sqrt(variance)
    low = max(0, _nearest(expected - spread))
    high = min(open_total, _nearest(expected + spread))
    return Outlook(posted, open_total, expected, low, high)


def _nearest(value: float) -> int:
    """Nearest whole shift, halves up (float noise such as 2.4999999999 counts as 2.5)."""
    return math.floor(value + 0.5 + 1e-9)


def expected_tenths(value: float) -> Decimal:
    """Expected unfilled shifts as shown: one decimal, half-up (2.25 → 2.3)."""
    return Decimal(str(round(value, 9))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
