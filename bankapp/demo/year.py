"""A trust's history of shifts: shifts, rate violations, bookings, agency offers, timesheets with pay
lines, payroll batches and the breach register, as rows (tuples, ids assigned here) for a loader.

The bench's year (``bench/generate.py``, COPY into PostgreSQL) and the demo's
quarter (``quarter.py``, through SQLAlchemy) are both built here; the
``Trust``'s ``scale`` sets the span, the volume and the mix (``trust.py``).
Doctors are given shifts of their own grade at a site they may work at, in
turn, each at least 11 hours after their previous one, so the history is one
a doctor could have worked. Pay lines come from the real pricing rules
(``price_shift``), so the reports, the export and the pay a doctor sees agree.
Money goes out in pennies (the ``Decimal2`` columns' stored form).
"""
from datetime import datetime, time, timedelta
from decimal import Decimal

from bankapp.csvout import write_csv
from bankapp.money import money_str
from bankapp.payroll import csvfiles
from bankapp.rates import rules as pricing
from bankapp.timesheets import rules as ts_rules
from bankapp.timeutil import LONDON, format_london, london_date, london_text, minutes_by_date_and_band

# (start hour, length in hours) of the shift patterns a department posts.
PATTERNS = [(8, 12.5), (20, 12.5), (8, 9), (14, 8), (9, 10), (17, 8)]
REST = timedelta(hours=11)
CUTOFF = {"weekday": 0, "at": time(9)}
SHIFT_COLS = ("id, site_id, department_id, grade_id, start_at, end_at, status, hourly_rate, reason, retrospective, "
              "posted_by_id, created_at, updated_at, released_tier1_at, released_tier2_at, cancelled_at, "
              "cancelled_by_id, cancel_reason, opened_at")
TABLES = ("shifts", "rate_violations", "bookings", "agency_offers", "payroll_exports", "timesheets",
          "timesheet_pay_lines", "breaches")


# A worked shift went unfilled with chance ``unfilled`` (the trust's setting) × its department's difficulty (by
# the department's place in its site's list) × its London weekday's (Monday first); both average about 1. Then
# ``agency`` of the shifts went to an agency. So weekends and some departments fill worse, as the forecast's
# back-test expects.
DEPARTMENT_DIFFICULTY = (1.6, 0.6, 1.0, 1.3, 0.7, 0.9, 1.2, 0.8, 1.1, 0.8)
WEEKDAY_DIFFICULTY = (0.8, 0.8, 0.85, 0.85, 1.0, 1.5, 1.4)


def unfilled_chance(dept, start, unfilled) -> float:
    position = (dept[0] - 1) % len(DEPARTMENT_DIFFICULTY)
    return unfilled * DEPARTMENT_DIFFICULTY[position] * WEEKDAY_DIFFICULTY[start.astimezone(LONDON).weekday()]


def _pennies(amount):
    return None if amount is None else int(round(Decimal(amount) * 100))


def _wall(day, hour, minutes=0):
    return datetime.combine(day, time(hour), tzinfo=LONDON) + timedelta(minutes=minutes)


def _plan_shifts(trust):
    """(department, grade code, start, end) for every shift, soonest first."""
    rng, wanted = trust.rng, trust.setting("shifts")
    today = london_date(trust.now)
    days = list(range(-trust.setting("days_back"), trust.setting("days_ahead")))
    per_slot = wanted / (len(days) * len(trust.departments))
    codes, weights = list(trust.doctors), [len(v) for v in trust.doctors.values()]
    planned = []
    for offset in days:
        day = today + timedelta(days=offset)
        for dept in trust.departments:
            count = int(per_slot) + (1 if rng.random() < per_slot % 1 else 0)
            for _ in range(count):
                hour, length = rng.choice(PATTERNS)
                start = _wall(day, hour)
                end = _wall(day + timedelta(days=1 if hour + length >= 24 else 0), int((hour + length) % 24),
                            int(length % 1 * 60))
                planned.append((dept, rng.choices(codes, weights=weights)[0], start, end))
    if len(planned) > wanted:  # drop the excess evenly over the span, not at its end
        planned = rng.sample(planned, wanted)
    planned.sort(key=lambda p: (p[2], p[0][0]))
    return planned


