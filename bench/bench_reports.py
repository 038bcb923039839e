"""Benchmark: a year of a merged trust (about 100,000 shifts) through the report aggregates.

Builds the data straight into an empty database, then times each report
(best of 5) next to the bare SQL aggregate it is built on, so the overhead
of the service layer is visible. On PostgreSQL the year must report in well
under a second.

    createdb -h 127.0.0.1 -U postgres bench_reports
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_reports .venv/bin/python bench/bench_reports.py

Without BENCH_DATABASE_URL it runs on a throwaway SQLite file (slower; for a smoke run).
Options: --shifts N (default 100000), --keep (do not drop the tables afterwards).
"""
import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import config  # noqa: E402
from bankapp import create_app  # noqa: E402
from bankapp.audit.models import BREACH_TYPES, Breach  # noqa: E402
from bankapp.extensions import db  # noqa: E402
from bankapp.rates.models import RateViolation  # noqa: E402
from bankapp.reports import forecast, services  # noqa: E402
from bankapp.shifts.models import Booking, Shift  # noqa: E402
from bankapp.timesheets.models import PayLine, Timesheet  # noqa: E402
from tests.factories import Factory  # noqa: E402

YEAR_FROM, YEAR_TO = date(2025, 1, 1), date(2025, 12, 31)
BARE_SQL = """
SELECT s.site_id, count(*) AS posted,
       sum(CASE WHEN b.source = 'bank' THEN 1 ELSE 0 END) AS filled_bank,
       sum(CASE WHEN b.source = 'agency' THEN 1 ELSE 0 END) AS filled_agency
FROM shifts s LEFT JOIN bookings b ON b.shift_id = s.id AND b.status <> 'cancelled'
WHERE s.status <> 'cancelled' AND s.start_at >= :lo AND s.start_at < :hi
GROUP BY s.site_id
"""


def _app():
    url = os.environ.get("BENCH_DATABASE_URL")
    uri = config.normalise_db_url(url) if url else f"sqlite:///{tempfile.mkdtemp()}/bench.db"

    class BenchConfig(config.TestConfig):
        SQLALCHEMY_DATABASE_URI = uri

    return create_app(BenchConfig)


def _generate(n_shifts, rng):
    """World of three sites, ten departments each, and ``n_shifts`` shifts over 2025."""
    factory = Factory()
    w = factory.world()
    site_c = factory.site("CCC", "Gamma Hospital")
    depts = [w.dept_a, w.dept_b] + [factory.department(s) for s in (w.site_a, w.site_b, site_c) for _ in range(9)]
    grades = list(w.grades.values())
    db.session.commit()
    shifts, bookings, timesheets, lines, breaches, violations = [], [], [], [], [], []
    start_of_year = datetime(2025, 1, 1, tzinfo=UTC)
    for sid in range(1, n_shifts + 1):
        dept = rng.choice(depts)
        start = start_of_year + timedelta(minutes=30 * rng.randrange(365 * 48))
        roll = rng.random()
        status = "cancelled" if roll < 0.05 else "completed" if roll < 0.75 else "booked" if roll < 0.85 else "open"
        shifts.append({"id": sid, "site_id": dept.site_id, "department_id": dept.id,
                       "grade_id": rng.choice(grades).id, "start_at": start, "end_at": start + timedelta(hours=12),
                       "status": status, "posted_by_id": w.coordinator_a.id})
        if status in ("completed", "booked"):
            agency = rng.random() < 0.12
            bookings.append({"id": sid, "shift_id": sid, "source": "agency" if agency else "bank",
                             "status": "completed" if status == "completed" else "booked",
                             "doctor_id": None if agency else w.doctor.id,
                             "charge_rate": Decimal("110.00") if agency else None})
            if status == "completed" and not agency:
                timesheets.append({"id": sid, "booking_id": sid, "doctor_id": w.doctor.id, "site_id": dept.site_id,
                                   "status": "approved", "actual_start": start,
                                   "actual_end": start + timedelta(hours=12), "break_minutes": 30,
                                   "submitted_by_id": w.doctor.id})
                lines.append({"timesheet_id": sid, "position": 1, "band": "weekday_day", "minutes": 690,
                              "rate": Decimal("50.00"), "amount": Decimal("575.00")})
        if rng.random() < 0.02:
            breaches.append({"type": rng.choice(BREACH_TYPES), "at": start, "site_id": dept.site_id,
                             "shift_id": sid, "amount_over": Decimal("12.00"), "approved_by_id": w.executive.id})
        elif rng.random() < 0.01:
            violations.append({"shift_id": sid, "status": rng.choice(("pending", "rejected")),
                               "required_role": "approver", "percent_over": Decimal("10.00"),
                               "flat_rate": Decimal("55.00"), "flat_total": Decimal("660.00"),
                               "card_total": Decimal("600.00"), "requested_by_id": w.coordinator_a.id,
                               "created_at": start})
    for model, rows in ((Shift, shifts), (Booking, bookings), (Timesheet, timesheets), (PayLine, lines),
                        (Breach, breaches), (RateViolation, violations)):
        for i in range(0, len(rows), 5000):
            db.session.execute(db.insert(model), rows[i:i + 5000])
    db.session.commit()
    _analyze()
    return w, {"shifts": len(shifts), "bookings": len(bookings), "timesheets": len(timesheets),
               "breaches": len(breaches) + len(violations)}


