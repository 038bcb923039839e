"""Pure report rules: periods, weeks, summer time, fill-rate rounding."""
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bankapp.audit.models import BREACH_TYPES
from bankapp.reports import rules

LONDON = ZoneInfo("Europe/London")


def test_breach_types_match_the_register():
    assert rules.BREACH_TYPES == BREACH_TYPES
    assert set(rules.BREACH_TYPE_LABELS) == set(BREACH_TYPES)


def test_period_defaults_to_twelve_weeks_up_to_today():
    today = date(2026, 4, 5)
    assert rules.resolve_period(None, None, today=today) == (date(2026, 1, 12), today)
    assert rules.resolve_period(date(2026, 3, 1), None, today=today) == (date(2026, 3, 1), today)
    assert rules.resolve_period(date(2026, 5, 1), None, today=today) == (date(2026, 5, 1), date(2026, 5, 1))
    assert rules.resolve_period(None, date(2026, 3, 31), today=today)[0] == date(2026, 1, 7)


def test_reversed_period_is_refused_on_from():
    assert "from" in rules.period_errors(date(2026, 4, 2), date(2026, 4, 1))
    assert rules.period_errors(date(2026, 4, 1), date(2026, 4, 1)) == {}


def test_two_years_is_the_longest_period():
    start = date(2024, 1, 1)
    assert rules.period_errors(start, start + timedelta(days=730)) == {}
    assert "to" in rules.period_errors(start, start + timedelta(days=731))


def test_period_bounds_are_london_midnights():
    lo, hi = rules.period_bounds_utc(date(2026, 3, 29), date(2026, 10, 25))
    assert lo == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)  # GMT midnight
    assert hi == datetime(2026, 10, 26, 0, 0, tzinfo=UTC)  # midnight of the 26th: GMT again
    lo, hi = rules.period_bounds_utc(date(2026, 6, 1), date(2026, 6, 1))
    assert (lo, hi) == (datetime(2026, 5, 31, 23, tzinfo=UTC), datetime(2026, 6, 1, 23, tzinfo=UTC))


@pytest.mark.parametrize("day, key", [
    (date(2026, 1, 1), "2026-W01"), (date(2025, 12, 29), "2026-W01"), (date(2027, 1, 3), "2026-W53"),
    (date(2026, 3, 29), "2026-W13"), (date(2026, 3, 30), "2026-W14"),
])
def test_iso_week_keys(day, key):
    assert rules.iso_week_key(day) == key


def test_week_label_and_weeks_around_a_day():
    assert rules.week_label(date(2026, 1, 26)) == "Week 5, 2026 (from Mon 26 Jan)"
    assert rules.this_week(date(2026, 4, 5)) == (date(2026, 3, 30), date(2026, 4, 5))
    assert rules.last_week(date(2026, 4, 6)) == (date(2026, 3, 30), date(2026, 4, 5))


@pytest.mark.parametrize("posted, filled, rate", [
    (3, 2, Decimal("0.6667")), (3, 1, Decimal("0.3333")), (8, 5, Decimal("0.6250")), (4, 4, Decimal("1.0000")),
    (4, 0, Decimal("0.0000")), (0, 0, None), (20000, 1, Decimal("0.0001")), (200000, 1, Decimal("0.0000")),
    (16, 1, Decimal("0.0625")), (160000, 1, Decimal("0.0000")), (1600, 1, Decimal("0.0006")),
])
def test_fill_rate_rounds_half_up_to_four_places(posted, filled, rate):
    assert rules.fill_rate(posted, filled) == rate


def test_fill_rate_text_for_people():
    assert rules.percent_text(Decimal("0.6667")) == "66.7%"
    assert rules.percent_text(Decimal("0.6667"), 2) == "66.67%"
    assert rules.percent_text(None) == "–"


def test_agency_charge_is_half_up_to_the_penny():
    assert rules.agency_charge_hundredths(10000, 480) == 80000
    assert rules.agency_charge_hundredths(3333, 1) == 56  # 55.55p → 56p
    assert rules.agency_charge_hundredths(3, 10) == 1  # 0.5p → 1p
