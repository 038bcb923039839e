"""A realistic year of a merged trust, bulk-loaded into PostgreSQL with COPY.

    .venv/bin/python -m bench.generate [--database-url URL] [--seed 2026] [--doctors 2800] [--shifts 100000]

3 sites, 30 departments, 7 grades, 2,800 bank doctors with their five
compliance documents (one password hash for all), the harmonised rate card,
about 100,000 shifts from 11 months ago to a month ahead (most bank-filled,
some agency at charge rates, some unfilled — more at weekends and in some
departments, for the forecast's back-test — ~2% flat rates above the card as
rate violations with their breaches), bookings, timesheets with pay lines
priced by ``bankapp.rates.rules.price_shift``, monthly payroll batches for all
but the newest 10,000 approved timesheets, and an empty outbox.

The shifts and everything that follows them are built by ``bankapp/demo/year.py``,
the generator the demo trust's quarter (``flask bank seed-demo``) uses too;
this module adds the bench's own people and the COPY loader.

The schema comes from the models (``db.create_all``) on a fresh ``public``
schema; ``--no-reset`` loads into existing, empty tables (the smoke test).
The same ``--seed`` gives the same trust relative to the day it is run.
"""
import argparse
import logging
import random
import time
from datetime import UTC, date, datetime, timedelta

from werkzeug.security import generate_password_hash

from bankapp.demo import year
from bankapp.demo.trust import Trust
from bankapp.rates.demo import AGENCY_CAP, card_figures
from bankapp.seed import DEPARTMENTS, FIRST, GRADES, LAST, SITES
from bankapp.staff.documents import DOCUMENT_KINDS
from bankapp.timeutil import london_date

from . import common

log = logging.getLogger(__name__)
GRADE_WEIGHTS = {"FY1": 18, "FY2": 18, "CT1": 20, "ST3": 18, "ST6": 10, "SAS": 10, "CONS": 6}
AGENCIES = [("Medacs Healthcare", 1, True), ("Locum People", 1, True), ("Holt Doctors", 2, True),
            ("Rapid Locums Ltd", 2, False)]


def _user(trust, email, name, roles, *, password_hash, site_ids=(), mobile=None, sms=False, agency_id=None):
    uid = len(trust.users) + 1
    trust.users.append((uid, email, name, password_hash, True, mobile, sms, agency_id, trust.now - timedelta(days=400)))
    trust.roles += [(uid, role) for role in roles]
    trust.user_sites += [(uid, site_id) for site_id in site_ids]
    return uid


def build_reference(trust):
    created = trust.now - timedelta(days=400)
    for i, (code, name) in enumerate(SITES[:trust.scale["sites"]], start=1):
        trust.sites.append((i, code, name, created))
    per_site = trust.scale["departments_per_site"]
    for site_id, code, _, _ in trust.sites:
        for j, (name, specialty) in enumerate(DEPARTMENTS[:per_site]):
            did = len(trust.departments) + 1
            trust.departments.append((did, site_id, name, specialty, f"{code}{100 + j:03d}", created))
    for i, (code, name, rank) in enumerate(GRADES, start=1):
        trust.grades[code] = (i, rank, name)
    for i, (name, tier, framework) in enumerate(AGENCIES, start=1):
        trust.agencies.append((i, name, tier, framework, created))


def build_people(trust, password_hash):
    rng = trust.rng
    staff = trust.staff
    staff["admin"] = _user(trust, "admin@bench.nhs.uk", "Bench Admin", ["admin"], password_hash=password_hash)
    staff["payroll"] = _user(trust, "payroll@bench.nhs.uk", "Pat Payroll", ["payroll"], password_hash=password_hash)
    staff["executive"] = _user(trust, "exec@bench.nhs.uk", "Eve Executive", ["executive"],
                               password_hash=password_hash)
    staff["chief"] = _user(trust, "ceo@bench.nhs.uk", "Chris Chief", ["chief_executive", "executive"],
                           password_hash=password_hash)
    for site_id, code, _, _ in trust.sites:
        staff[f"coordinator:{site_id}"] = _user(trust, f"rota.{code.lower()}@bench.nhs.uk", f"Rota {code}",
                                                ["coordinator"], password_hash=password_hash, site_ids=[site_id])
        staff[f"approver:{site_id}"] = _user(trust, f"approver.{code.lower()}@bench.nhs.uk", f"Approver {code}",
                                             ["approver"], password_hash=password_hash, site_ids=[site_id])
    for agency_id, name, *_ in trust.agencies:
        staff[f"agency:{agency_id}"] = _user(trust, f"desk{agency_id}@agency.example", f"{name} desk", ["agency"],
                                             password_hash=password_hash, agency_id=agency_id)
    codes = list(GRADE_WEIGHTS)
    today = london_date(trust.now)
    for n in range(trust.scale["doctors"]):
        code = rng.choices(codes, weights=list(GRADE_WEIGHTS.values()))[0]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        uid = _user(trust, f"doctor{n + 1:04d}@bench.nhs.uk", name, ["doctor"], password_hash=password_hash,
                    mobile=f"+4477009{n + 1:05d}", sms=True)
        esr = f"{20000000 + uid:08d}-{uid % 10}"
        trust.profiles.append((uid, trust.grades[code][0], esr, f"{7000000 + uid:07d}", trust.now - timedelta(400)))
        trust.doctors.setdefault(code, []).append(uid)
        trust.doctor_info[uid] = (name, esr)
        lapsed = rng.random() < 0.01  # a few doctors with a lapsing DBS: refused at claim time
        for kind in DOCUMENT_KINDS:
            days = rng.randint(3, 20) if lapsed and kind == "dbs" else rng.randint(200, 900)
            trust.documents.append((len(trust.documents) + 1, uid, kind, today + timedelta(days=days),
                                    f"{kind[:3].upper()}-{uid}", staff["admin"], trust.now - timedelta(days=300)))


