"""Restarts without dropped requests: a paced claim storm over two app servers while one is restarted.

Each way an operator restarts a server gets a storm of its own:

- "drain, stop, start" (a release with a full process restart): create the server's ``DRAIN_FILE`` so
  ``/healthz`` answers 503, wait until the balancer has taken it out of rotation and the claims already
  sent to it have been answered, SIGTERM gunicorn (it finishes what it holds), remove the file, start it
  again on the same port; the balancer puts it back once ``/healthz`` answers 200;
- "gunicorn HUP" (new code, same process): the master replaces its workers in place; its port never
  closes. No drain.

and, as a control that shows what the drain is for, a stop and start with no drain.

The storm: claims by distinct eligible doctors over ``shifts`` freshly posted shifts, paced at ``rate``
claims a second, from the start until TAIL_SECONDS after the restart is over (at most ``claims``: a
restart that outlasts them fails the run), from ``clients`` threads through
``bench/balancer.py`` (which retries on the other server only when nothing was sent). Counted: answers
by status, connection errors once a request was sent, requests refused before sending, double bookings
in the whole bookings table, and whether the 201 answers match the shifts booked (a claim booked but
never answered would make them differ).
"""
import logging
import os
import queue
import signal
import threading
import time
from collections import Counter
from pathlib import Path

from . import servers, storm
from .balancer import Balancer

log = logging.getLogger(__name__)
LEAD_SECONDS = 3.0  # the storm runs on both servers this long before the restart begins
TAIL_SECONDS = 6.0  # and this long after the restarted server is back, then stops
IN_FLIGHT_GRACE = 1.0  # after leaving the rotation: longer than any claim's answer took in the storm


def drain_file(name) -> Path:
    return Path(f"/tmp/bench-drain-{name}-{os.getpid()}")


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class Timeline:
    def __init__(self):
        self.start = time.monotonic()
        self.events = []  # (seconds since the restart began, what)

    def note(self, what):
        self.events.append((time.monotonic() - self.start, what))
        log.info("restart +%.1f s: %s", self.events[-1][0], what)

    def at(self, what) -> float:
        return next(t for t, w in self.events if w == what)


def drain_stop_start(server, env, balancer, timeline):
    """Drain ``server``, stop it gracefully, start it again on its port; returns the new Server."""
    drain = Path(env["DRAIN_FILE"])
    backend = balancer.by_port(server.port)
    drain.touch()
    timeline.note("drain file created")
    _wait(lambda: not backend.healthy, 10, "the balancer to take the server out")
    timeline.note("out of rotation")
    time.sleep(IN_FLIGHT_GRACE)
    servers.stop(server)
    timeline.note("stopped")
    drain.unlink()
    new = servers.start_gunicorn(server.name, "wsgi:app", env=env, port=server.port)
    timeline.note("started")
    _wait(lambda: backend.healthy, 30, "the balancer to put the server back")
    timeline.note("back in rotation")
    return new


def stop_start(server, env, balancer, timeline):
    """The control: SIGTERM and start again with no drain, so the balancer learns only from refusals."""
    servers.stop(server)
    timeline.note("stopped")
    new = servers.start_gunicorn(server.name, "wsgi:app", env=env, port=server.port)
    timeline.note("started")
    _wait(lambda: balancer.by_port(server.port).healthy, 30, "the balancer to put the server back")
    timeline.note("back in rotation")
    return new


def hup(server, env, balancer, timeline):
    """``kill -HUP`` the gunicorn master; done when every worker is a new one."""
    old = set(server.worker_pids())
    os.kill(server.process.pid, signal.SIGHUP)
    timeline.note("HUP sent")
    _wait(lambda: len(server.worker_pids()) == servers.WORKERS and not old & set(server.worker_pids()), 60,
          "gunicorn to replace its workers")
    timeline.note("workers replaced")
    return server


MODES = {"drain, stop and start one of two servers": drain_stop_start,
         "gunicorn HUP of one of two servers (no drain)": hup}
# What draining avoids, measured the same way; reported, not a target.
CONTROLS = {"control: stop and start one of two servers without draining": stop_start}


def _client(balancer, home, work, answers, barrier, started, rate, path_for, over):
    client = balancer.client(home)
    barrier.wait()
    try:
        while not over():
            try:
                index, (shift_id, token) = work.get_nowait()
            except queue.Empty:
                return
            delay = started[0] + index / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            headers = {"Content-Length": "0", "Authorization": f"Bearer {token}"}
            status, error, port = client.send("POST", path_for(shift_id), headers)
            answers[index] = (status, error, port, time.monotonic() - started[0])
    finally:
        client.close()


