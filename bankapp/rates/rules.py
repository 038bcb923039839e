"""Pricing rules: pure functions from minutes and rates to pay.

Pay follows the contract: worked minutes are split by band, unpaid break
minutes come off the bands in proportion (largest remainder, whole minutes),
each band line is ``rate × minutes / 60`` rounded half-up to the penny, and
the total is the sum of the lines (never a separately rounded product).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from bankapp import timeutil
from bankapp.money import PENNY, hours_from_minutes, money_str, to_money
from bankapp.timeutil import BAND_LABELS, BANDS, DAY_END, DAY_START

APPROVER = "approver"
EXECUTIVE = "executive"
DEFAULT_THRESHOLD = Decimal(20)


@dataclass(frozen=True)
class PayLine:
    band: str
    minutes: int
    rate: Decimal
    amount: Decimal

    @property
    def hours(self) -> Decimal:
        return hours_from_minutes(self.minutes)

    def as_dict(self) -> dict[str, str]:
        return {
            "band": self.band,
            "hours": str(self.hours),
            "rate": money_str(self.rate),
            "amount": money_str(self.amount),
        }


@dataclass(frozen=True)
class PayBreakdown:
    lines: tuple[PayLine, ...]

    @property
    def minutes(self) -> int:
        return sum(line.minutes for line in self.lines)

    @property
    def hours(self) -> Decimal:
        """Hours of the total minutes (not the sum of rounded line hours)."""
        return hours_from_minutes(self.minutes)

    @property
    def total(self) -> Decimal:
        return to_money(sum((line.amount for line in self.lines), Decimal(0)))

    def as_dict(self) -> dict:
        return {
            "lines": [line.as_dict() for line in self.lines],
            "hours": str(self.hours),
            "total": money_str(self.total),
        }


def _check_minutes(minutes: Mapping[str, int]) -> None:
    for band, m in minutes.items():
        if band not in BANDS:
            raise ValueError(f"Unknown band {band!r}; bands are {', '.join(BANDS)}.")
        if isinstance(m, bool) or not isinstance(m, int) or m < 0:
            raise ValueError(
                f"Minutes for {band} must be a whole number >= 0, not {m!r}."
            )


def _rate(x, what: str) -> Decimal:
    if isinstance(x, (bool, float)) or not isinstance(x, (Decimal, int, str)):
        raise TypeError(
            f"The {what} must be a Decimal, int or string, not {type(x).__name__}."
        )
    try:
        d = Decimal(x)
    except InvalidOperation:
        raise ValueError(f"The {what} {x!r} is not a number.") from None
    if not d.is_finite():
        raise ValueError(f"The {what} must be a finite number, not {x}.")
    return d


def apportion_break(
    minutes_by_band: Mapping[str, int], break_minutes: int
) -> dict[str, int]:
    """Remove an unpaid break from the bands in proportion to their minutes.

    Each band gives up ``break × band / total`` minutes, rounded down; the
    minutes still owed go one each to the bands with the largest remainders,
    ties going to the band that comes first in BANDS. So a 20-minute break
    over 60/60/60 takes 7, 7 and 6. Returns bands with minutes left, in BANDS
    order.
    """
    _check_minutes(minutes_by_band)
    if isinstance(break_minutes, bool) or not isinstance(break_minutes, int):
        raise TypeError(f"The break must be whole minutes, not {break_minutes!r}.")
    if break_minutes < 0:
        raise ValueError("The break cannot be negative.")
    ordered = [(b, minutes_by_band[b]) for b in BANDS if minutes_by_band.get(b, 0) > 0]
    total = sum(m for _, m in ordered)
    if break_minutes > total:
        raise ValueError(
            f"The break ({break_minutes} min) is longer than the time worked ({total} min)."
        )
    taken = largest_remainder(break_minutes, [m for _, m in ordered])
    left = {band: m - t for (band, m), t in zip(ordered, taken, strict=True)}
    return {band: m for band, m in left.items() if m > 0}


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Share a whole ``total`` out in proportion to ``weights``, in whole units that add up to it.

    Each share is ``total × weight / Σ weights`` rounded down; the units still
    owed go one each to the largest remainders, ties to the earlier weight.
    So 20 over 60/60/60 gives 7, 7, 6. All-zero weights give all zeros.
    """
    whole = sum(weights)
    if not whole:
        return [0] * len(weights)
    shares, remainders = [], []
    for position, weight in enumerate(weights):
        share, remainder = divmod(total * weight, whole)
        shares.append(share)
        remainders.append((-remainder, position))
    for _, position in sorted(remainders)[: total - sum(shares)]:
        shares[position] += 1
    return shares