def build_card(trust):
    rates, caps = card_figures([code for code in trust.grades if code in AGENCY_CAP])
    for rate in rates:
        grade_id = trust.grades[rate["grade"]][0]
        trust.card_rates.setdefault(grade_id, {})[rate["band"]] = rate["hourly_rate"]
    for cap in caps:
        trust.caps[trust.grades[cap["grade"]][0]] = cap["hourly_cap"]


def card_effective_from(trust) -> date:
    return london_date(trust.now) - timedelta(days=trust.scale["days_back"] + 31)


# --- loading --------------------------------------------------------------------------

TABLES = [
    ("sites", "id, code, name, created_at", "sites"),
    ("grades", "id, code, name, rank, created_at", "grades"),
    ("departments", "id, site_id, name, specialty, cost_centre, created_at", "departments"),
    ("agencies", "id, name, tier, on_framework, created_at", "agencies"),
    ("users", "id, email, name, password_hash, active, mobile, sms_opt_in, agency_id, created_at", "users"),
    ("user_roles", "user_id, role", "roles"),
    ("user_sites", "user_id, site_id", "user_sites"),
    ("doctor_profiles", "user_id, grade_id, esr_assignment_number, gmc_number, created_at", "profiles"),
    ("compliance_documents", "id, user_id, kind, expires_on, reference, created_by_id, created_at", "documents"),
]


def _rows(trust, attr):
    if attr == "grades":
        return [(gid, code, name, rank, trust.now - timedelta(days=400))
                for code, (gid, rank, name) in trust.grades.items()]
    return getattr(trust, attr)


def card_rows(trust):
    card = [(trust.card_id, card_effective_from(trust), trust.staff["admin"], "Harmonised card agreed at merger",
             "One card for all three sites.", trust.now - timedelta(days=400))]
    rates = [(n, trust.card_id, gid, band, _pennies(rate)) for n, (gid, band, rate) in enumerate(
        ((gid, band, rate) for gid, bands in trust.card_rates.items() for band, rate in bands.items()), start=1)]
    caps = [(n, trust.card_id, gid, _pennies(cap)) for n, (gid, cap) in enumerate(trust.caps.items(), start=1)]
    return [("rate_cards", "id, effective_from, created_by_id, backdated_reason, note, created_at", card),
            ("rate_card_rates", "id, rate_card_id, grade_id, band, hourly_rate", rates),
            ("agency_caps", "id, rate_card_id, grade_id, hourly_cap", caps)]


def _pennies(amount):
    return None if amount is None else int(round(amount * 100))


def copy_table(conn, table, columns, rows):
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def reset_schema(url):
    """A fresh public schema with every table, index and constraint of the models."""
    with common.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
    app = common.make_app(url)
    from bankapp.extensions import db

    with app.app_context():
        db.create_all()
        db.engine.dispose()


def load(url, trust):
    tables = [(t, cols, _rows(trust, attr)) for t, cols, attr in TABLES] + card_rows(trust) + year.tables(trust)
    with common.connect(url) as conn:
        for table, columns, rows in tables:
            started = time.perf_counter()
            copy_table(conn, table, columns, rows)
            log.info("%-22s %8d rows in %.1fs", table, len(rows), time.perf_counter() - started)
        for table, columns, _ in tables:
            if columns.startswith("id,"):
                conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"GREATEST((SELECT max(id) FROM {table}), 1))")
        conn.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))")
        conn.commit()
    with common.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def generate(url, *, seed=2026, doctors=2800, shifts=100_000, open_future=3000, unexported=10_000,
             sites=3, departments_per_site=10, days_back=335, days_ahead=30, reset=True, now=None) -> Trust:
    """Build and load the trust; returns what was generated (ids of staff, doctors …)."""
    now = now or datetime.now(UTC).replace(microsecond=0)
    scale = {"doctors": doctors, "shifts": shifts, "open_future": open_future, "unexported": unexported,
             "sites": sites, "departments_per_site": departments_per_site, "days_back": days_back,
             "days_ahead": days_ahead}
    trust = Trust(rng=random.Random(seed), now=now, scale=scale)
    started = time.perf_counter()
    build_reference(trust)
    build_people(trust, generate_password_hash(common.BENCH_PASSWORD))
    build_card(trust)
    year.build(trust)
    log.info("generated in memory in %.1fs", time.perf_counter() - started)
    if reset:
        common.ensure_database(url)
        reset_schema(url)
    load(url, trust)
    log.info("loaded in %.1fs in all", time.perf_counter() - started)
    return trust


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help=f"default: $BENCH_DATABASE_URL or {common.DEFAULT_URL}")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--doctors", type=int, default=2800)
    parser.add_argument("--shifts", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=3000, dest="open_future", help="open shifts ahead")
    parser.add_argument("--unexported", type=int, default=10_000, help="approved timesheets left for payroll")
    parser.add_argument("--no-reset", action="store_true", help="load into existing empty tables")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    url = common.database_url(args.database_url)
    trust = generate(url, seed=args.seed, doctors=args.doctors, shifts=args.shifts, open_future=args.open_future,
                     unexported=args.unexported, reset=not args.no_reset)
    counts = {t: len(r) for t, r in trust.rows.items()}
    print(f"bench trust in {url.rsplit('/', 1)[-1]}: {len(trust.users)} users, " +
          ", ".join(f"{n} {t}" for t, n in counts.items()))


if __name__ == "__main__":
    main()
