"""The forecast's arithmetic at its edges: lead-time bands, blending, the range, rounding."""
import math

import pytest

from bankapp.reports.forecast_rules import (
    BLEND_WEIGHT,
    LEAD_BANDS,
    MINUTES_PER_DAY,
    NO_HISTORY_CHANCE,
    RANGE_Z,
    UnfilledRates,
    band_of,
    blend,
    expected_tenths,
    outlook,
)

DAY = MINUTES_PER_DAY


@pytest.mark.parametrize(("minutes", "band"), [
    (0, 0), (DAY - 1, 0), (DAY, 1), (3 * DAY - 1, 1), (3 * DAY, 2), (7 * DAY - 1, 2), (7 * DAY, 3), (28 * DAY, 3),
])
def test_lead_bands_have_exclusive_upper_edges(minutes, band):
    assert band_of(minutes) == band


def test_each_band_reads_history_at_a_lead_inside_it():
    lower = 0
    for band in LEAD_BANDS:
        upper = band.below_minutes or math.inf
        assert lower <= band.history_minutes < upper
        lower = upper


def test_blend_pulls_a_thin_share_towards_the_wider_one():
    assert blend(0, 0, 0.3) == pytest.approx(0.3)                      # nothing of its own: the wider share
    assert blend(5, 10, 0.0) == pytest.approx(5 / (10 + BLEND_WEIGHT))  # half its own, half the wider
    assert blend(500, 1000, 0.9) == pytest.approx(0.5, abs=0.01)        # plenty of its own: nearly its own


def _rows():
    """Site 1: department 11 on Mondays, 30 open at band 0 of which 10 unfilled; department 12 on Mondays,
    10 open, none unfilled. Site 2: department 21 on Mondays, 20 open, all unfilled."""
    return [(1, 11, 0, 0, 30, 10), (1, 12, 0, 0, 10, 0), (2, 21, 0, 0, 20, 20)]


def test_rates_blend_department_site_and_trust():
    rates = UnfilledRates(_rows())
    trust = 30 / 60
    assert rates.trust_chance(0) == pytest.approx(trust)
    site1 = (10 + BLEND_WEIGHT * trust) / (40 + BLEND_WEIGHT)
    assert rates.site_chance(1, 0, 0) == pytest.approx(site1)
    assert rates.chance(1, 11, 0, 0) == pytest.approx((10 + BLEND_WEIGHT * site1) / (30 + BLEND_WEIGHT))
    assert rates.chance(1, 12, 0, 0) == pytest.approx(BLEND_WEIGHT * site1 / (10 + BLEND_WEIGHT))
    # A department with no Tuesdays takes its site's Tuesday share; the site has none: the trust's.
    assert rates.chance(1, 11, 1, 0) == pytest.approx(trust)
    # A band nobody has history for is an even chance.
    assert rates.chance(1, 11, 0, 3) == pytest.approx(NO_HISTORY_CHANCE)


def test_rates_without_any_history_are_an_even_chance():
    assert UnfilledRates([]).chance(1, 11, 4, 2) == NO_HISTORY_CHANCE


def test_outlook_sums_chances_and_spreads_by_the_binomial_variance():
    found = outlook([(5, 4, 0.25), (3, 2, 0.5)])
    assert (found.posted, found.open) == (8, 6)
    assert found.expected == pytest.approx(4 * 0.25 + 2 * 0.5)
    spread = RANGE_Z * math.sqrt(4 * 0.25 * 0.75 + 2 * 0.25)
    assert (found.low, found.high) == (round(2 - spread), round(2 + spread)) == (1, 3)


def test_outlook_of_certain_outcomes_has_no_spread():
    found = outlook([(4, 3, 1.0), (2, 2, 0.0)])
    assert (found.expected, found.low, found.high) == (3.0, 3, 3)


def test_outlook_range_stays_within_zero_and_the_open_shifts():
    found = outlook([(1, 1, 0.5)])
    assert (found.low, found.high) == (0, 1)
    empty = outlook([])
    assert (empty.posted, empty.open, empty.expected, empty.low, empty.high) == (0, 0, 0.0, 0, 0)


@pytest.mark.parametrize(("value", "text"), [(0.0, "0.0"), (1.375, "1.4"), (2.25, "2.3"), (2.2499, "2.2"),
                                             (0.05, "0.1"), (12.95, "13.0")])
def test_expected_is_shown_to_one_decimal_half_up(value, text):
    assert str(expected_tenths(value)) == text
