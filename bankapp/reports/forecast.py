"""The unfilled-shift forecast: the coming days per site and day, this week for the home page, and the
back-test that measures it against what happened (``make bench`` runs it on the bench year).

The model is described in ``forecast_rules``; the figures come from two aggregates
(``forecast_queries``), so a forecast costs two statements whatever the size of the trust.
"""
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean

from ..errors import ValidationFailed
from ..timeutil import london_date, now_utc
from . import forecast_queries, forecast_rules, queries, rules
from .forecast_rules import HISTORY_DAYS, LEAD_BANDS, Outlook, UnfilledRates, outlook
from .services import Period, check_references, report_scope

log = logging.getLogger(__name__)

# What the back-test measured on the bench year (`make bench`, bench/forecast_bench.py): stated on the
# forecast page and in README. Update both from the bench's "forecast back-test" row when the model changes.
BENCH_BACKTEST = {
    "mean_absolute_error": "1.11",
    "baseline_mean_absolute_error": "1.20",
    "mean_unfilled": "6.4",
    "range_held": 88,
    "origins": 12,
    "days": forecast_rules.DEFAULT_DAYS,
    "measured_on": "2026-12-04",
}


@dataclass(frozen=True)
class Cell:
    """Coming shifts of one site, department, London day and lead band, with their chance of going unfilled."""
    site_id: int
    day: date
    band: int
    posted: int
    open: int
    unfilled: int
    chance: float


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _history(as_of) -> UnfilledRates:
    rows = forecast_queries.unfilled_history(since=as_of - timedelta(days=HISTORY_DAYS), until=as_of)
    return UnfilledRates((r["site_id"], r["department_id"], int(r["weekday"]), band, int(r[f"open{band}"] or 0),
                          int(r[f"unfilled{band}"] or 0)) for r in rows for band in range(len(LEAD_BANDS)))


def forecast_cells(*, as_of, days, scope=None, site_id=None) -> tuple[date, date, list[Cell], UnfilledRates]:
    """(first day, last day, cells, rates) of a forecast made at ``as_of`` for ``days`` London days from its date."""
    first = london_date(as_of)
    last = first + timedelta(days=days - 1)
    _, until = rules.period_bounds_utc(first, last)
    rates = _history(as_of)
    cells = []
    for row in forecast_queries.coming_shifts(as_of=as_of, until=until, scope=scope, site_id=site_id):
        day = _as_date(row["day"])
        chance = rates.chance(row["site_id"], row["department_id"], day.weekday(), int(row["band"]))
        cells.append(Cell(row["site_id"], day, int(row["band"]), int(row["posted"]), int(row["open"] or 0),
                          int(row["unfilled"] or 0), chance))
    return first, last, cells, rates


def _days(first, last):
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _figures(found: Outlook) -> dict:
    return {"posted": found.posted, "open": found.open, "expected_unfilled": forecast_rules.expected_tenths(
        found.expected), "low": found.low, "high": found.high}


def check_days(days):
    if not forecast_rules.MIN_DAYS <= days <= forecast_rules.MAX_DAYS:
        raise ValidationFailed("The forecast looks 1 to 28 days ahead.", errors={
            "days": [f"Enter a number of days from {forecast_rules.MIN_DAYS} to {forecast_rules.MAX_DAYS}."]})


def forecast_report(*, actor, days=forecast_rules.DEFAULT_DAYS, site_id=None, as_of=None) -> dict:
    """Per site in scope and London day from today: shifts posted, still open, expected to go unfilled and
    the 80% range; ``totals`` per day and ``overall`` for the sites shown (ranges from the summed spread,
    not the sum of the ranges)."""
    scope = report_scope(actor)
    check_days(days)
    check_references(site_id)
    as_of = as_of or now_utc()
    first, last, cells, _ = forecast_cells(as_of=as_of, days=days, scope=scope, site_id=site_id)
    names = queries.site_names(scope)
    if site_id is not None:
        names = {k: v for k, v in names.items() if k == site_id}
    by_key = defaultdict(list)
    for cell in cells:
        by_key[(cell.site_id, cell.day)].append((cell.posted, cell.open, cell.chance))
        by_key[(None, cell.day)].append((cell.posted, cell.open, cell.chance))
    items = [{"site_id": sid, "site_name": name, "date": day, **_figures(outlook(by_key[(sid, day)]))}
             for sid, name in names.items() for day in _days(first, last)]
    totals = [{"date": day, **_figures(outlook(by_key[(None, day)]))} for day in _days(first, last)]
    overall = _figures(outlook((c.posted, c.open, c.chance) for c in cells))
    period = Period(first, last, *rules.period_bounds_utc(first, last))
    return {"as_of": as_of, "period": period, "days": days, "filters": {"site_id": site_id}, "sites": names,
            "items": items, "totals": totals, "overall": overall, "backtest": BENCH_BACKTEST}


def days_left_this_week(now=None) -> int:
    """London days from today to Sunday, both included (7 on a Monday, 1 on a Sunday)."""
    return 7 - london_date(now or now_utc()).weekday()


def week_outlook(user, *, now=None) -> Outlook:
    """Shifts from now to Sunday (London) likely to go unfilled, for the executive's home page."""
    now = now or now_utc()
    _, _, cells, _ = forecast_cells(as_of=now, days=days_left_this_week(now), scope=report_scope(user))
    return outlook((c.posted, c.open, c.chance) for c in cells)


def backtest(origins, *, days=forecast_rules.DEFAULT_DAYS) -> dict:
    """Forecast from each moment in ``origins`` (all at least ``days`` days in the past) and compare each site
    and day with what happened: mean absolute error of the expected count, the same for a baseline that knows
    only the trust's share per lead band (no weekday, no department), the mean actual count, and how often
    the 80% range held the actual count."""
    names = queries.site_names()
    errors, baseline_errors, actuals, held = [], [], [], 0
    for as_of in origins:
        first, last, cells, rates = forecast_cells(as_of=as_of, days=days)
        by_key = defaultdict(list)
        for cell in cells:
            by_key[(cell.site_id, cell.day)].append(cell)
        for site_id in names:
            for day in _days(first, last):
                found = by_key[(site_id, day)]
                predicted = outlook((c.posted, c.open, c.chance) for c in found)
                actual = sum(c.unfilled for c in found)
                baseline = sum(c.open * rates.trust_chance(c.band) for c in found)
                errors.append(abs(predicted.expected - actual))
                baseline_errors.append(abs(baseline - actual))
                actuals.append(actual)
                held += predicted.low <= actual <= predicted.high
    cells = len(errors)
    return {"origins": len(origins), "days": days, "cells": cells,
            "mean_absolute_error": fmean(errors) if cells else None,
            "baseline_mean_absolute_error": fmean(baseline_errors) if cells else None,
            "mean_unfilled": fmean(actuals) if cells else None,
            "range_held": held / cells if cells else None}


def weekly_origins(now, *, weeks=12, days=forecast_rules.DEFAULT_DAYS) -> list:
    """``weeks`` forecast moments a week apart, the latest ``days`` days before ``now`` (so every forecast
    day has happened)."""
    latest = now - timedelta(days=days)
    return [latest - timedelta(weeks=n) for n in reversed(range(weeks))]
