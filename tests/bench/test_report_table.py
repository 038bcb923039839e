"""The benchmark table: every figure and ratio, the gap rows and the CPU split, from a results dict."""
import time

import pytest

from bench import cpu, report_table


def storm(throughput, statuses, cpu_ms=None):
    claims = sum(statuses.values())
    return {"claims": claims, "seconds": claims / throughput, "throughput": throughput, "statuses": statuses,
            "latency": {"p50": 10, "p95": 20, "p99": 30, "max": 40}, "5xx": 0, "unexpected": 0,
            "double_bookings": 0, "booked": 200, "shifts": 200, "cpu_ms": cpu_ms or {}}


def results():
    lat = {"p50": 4.0, "p95": 5.0, "p99": 6.0, "max": 7.0}
    return {
        "floor": storm(2000, {201: 200, 409: 800}, {"server": 0.5, "postgres": 0.05, "client": 0.2}),
        "storm": storm(500, {201: 200, 409: 800}, {"server": 3.0, "postgres": 1.0, "client": 0.2}),
        "gap": {"app, nothing to do": storm(1900, {200: 1000}, {"server": 0.6, "postgres": 0.0, "client": 0.2})},
        "board": {"api": lat, "page": lat, "bare_ms": 2.0, "open": 3000},
        "eligible_board": {"open": 3000, "bookings": 40, "paths": {
            "API, only what they can claim (?eligible=true, 50 a page)": {
                "http": lat, "bare_ms": 2.0, "reads": 6, "statements": 7, "statements_small": 7},
            "page /shifts, Shifts I can take (25 a page)": {"http": lat, "bare_ms": 1.0, "reads": 9,
                                                             "statements": 12}}},
        "reports": {"breaches": {"http": {"p50": 90.0}, "bare_ms": 60.0, "statements": 3}},
        "export": {"timesheets": 10000, "bytes": 1024 * 1351, "seconds": 0.7},
        "fanout": {"written": 2780, "doctors": 2800, "seconds": 0.3},
        "rss_mb": 100.0, "rss_mb_after_reads": 130.0,
        "machine": {"at": "2026-11-23 04:00 UTC", "nproc": 2, "memory_gb": 23.5, "postgres": "psql 15",
                    "load_before": (0.4, 0, 0), "load_after": (0.8, 0, 0)},
        "wall_seconds": 30.0,
    }


def test_the_table_has_the_ratio_the_gap_and_where_the_cpu_went():
    text = report_table.render(results())
    assert "| claim throughput / floor | 0.25 | ≥ 0.5 | FAIL |" in text
    assert "where the gap is — app, nothing to do | 1900/s (0.95× floor); answers 200×1000" in text
    assert "CPU per request: server 3.00 ms, PostgreSQL 1.00 ms, client 0.20 ms" in text
    assert "| shift board API (GET /api/v1/shifts?status=open) | p50 4 / p95 5 / p99 6 ms; bare SQL 2.0 ms → 2.0×" \
        in text
    assert "| shift board with eligibility — API, only what they can claim (?eligible=true, 50 a page) | p50 4 / " \
           "p95 5 / p99 6 ms; bare SQL 2.0 ms (6 reads) → 2.0× (3000 open shifts ahead, the doctor booked on 40) | " \
           "≤ 3× bare SQL | PASS |" in text
    assert "page /shifts, Shifts I can take (25 a page) | p50 4 / p95 5 / p99 6 ms; bare SQL 1.0 ms (9 reads) → " \
           "4.0×" in text
    assert "| shift board with eligibility — statements per request | API ?eligible=true, 50 a page: 7 for 50 " \
           "shifts, 7 for 5 | the same for 5 and 50 | PASS |" in text
    assert text.count("PASS") == 10 and text.count("FAIL") == 2


def test_cpu_per_request_is_the_difference_spread_over_the_requests():
    before = {"server": 1.0, "postgres": 2.0, "client": 0.5}
    after = {"server": 4.0, "postgres": 2.5, "client": 0.7}
    assert cpu.per_request_ms(before, after, 1000) == pytest.approx({"server": 3.0, "postgres": 0.5, "client": 0.2})
    assert cpu.per_request_ms(before, after, 0) == {}


