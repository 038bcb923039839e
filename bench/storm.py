"""The claim storm: many doctors claiming freshly posted shifts at once, over keep-alive HTTP connections.

``prepare`` posts the open shifts (straight into the table: posting is not
what is measured) and picks doctors who are eligible for them (grade, all
documents valid), with bearer tokens issued beforehand. ``run`` releases
every client thread at once from a barrier; each keeps one HTTP/1.1
connection to its server and takes claims from a shared queue until none is
left. ``verify`` counts double bookings in the whole bookings table.
``cleanup`` removes what the storm added so the next run starts alike.
"""
import http.client
import logging
import queue
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from urllib.parse import urlsplit

from bankapp.audit.guard import MAINTENANCE_SETTING
from bankapp.timeutil import LONDON, london_date

from . import common, cpu

log = logging.getLogger(__name__)
EXPECTED = {201, 409, 422}


@dataclass
class StormPlan:
    shift_ids: list
    claims: list  # (shift id, token or None)
    marks: dict = field(default_factory=dict)  # table -> max id before the storm


@dataclass
class StormResult:
    statuses: list  # per claim: HTTP status (0 = no answer)
    latencies: list
    seconds: float
    cpu_ms: dict = field(default_factory=dict)  # CPU per request: server, postgres, client (bench/cpu.py)

    @property
    def throughput(self) -> float:
        return len(self.statuses) / self.seconds if self.seconds else 0.0

    def count(self, predicate) -> int:
        return sum(1 for s in self.statuses if predicate(s))


MARK_TABLES = ("shifts", "bookings", "audit_events", "outbox_messages", "api_tokens")


def _marks(conn) -> dict:
    return {t: conn.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0] for t in MARK_TABLES}