def _price(trust, start, end, grade_id, *, flat=None, break_minutes=0):
    rates = None if flat is not None else trust.card_rates[grade_id]
    return pricing.price_shift(start, end, rates=rates, flat_rate=flat, break_minutes=break_minutes)


class Builder:
    def __init__(self, trust):
        self.t = trust
        self.rows = {name: [] for name in TABLES}
        self.free_at = {}
        self.turn = {code: 0 for code in trust.doctors}
        self.future_open = 0
        self.future_total = sum(1 for p in trust._planned_future)
        self.approved = []  # (ts id, approved_at) for payroll batching
        self.ts_info = {}

    def next_id(self, table) -> int:
        """The id of the row about to be added to ``table``: after those the database already holds."""
        return self.t.id_base.get(table, 0) + len(self.rows[table]) + 1

    def next_doctor(self, code, start, site_id):
        pool = self.t.doctors[code]
        for _ in range(min(len(pool), 40)):
            uid = pool[self.turn[code] % len(pool)]
            self.turn[code] += 1
            sites = self.t.doctor_sites.get(uid)
            if self.free_at.get(uid, start) <= start and (not sites or site_id in sites):
                return uid
        return None

    def shift(self, dept, code, start, end):
        t, rng = self.t, self.t.rng
        sid = self.next_id("shifts")
        grade_id, site_id = t.grades[code][0], dept[1]
        coordinator = t.staff[f"coordinator:{site_id}"]
        posted = min(start - timedelta(days=rng.randint(3, 28)), t.now - timedelta(hours=1))
        future = start > t.now
        row = {"status": "open", "hourly_rate": None, "reason": None, "tier1": None, "tier2": None,
               "cancelled_at": None, "cancelled_by": None, "cancel_reason": None, "opened_at": posted}
        roll = rng.random()
        if roll < 0.02:
            row.update(self.violation(sid, dept, grade_id, start, end, posted, coordinator))
        if row["status"] == "open":
            if roll > 0.97 and not future:
                row.update(status="cancelled", cancelled_at=start - timedelta(days=1), cancelled_by=coordinator,
                           cancel_reason="Ward closed for the day.")
            elif future and self.future_open < t.setting("open_future") and rng.random() < self._open_share():
                self.future_open += 1
            else:
                row["status"] = self.fill(sid, dept, code, grade_id, start, end, posted, row)
        self.rows["shifts"].append((sid, site_id, dept[0], grade_id, start, end, row["status"],
                                    _pennies(row["hourly_rate"]), row["reason"], False, coordinator, posted, posted,
                                    row["tier1"], row["tier2"], row["cancelled_at"], row["cancelled_by"],
                                    row["cancel_reason"], row["opened_at"]))

    def _open_share(self):
        """Chance of leaving a future shift open, so that about ``open_future`` of them are."""
        return min(1.0, self.t.setting("open_future") / max(self.future_total, 1) * 1.1)

    def violation(self, sid, dept, grade_id, start, end, posted, coordinator):
        t, rng = self.t, self.t.rng
        card = _price(t, start, end, grade_id)
        flat = (card.total / Decimal(card.minutes) * 60 * Decimal(rng.choice(["1.10", "1.15", "1.25", "1.40"])))
        flat = flat.quantize(Decimal("1"))
        flat_bd = _price(t, start, end, grade_id, flat=flat)
        percent = pricing.percent_over(flat_bd.total, card.total)
        role = pricing.required_role_for_totals(flat_bd.total, card.total,
                                                t.approver_max_percent.get(dept[1], pricing.DEFAULT_THRESHOLD))
        fate = rng.random()
        status = "approved" if fate < 0.85 or start <= t.now and fate < 0.9 else (
            "pending" if fate < 0.93 else "rejected")
        decider = t.staff["executive"] if role == "executive" else t.staff[f"approver:{dept[1]}"]
        decided_at = min(posted + timedelta(hours=rng.randint(2, 30)), t.now) if status != "pending" else None
        vid = self.next_id("rate_violations")
        self.rows["rate_violations"].append((
            vid, sid, status, role, _pennies(percent), _pennies(flat), _pennies(flat_bd.total), _pennies(card.total),
            "No bank claims at card rate after a week.", coordinator, decider if decided_at else None, decided_at,
            "Patient safety: rota gap." if decided_at else None, posted))
        if status == "approved":
            self.breach("rate_violation", decided_at, dept[1], sid, flat_bd.total - card.total, decider,
                        "Patient safety: rota gap.", "rate_violation", vid)
            return {"hourly_rate": flat, "reason": "Rota gap", "opened_at": decided_at}
        return {"hourly_rate": flat, "reason": "Rota gap", "status": "pending_rate_approval", "opened_at": None}

    def breach(self, type_, at, site_id, shift_id, amount_over, approved_by, reason, source_type, source_id):
        bid = self.next_id("breaches")
        self.rows["breaches"].append((bid, type_, at, site_id, shift_id, _pennies(amount_over), approved_by, reason,
                                      source_type, source_id))

    def fill(self, sid, dept, code, grade_id, start, end, posted, row):
        t, rng = self.t, self.t.rng
        past = end <= t.now
        roll = rng.random()
        unfilled, agency = unfilled_chance(dept, start, t.setting("unfilled")), t.setting("agency")
        if roll < unfilled and past:
            row["tier1"] = posted + timedelta(days=2)
            row["tier2"] = row["tier1"] + timedelta(hours=12)
            return "released_tier2"
        booked_at = min(posted + timedelta(hours=rng.randint(1, 48)), t.now)
        bid = self.next_id("bookings")
        status = "completed" if past else "booked"
        if unfilled <= roll < unfilled + agency:
            row["tier1"] = min(posted + timedelta(days=2), booked_at)
            charge = self.agency(sid, dept, grade_id, bid, booked_at)
            self.rows["bookings"].append((bid, sid, None, "agency", status, _pennies(charge),
                                          self.rows["agency_offers"][-1][0], None,
                                          t.staff[f"coordinator:{dept[1]}"], booked_at))
            flat, doctor = charge, None
        else:
            doctor = self.next_doctor(code, start, dept[1])
            if doctor is None:
                return "open" if not past else "released_tier2"
            self.free_at[doctor] = end + REST
            self.rows["bookings"].append((bid, sid, doctor, "bank", status, None, None, None, doctor,
                                          booked_at))
            flat = row["hourly_rate"]
        if past:
            self.timesheet(bid, sid, dept, grade_id, start, end, doctor, flat)
        return status

    def agency(self, sid, dept, grade_id, booking_id, at):
        t, rng = self.t, self.t.rng
        agency_id, name, tier, framework, _ = rng.choice(t.agencies)
        cap = t.caps[grade_id]
        charge = cap - 5 if rng.random() < 0.8 else cap + rng.choice([5, 10, 20])
        over = max(charge - cap, Decimal(0))
        oid = self.next_id("agency_offers")
        needs_exec = over > 0 or not framework
        approver = t.staff["chief"] if charge > 100 and needs_exec else t.staff["executive"]
        self.rows["agency_offers"].append((
            oid, sid, agency_id, t.staff[f"agency:{agency_id}"], f"Locum {oid}", f"{8000000 + oid:07d}", grade_id,
            _pennies(charge), "accepted", _pennies(cap), _pennies(over), not framework,
            t.staff[f"coordinator:{dept[1]}"], at, "Patient safety: no bank cover." if needs_exec else None,
            approver if needs_exec else None, at if needs_exec else None, booking_id, at - timedelta(hours=3)))
        if over > 0:
            self.breach("agency_over_cap", at, dept[1], sid, over, approver, "Patient safety: no bank cover.",
                        "agency_offer", oid)
        if not framework:
            self.breach("off_framework", at, dept[1], sid, None, approver, "Patient safety: no bank cover.",
                        "agency_offer", oid)
        return charge

    def timesheet(self, booking_id, sid, dept, grade_id, start, end, doctor, flat):
        t, rng = self.t, self.t.rng
        actual_start, actual_end = start, end
        if rng.random() < 0.1:
            actual_end = end + timedelta(minutes=rng.choice([15, 30, 45]))
        brk = 30 if (end - start) >= timedelta(hours=8) else 0
        submitted = actual_end + timedelta(hours=rng.randint(2, 72))
        if submitted > t.now:
            return  # not sent yet: the doctor (or the coordinator, for a locum) still has it to do
        tid = self.next_id("timesheets")
        site_id = dept[1]
        submitter = doctor or t.staff[f"coordinator:{site_id}"]
        approver = t.staff[f"approver:{site_id}"]
        undecided = self._undecided(submitted, approver)
        if undecided is not None:
            status, decided_by, decided_at, query_note, decision_note = undecided
            self.rows["timesheets"].append((tid, booking_id, doctor, site_id, status, actual_start, actual_end,
                                            brk, submitter, submitted, decided_by, decided_at, None, False, None,
                                            submitted, decided_at or submitted, query_note, decision_note))
            return
        late = rng.random() < 0.03
        approved = ts_rules.due_cutoff(submitted, **CUTOFF) + timedelta(hours=3) if late else \
            submitted + timedelta(hours=rng.randint(1, 20))
        approved = min(approved, t.now - timedelta(hours=1))
        late = ts_rules.is_late(submitted_at=submitted, approved_at=approved, **CUTOFF)
        pay = _price(t, actual_start, actual_end, grade_id, flat=flat, break_minutes=brk)
        self.rows["timesheets"].append([tid, booking_id, doctor, site_id, "approved", actual_start, actual_end, brk,
                                        submitter, submitted, approver, approved, approved, late, None, submitted,
                                        approved, None, None])
        for position, line in enumerate(pay.lines):
            self.rows["timesheet_pay_lines"].append((self.next_id("timesheet_pay_lines"), tid, position,
                                                     line.band, line.minutes, _pennies(line.rate),
                                                     _pennies(line.amount)))
        self.ts_info[tid] = (sid, dept, doctor, booking_id, pay, submitted, approved, late)
        self.approved.append((tid, approved))
        if late:
            due = london_text(ts_rules.due_cutoff(submitted, **CUTOFF))
            self.breach("late_timesheet", approved, site_id, sid, None, approver,
                        f"Approved after the pay-run cut-off of {due}.", "timesheet", tid)


    def _undecided(self, submitted, approver):
        """(status, decided by, decided at, query note, decision note) of a timesheet not approved, else None.

        Submitted within the last day: still waiting. Otherwise a share is
        queried back to the doctor or rejected (``scale``'s ``queried`` and
        ``rejected``; none in the bench's year).
        """
        t = self.t
        if submitted + timedelta(hours=24) > t.now:
            return "submitted", None, None, None, None
        queried, rejected = t.setting("queried"), t.setting("rejected")
        if not (queried or rejected):
            return None
        roll = t.rng.random()
        decided = min(submitted + timedelta(hours=t.rng.randint(2, 20)), t.now)
        if roll < queried:
            return "queried", approver, decided, "Please check your finish time with the ward.", None
        if roll < queried + rejected:
            return "rejected", approver, decided, None, "Not worked: the ward has no record of this shift."
        return None


