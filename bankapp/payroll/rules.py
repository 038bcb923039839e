"""ESR lines by the day they were worked: pure functions, no Flask, no database.

An approved pay line is one band of one timesheet. ESR wants each line dated
by the London date its minutes were worked, so a band that runs past midnight
(a weekday night from 21:00 to 07:00, the weekend night of a clock change) is
split into one line per date:

* the line's paid minutes go to its dates in proportion to the minutes of that
  band worked on each (an unpaid break comes off every date of the band alike),
  whole minutes, largest remainder, ties to the earlier date;
* the line's amount goes to the same parts in proportion to their minutes (all
  at the line's rate), whole pennies, largest remainder: the parts add up to
  the approved line exactly, and each is within a penny of rate × minutes / 60.
"""
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..money import to_money
from ..rates.rules import largest_remainder

PENNIES = Decimal(100)


@dataclass(frozen=True)
class DayPart:
    work_date: date
    minutes: int
    amount: Decimal


def split_by_work_date(*, band: str, minutes: int, amount: Decimal, worked: Mapping[tuple[date, str], int],
                       fallback: date) -> list[DayPart]:
    """One approved pay line as its parts per London work date (see module docstring).

    ``worked``: minutes worked per (London date, band) of the timesheet's actual
    times. A band not found there (the day's hours changed since approval) stays
    one line dated ``fallback``, the London date the work started.
    """
    dates = sorted(day for day, worked_band in worked if worked_band == band and worked[(day, worked_band)] > 0)
    if not dates:
        return [DayPart(fallback, minutes, amount)]
    shares = largest_remainder(minutes, [worked[(day, band)] for day in dates])
    pennies = largest_remainder(int(amount * PENNIES), shares)
    return [DayPart(day, share, to_money(Decimal(penny) / PENNIES))
            for day, share, penny in zip(dates, shares, pennies, strict=True) if share > 0]