def post_shifts(conn, n, *, days_ahead=45, seed=1) -> list[int]:
    """``n`` open shifts of the most junior grade, 08:00-20:00 London on ten days from ``days_ahead`` on."""
    rng = random.Random(seed)
    grade_id = conn.execute("SELECT id FROM grades ORDER BY rank LIMIT 1").fetchone()[0]
    departments = conn.execute("SELECT id, site_id FROM departments ORDER BY id").fetchall()
    coordinators = dict(conn.execute(
        "SELECT us.site_id, min(u.id) FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'coordinator' "
        "JOIN user_sites us ON us.user_id = u.id GROUP BY us.site_id").fetchall())
    poster = conn.execute("SELECT min(user_id) FROM user_roles WHERE role = 'admin'").fetchone()[0]
    today = london_date(datetime.now(UTC))
    now = datetime.now(UTC)
    rows = []
    for i in range(n):
        dept_id, site_id = departments[i % len(departments)]
        day = today + timedelta(days=days_ahead + i % 10)
        start = datetime.combine(day, clock(8), tzinfo=LONDON) + timedelta(minutes=rng.choice([0, 30]))
        rows.append((site_id, dept_id, grade_id, start, start + timedelta(hours=12), "open", False,
                     coordinators.get(site_id, poster), now, now))
    first = conn.execute("SELECT coalesce(max(id), 0) FROM shifts").fetchone()[0]
    with conn.cursor() as cur, cur.copy("COPY shifts (site_id, department_id, grade_id, start_at, end_at, status, "
                                        "retrospective, posted_by_id, created_at, updated_at) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    conn.commit()
    return [r[0] for r in conn.execute("SELECT id FROM shifts WHERE id > %s ORDER BY id", (first,)).fetchall()]


def eligible_doctors(conn, n, *, through, seed=1) -> list[int]:
    """``n`` active doctors holding every document valid through ``through`` (a date), chosen by ``seed``."""
    rows = conn.execute(
        "SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'doctor' "
        "JOIN doctor_profiles p ON p.user_id = u.id WHERE u.active AND p.grade_id IS NOT NULL AND "
        "(SELECT count(DISTINCT kind) FROM compliance_documents d WHERE d.user_id = u.id AND d.expires_on >= %s "
        "AND d.status = 'verified') = 5 "
        "ORDER BY u.id", (through,)).fetchall()
    ids = [r[0] for r in rows]
    random.Random(seed).shuffle(ids)
    if len(ids) < n:
        raise RuntimeError(f"only {len(ids)} eligible doctors, {n} wanted")
    return ids[:n]


def prepare(conn, *, shifts=200, claims=1000, with_tokens=True, days_ahead=45, seed=1) -> StormPlan:
    """Post the shifts and line up ``claims`` claims by distinct doctors, spread evenly over the shifts."""
    marks = _marks(conn)
    shift_ids = post_shifts(conn, shifts, days_ahead=days_ahead, seed=seed)
    through = london_date(datetime.now(UTC)) + timedelta(days=days_ahead + 12)
    doctors = eligible_doctors(conn, claims, through=through, seed=seed)
    tokens = common.issue_tokens(conn, doctors) if with_tokens else {d: None for d in doctors}
    pairs = [(shift_ids[i % len(shift_ids)], tokens[d]) for i, d in enumerate(doctors)]
    random.Random(seed).shuffle(pairs)
    return StormPlan(shift_ids, pairs, marks)


def _client(base_url, work, results, barrier, path_for, deadline, method="POST"):
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    barrier.wait()
    while time.monotonic() < deadline:
        try:
            index, (shift_id, token) = work.get_nowait()
        except queue.Empty:
            break
        headers = {"Content-Length": "0"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        started = time.perf_counter()
        status = 0
        for _attempt in range(2):  # one reconnect if the server closed an idle keep-alive connection
            try:
                conn.request(method, path_for(shift_id), headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                break
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        results[index] = (status, time.perf_counter() - started)
    conn.close()


def run(base_urls, plan: StormPlan, *, clients=64, path_for=None, time_limit=300, method="POST",
        server_pids=()) -> StormResult:
    """Fire every claim of ``plan`` from ``clients`` threads, client i talking to base_urls[i % len].

    ``server_pids``: the server's processes, for the CPU split (``bench/cpu.py``).
    """
    path_for = path_for or (lambda sid: f"/api/v1/shifts/{sid}/claim")
    work = queue.Queue()
    for item in enumerate(plan.claims):
        work.put(item)
    results = [(0, 0.0)] * len(plan.claims)
    barrier = threading.Barrier(clients + 1)
    deadline = time.monotonic() + time_limit
    threads = [threading.Thread(target=_client, args=(base_urls[i % len(base_urls)], work, results, barrier,
                                                      path_for, deadline, method), daemon=True)
               for i in range(clients)]
    for t in threads:
        t.start()
    before = cpu.snapshot(server_pids)
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join(max(1.0, deadline - time.monotonic() + 5))
    seconds = time.perf_counter() - started
    used = cpu.per_request_ms(before, cpu.snapshot(server_pids), len(plan.claims))
    return StormResult([s for s, _ in results], [lat for _, lat in results], seconds, used)


def double_bookings(conn) -> int:
    """Shifts with more than one live booking, in the whole table (must be 0)."""
    return conn.execute("SELECT count(*) FROM (SELECT shift_id FROM bookings WHERE status <> 'cancelled' "
                        "GROUP BY shift_id HAVING count(*) > 1) AS twice").fetchone()[0]


def booked_shifts(conn, plan) -> int:
    return conn.execute("SELECT count(*) FROM shifts WHERE id = ANY(%s) AND status = 'booked'",
                        (plan.shift_ids,)).fetchone()[0]


def cleanup(conn, plan: StormPlan):
    """Delete what the storm added (rows with ids above the marks), so every run starts from the same data."""
    conn.rollback()
    m = plan.marks
    # The bench's own database: the audit guard is lifted for this transaction (bankapp/audit/guard.py).
    conn.execute(f"SET LOCAL {MAINTENANCE_SETTING} = 'on'")
    conn.execute("DELETE FROM outbox_messages WHERE id > %s", (m["outbox_messages"],))
    conn.execute("DELETE FROM audit_events WHERE id > %s", (m["audit_events"],))
    conn.execute("DELETE FROM bookings WHERE id > %s", (m["bookings"],))
    conn.execute("DELETE FROM shifts WHERE id > %s", (m["shifts"],))
    conn.execute("DELETE FROM api_tokens WHERE id > %s", (m["api_tokens"],))
    conn.commit()