def build(trust):
    planned = _plan_shifts(trust)
    trust._planned_future = [p for p in planned if p[2] > trust.now]
    builder = Builder(trust)
    for dept, code, start, end in planned:
        builder.shift(dept, code, start, end)
    batches(builder)
    trust.rows = builder.rows


# --- payroll batches -------------------------------------------------------------------


def batches(builder):
    """Monthly batches for every approved timesheet but the newest ``unexported`` (left for the export bench)."""
    t = builder.t
    ordered = sorted(builder.approved, key=lambda a: (a[1], a[0]))
    keep = t.setting("unexported")
    exported = ordered[:max(len(ordered) - keep, 0)]
    months = {}
    for tid, approved in exported:
        months.setdefault(london_date(approved).replace(day=1), []).append(tid)
    timesheets = {row[0]: row for row in builder.rows["timesheets"]}
    agencies = {a[0]: a[1] for a in t.agencies}
    offers = {o[-2]: o for o in builder.rows["agency_offers"]}
    sites = {s[0]: s[1] for s in t.sites}
    for month, tids in sorted(months.items()):
        batch_id = builder.next_id("payroll_exports")
        created = datetime.combine(month.replace(day=28), time(10), tzinfo=LONDON) + timedelta(days=4)
        created = min(created, t.now - timedelta(hours=1))
        esr, agency, late = [], [], []
        for tid in tids:
            timesheets[tid][14] = batch_id
            sid, dept, doctor, booking_id, pay, submitted, approved, is_late = builder.ts_info[tid]
            actual_start, actual_end = timesheets[tid][5], timesheets[tid][6]
            worked = minutes_by_date_and_band(actual_start, actual_end)
            for position, line in enumerate(pay.lines):
                common = {"site_code": sites[dept[1]], "cost_centre": dept[4], "shift_id": sid, "timesheet_id": tid,
                          "_position": position}
                if doctor is None:
                    offer = offers[booking_id]
                    common.update(agency=agencies[offer[2]], locum_name=offer[4], gmc_number=offer[5],
                                  charge_rate=money_str(line.rate))
                else:
                    name, esr_no = t.doctor_info[doctor]
                    common.update(esr_assignment_number=esr_no, doctor_name=name, rate=money_str(line.rate))
                (agency if doctor is None else esr).extend(csvfiles.line_rows(
                    common, band=line.band, minutes=line.minutes, amount=line.amount, worked=worked,
                    fallback=london_date(actual_start)))
            if is_late and doctor is not None:
                late.append({"timesheet_id": tid, "esr_assignment_number": t.doctor_info[doctor][1],
                             "doctor_name": t.doctor_info[doctor][0], "site_code": sites[dept[1]], "shift_id": sid,
                             "submitted_at": format_london(submitted),
                             "due_cutoff": format_london(ts_rules.due_cutoff(submitted, **CUTOFF)),
                             "approved_at": format_london(approved)})
        esr.sort(key=lambda r: (r["esr_assignment_number"], r["work_date"], r["shift_id"], r["timesheet_id"],
                                r["_position"]))
        agency.sort(key=lambda r: (r["agency"], r["work_date"], r["shift_id"], r["timesheet_id"], r["_position"]))
        esr_csv = write_csv(csvfiles.ESR_HEADER, esr)
        agency_csv = write_csv(csvfiles.AGENCY_HEADER, agency)
        bank_count = sum(1 for tid in tids if builder.ts_info[tid][2] is not None)
        esr_total, agency_total = (sum(Decimal(r["amount"]) for r in rows) for rows in (esr, agency))
        builder.rows["payroll_exports"].append((
            batch_id, created, t.staff["payroll"], len(tids), _pennies(esr_total + agency_total), bank_count,
            _pennies(esr_total), len(late), len(tids) - bank_count, _pennies(agency_total), esr_csv,
            csvfiles.sha256(esr_csv), agency_csv, csvfiles.sha256(agency_csv),
            write_csv(csvfiles.LATE_HEADER, late)))