def paced_storm(balancer, plan, *, clients, rate, over=lambda: False):
    """The claims of ``plan`` at ``rate`` a second until all are sent or ``over()``.

    Returns ([(status, error, port, seconds since start)] for the claims sent, seconds, start).
    """
    work = queue.Queue()
    for item in enumerate(plan.claims):
        work.put(item)
    answers = [None] * len(plan.claims)
    barrier = threading.Barrier(clients + 1)
    started = [0.0]
    path_for = lambda sid: f"/api/v1/shifts/{sid}/claim"  # noqa: E731
    threads = [threading.Thread(target=_client, args=(balancer, i % len(balancer.backends), work, answers,
                                                      barrier, started, rate, path_for, over), daemon=True)
               for i in range(clients)]
    for t in threads:
        t.start()
    started[0] = time.monotonic()
    barrier.wait()
    for t in threads:
        t.join(600)
    return [a for a in answers if a is not None], time.monotonic() - started[0], started[0]


def run_mode(name, conn, pair, envs, args) -> tuple[dict, list]:
    """One storm with one restart; returns (figures, the pair of servers running afterwards)."""
    restart = {**MODES, **CONTROLS}[name]
    target = pair[0]
    plan = storm.prepare(conn, shifts=args.restart_shifts, claims=args.restart_claims)
    box = {}
    try:
        with Balancer([s.port for s in pair]) as balancer:
            def restarter():
                time.sleep(LEAD_SECONDS)
                timeline = Timeline()
                box["timeline"] = timeline
                box["offset"] = timeline.start
                try:
                    box["server"] = restart(target, envs[target.name], balancer, timeline)
                except Exception as exc:  # reported in the figures; the storm goes on
                    log.exception("restart failed")
                    box["error"] = exc
                box["done"] = time.monotonic()

            def over():
                return "done" in box and time.monotonic() > box["done"] + TAIL_SECONDS

            thread = threading.Thread(target=restarter, daemon=True)
            thread.start()
            answers, seconds, began = paced_storm(balancer, plan, clients=args.clients, rate=args.restart_rate,
                                                  over=over)
            thread.join(120)
            figures = _figures(conn, plan, answers, seconds, balancer, box, began, target.port, args)
    finally:
        storm.cleanup(conn, plan)
    new_pair = [box.get("server", target), *pair[1:]]
    return figures, new_pair


def _figures(conn, plan, answers, seconds, balancer, box, began, port, args) -> dict:
    statuses = Counter(status for status, error, _, _ in answers if not error)
    errors = Counter(error for _, error, _, _ in answers if error)
    timeline = box.get("timeline")
    events = [(round(t, 1), w) for t, w in timeline.events] if timeline else []
    after = 0
    if timeline and timeline.events:
        restart_done = box["offset"] - began + timeline.events[-1][0]
        after = sum(1 for _, error, p, t in answers if p == port and not error and t > restart_done)
    return {"claims": len(answers), "seconds": seconds, "rate": args.restart_rate, "statuses": dict(statuses),
            "5xx": sum(n for s, n in statuses.items() if s >= 500),
            "unexpected": sum(n for s, n in statuses.items() if s not in storm.EXPECTED),
            "connection_errors": sum(errors.values()), "errors": dict(errors),
            "routing": dict(balancer.counts), "double_bookings": storm.double_bookings(conn),
            "booked": storm.booked_shifts(conn, plan), "shifts": len(plan.shift_ids),
            "won": statuses.get(201, 0), "events": events, "after_restart": after,
            "restart_error": repr(box["error"]) if "error" in box else None, "port": port}


def run(conn, pair, envs, args) -> tuple[dict, list]:
    """Every restart mode in turn on the first server of ``pair``; (figures by mode, the servers now up)."""
    results = {}
    for name in [*MODES, *CONTROLS]:
        results[name], pair = run_mode(name, conn, pair, envs, args)
    return results, pair


def passed(figures) -> bool:
    return (figures["5xx"] == 0 and figures["connection_errors"] == 0 and figures["unexpected"] == 0
            and figures["double_bookings"] == 0 and figures["won"] == figures["booked"]
            and figures["restart_error"] is None and figures["after_restart"] > 0)
