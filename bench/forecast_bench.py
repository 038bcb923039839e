"""The forecast of unfilled shifts, back-tested on the bench year (in-process, read only).

Twelve forecasts made a week apart, the latest fourteen days ago, each for fourteen days, are compared
with what happened, per site and day: the mean absolute error of the expected count, the same for a
baseline that knows only the trust's share per lead time (no weekday, no department), the mean count
that went unfilled, and how often the 80% range held it. The figures go on the forecast page and in
README (``bankapp.reports.forecast.BENCH_BACKTEST``).

    .venv/bin/python -m bench.forecast_bench [--database-url URL] [--weeks 12]
"""
import argparse
import logging
import time
from datetime import UTC, datetime

from . import common

log = logging.getLogger(__name__)


def run(app, *, weeks=12) -> dict:
    from bankapp.extensions import db
    from bankapp.reports import forecast

    with app.app_context():
        started = time.perf_counter()
        try:
            found = forecast.backtest(forecast.weekly_origins(datetime.now(UTC), weeks=weeks))
        finally:
            db.session.rollback()
        found["seconds"] = time.perf_counter() - started
    log.info("forecast back-test: %s", text(found))
    return found


def text(found) -> str:
    return (f"{found['origins']} forecasts a week apart × {found['days']} days × each site "
            f"({found['cells']} site-days): mean absolute error {found['mean_absolute_error']:.2f} shifts "
            f"per site and day (baseline without weekday and department "
            f"{found['baseline_mean_absolute_error']:.2f}; {found['mean_unfilled']:.1f} went unfilled per site "
            f"and day); the 80% range held {found['range_held']:.0%}; {found['seconds']:.1f} s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--weeks", type=int, default=12)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    print(text(run(common.make_app(common.database_url(args.database_url)), weeks=args.weeks)))


if __name__ == "__main__":
    main()