def price_lines(
    minutes_by_band: Mapping[str, int],
    rates: Mapping[str, Decimal] | None = None,
    *,
    flat_rate: Decimal | None = None,
) -> PayBreakdown:
    """One pay line per band with minutes, in BANDS order.

    The rate is ``flat_rate`` when given (a flat-rate shift), otherwise the
    rate card's rate for the band.
    """
    _check_minutes(minutes_by_band)
    if flat_rate is None and rates is None:
        raise ValueError("Give either a rate card (rates) or a flat rate.")
    flat = None if flat_rate is None else _rate(flat_rate, "flat rate")
    lines = []
    for band in BANDS:
        minutes = minutes_by_band.get(band, 0)
        if minutes <= 0:
            continue
        if flat is not None:
            rate = flat
        else:
            if band not in rates:
                raise KeyError(
                    f"The rate card has no rate for {BAND_LABELS[band]} ({band})."
                )
            rate = _rate(rates[band], f"{band} rate")
        lines.append(PayLine(band, minutes, rate, to_money(rate * minutes / 60)))
    return PayBreakdown(tuple(lines))


def price_shift(
    start: datetime,
    end: datetime,
    *,
    rates: Mapping[str, Decimal] | None = None,
    flat_rate: Decimal | None = None,
    break_minutes: int = 0,
    day_start: time = DAY_START,
    day_end: time = DAY_END,
) -> PayBreakdown:
    """Price [start, end) less an unpaid break (see module docstring)."""
    worked = timeutil.minutes_by_band(start, end, day_start=day_start, day_end=day_end)
    paid = apportion_break(worked, break_minutes)
    return price_lines(paid, rates, flat_rate=flat_rate)


def percent_over(flat: Decimal, card: Decimal) -> Decimal:
    """How far ``flat`` is above ``card``, in percent, 2 dp half-up
    (negative when below). For display only: who approves is decided on the
    exact figure (:func:`required_role_for_totals`)."""
    flat_d, card_d = _rate(flat, "flat amount"), _rate(card, "card amount")
    if card_d == 0:
        raise ValueError("Cannot compare with a rate card amount of zero.")
    pct = ((flat_d - card_d) / card_d * 100).quantize(PENNY, rounding=ROUND_HALF_UP)
    return pct if pct else abs(pct)


def percent_words(flat: Decimal, card: Decimal) -> str:
    """``percent_over`` for a sentence, never understated by rounding: "more than 20.00%" when the exact figure
    is above what 2 places show (so 20.004% over a 20% threshold does not read as exactly 20.00%)."""
    shown = percent_over(flat, card)
    exact_above = (_rate(flat, "flat amount") - _rate(card, "card amount")) * 100 > shown * _rate(card, "card amount")
    return f"more than {shown}%" if exact_above else f"{shown}%"


def is_rate_violation(
    flat_breakdown: PayBreakdown, card_breakdown: PayBreakdown
) -> bool:
    """A flat rate that pays more than the rate card would is a violation."""
    return flat_breakdown.total > card_breakdown.total


def required_role_for_totals(flat: Decimal, card: Decimal, threshold: Decimal = DEFAULT_THRESHOLD) -> str:
    """Who may approve a flat total above a card total, on the exact percentage.

    ``(flat − card) / card × 100 ≤ threshold``, compared as
    ``(flat − card) × 100 ≤ threshold × card`` so nothing is rounded: 20.004%
    over a 20% threshold needs an executive, exactly 20.00% an approver.
    """
    flat_d, card_d = _rate(flat, "flat amount"), _rate(card, "card amount")
    if card_d <= 0:
        raise ValueError("Cannot compare with a rate card amount of zero.")
    within = (flat_d - card_d) * 100 <= _rate(threshold, "threshold") * card_d
    return APPROVER if within else EXECUTIVE


def agency_cap_excess(charge_rate: Decimal, cap: Decimal) -> Decimal:
    """£/h by which an agency charge exceeds the cap (0.00 if within it)."""
    excess = _rate(charge_rate, "charge rate") - _rate(cap, "cap")
    return to_money(max(excess, Decimal(0)))