def tables(trust):
    r = trust.rows
    return [
        ("shifts", SHIFT_COLS, r["shifts"]),
        ("rate_violations", "id, shift_id, status, required_role, percent_over, flat_rate, flat_total, card_total, "
                            "reason, requested_by_id, decided_by_id, decided_at, decision_note, created_at",
         r["rate_violations"]),
        ("bookings", "id, shift_id, doctor_id, source, status, charge_rate, agency_offer_id, "
                     "override_reason, booked_by_id, created_at", r["bookings"]),
        ("agency_offers", "id, shift_id, agency_id, offered_by_id, locum_name, gmc_number, grade_id, charge_rate, "
                          "status, cap, over_cap_amount, off_framework, accepted_by_id, accepted_at, "
                          "approval_reason, approved_by_id, decided_at, booking_id, created_at", r["agency_offers"]),
        ("payroll_exports", "id, created_at, created_by_id, timesheet_count, total_amount, esr_count, esr_total, "
                            "late_count, agency_count, agency_total, esr_csv, esr_csv_sha256, agency_csv, "
                            "agency_csv_sha256, late_csv", r["payroll_exports"]),
        ("timesheets", "id, booking_id, doctor_id, site_id, status, actual_start, actual_end, break_minutes, "
                       "submitted_by_id, submitted_at, decided_by_id, decided_at, approved_at, late, "
                       "exported_batch_id, created_at, updated_at, query_note, decision_note", r["timesheets"]),
        ("timesheet_pay_lines", "id, timesheet_id, position, band, minutes, rate, amount", r["timesheet_pay_lines"]),
        ("breaches", "id, type, at, site_id, shift_id, amount_over, approved_by_id, reason, source_type, source_id",
         r["breaches"]),
    ]