def _analyze():
    """Fresh planner statistics, as autovacuum would give a live database (ANALYZE must commit to count)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")


def _best(fn, repeat=5):
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
        db.session.rollback()
    return min(times) * 1000


def _first_executive():
    from bankapp.auth.models import User, UserRole

    return db.session.execute(db.select(User).join(UserRole).where(UserRole.role == "executive")
                              .order_by(User.id)).scalars().first()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shifts", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="time the data a --keep run left")
    args = parser.parse_args()
    app = _app()
    with app.app_context():
        if args.reuse:
            _analyze()
            executive = _first_executive()
            print(f"{db.engine.dialect.name}: reusing {db.session.query(Shift).count()} shifts")
        else:
            db.drop_all()
            db.create_all()
            began = time.perf_counter()
            w, counts = _generate(args.shifts, random.Random(2025))
            print(f"{db.engine.dialect.name}: built {counts} in {time.perf_counter() - began:.1f} s")
            executive = db.session.get(type(w.executive), w.executive.id)
        period = services.build_period(YEAR_FROM, YEAR_TO)
        bare = _best(lambda: db.session.execute(db.text(BARE_SQL), {"lo": period.lo, "hi": period.hi}).all())
        print(f"{'bare SQL fill aggregate by site':44s} {bare:8.1f} ms")
        cases = [(f"fill_rate_report group_by={g}",
                  lambda g=g: services.fill_rate_report(actor=executive, date_from=YEAR_FROM, date_to=YEAR_TO,
                                                        group_by=g))
                 for g in ("site", "department", "grade", "week")]
        cases += [(f"spend_report group_by={g}",
                   lambda g=g: services.spend_report(actor=executive, date_from=YEAR_FROM, date_to=YEAR_TO,
                                                     group_by=g))
                  for g in ("site", "week")]
        cases.append(("forecast_report (14 days, a year of history)",
                      lambda: forecast.forecast_report(actor=executive, as_of=period.hi)))
        cases.append(("fill_trend (week x site)",
                      lambda: services.fill_trend(actor=executive, period=period)))
        cases.append(("breach_report (a year, every row)",
                      lambda: services.breach_report(actor=executive, date_from=YEAR_FROM, date_to=YEAR_TO)))
        cases.append(("executive dashboard", lambda: services.dashboard(executive)))
        for name, fn in cases:
            print(f"{name:44s} {_best(fn):8.1f} ms")
        if not args.keep:
            db.session.remove()
            db.drop_all()


if __name__ == "__main__":
    main()