def test_a_snapshot_counts_this_process_as_the_client():
    first = cpu.snapshot([])
    busy_until = time.process_time() + 0.05  # well over one clock tick (10 ms), which os.times counts in
    while time.process_time() < busy_until:
        pass
    second = cpu.snapshot([])
    assert second["client"] > first["client"] and second["server"] == 0.0


def test_the_ratio_row_names_every_round_and_the_median_round_is_reported():
    from bench.run import median_round

    rounds = [(storm(2000, {201: 1}), storm(300, {201: 1})), (storm(1000, {201: 1}), storm(200, {201: 1})),
              (storm(2500, {201: 1}), storm(250, {201: 1}))]  # ratios 0.15, 0.20, 0.10
    floor, claims = median_round(rounds)
    assert (floor["throughput"], claims["throughput"]) == (2000, 300)
    r = results() | {"floor": floor, "storm": claims, "rounds": [0.15, 0.20, 0.10]}
    assert ("| claim throughput / floor | 0.15 (median of 3 rounds of floor then storm: 0.15, 0.20, 0.10) | ≥ 0.5 "
            "| FAIL |") in report_table.render(r)
    assert "take turns for 3 round(s)" in report_table.document(r, "")


def restart_figures(**changes):
    figures = {"claims": 2000, "seconds": 25.0, "rate": 80, "statuses": {201: 650, 409: 1350}, "5xx": 0,
               "unexpected": 0, "connection_errors": 0, "errors": {}, "routing": {}, "double_bookings": 0,
               "booked": 650, "shifts": 650, "won": 650, "after_restart": 140, "restart_error": None,
               "events": [(0.0, "drain file created"), (0.7, "out of rotation"), (2.9, "stopped"),
                          (8.1, "started"), (8.2, "back in rotation")], "port": 8001}
    return {**figures, **changes}


def test_a_clean_restart_passes_and_names_every_step():
    from bench.restart import MODES

    (row,) = report_table.restart_rows({next(iter(MODES)): restart_figures()})
    assert row[3] == "PASS"
    assert "0 connection errors; no request rerouted; 650 answers 201 = 650 shifts booked" in row[1]
    assert "out of rotation +0.7 s" in row[1] and "answered 140 claims" in row[1]


@pytest.mark.parametrize("changes", [
    {"connection_errors": 1, "errors": {"ConnectionResetError": 1}},
    {"5xx": 1, "statuses": {201: 650, 409: 1349, 502: 1}},
    {"double_bookings": 1},
    {"won": 649},  # a claim booked whose answer was lost
    {"after_restart": 0},  # the storm ended before the restarted server took any claim
    {"restart_error": "RuntimeError('timed out')"},
])
def test_a_restart_that_lost_anything_fails(changes):
    from bench.restart import MODES

    (row,) = report_table.restart_rows({next(iter(MODES)): restart_figures(**changes)})
    assert row[3] == "FAIL"


def test_the_no_drain_control_is_reported_without_a_verdict():
    from bench.restart import CONTROLS

    figures = restart_figures(connection_errors=16, errors={"ConnectionResetError": 16},
                              routing={"refused before sending: sent to the other server": 1})
    (row,) = report_table.restart_rows({next(iter(CONTROLS)): figures})
    assert row[2].startswith("—") and row[3] == ""
    assert "16 connection errors (ConnectionResetError×16); 1 refused before sending" in row[1]
def test_the_fill_rate_page_and_the_forecast_back_test_have_their_rows():
    r = results() | {
        "report_page": {"first_ms": 620.0, "later": {"p50": 180.0}},
        "backtest": {"origins": 12, "days": 14, "cells": 504, "mean_absolute_error": 1.1,
                     "baseline_mean_absolute_error": 1.21, "mean_unfilled": 6.4, "range_held": 0.88, "seconds": 3.0},
    }
    text = report_table.render(r)
    assert ("| report page: fill rates (/reports/fill-rates, its 12 weeks, as the executive) | first load on a "
            "worker 620 ms; then p50 180 ms | < 500 ms, first load included | FAIL |") in text
    assert "mean absolute error 1.10 shifts per site and day (baseline without weekday and department 1.21" in text
    assert "| error below the baseline's | PASS |" in text
