"""A load balancer's part in the restart benchmark: health checks, rotation, failover only when nothing was sent.

The app servers are gunicorn instances on 127.0.0.1 ports. ``Balancer`` does what a load balancer in
front of them does, and nothing more:

- an active health check: every ``interval`` seconds ``GET /healthz`` on each server (a new connection,
  2 s timeout); a server that fails two checks in a row (no answer, or not 200: a draining server
  answers 503) is out of rotation until it answers 200 again;
- rotation: each client thread has a home server and uses the next healthy one when its home is out;
  it keeps one keep-alive connection per server and closes the one to a server that left the rotation;
- failover only before the request is sent: when the connection is refused (or cannot be opened), the
  server is taken out of rotation (a passive check) and the request goes to another one; a kept-alive
  connection that the server has closed since its last answer is seen before anything is written (a
  non-blocking peek finds the end of the stream, as urllib3 and load balancers check) and opened again.

Once a byte of a request has been written, whatever comes back is its answer: a status, or a
connection error counted as one. A claim is not idempotent, so nobody can tell whether a claim lost
after it was sent was booked; a load balancer does not send it again, and neither does this client.
"""
import http.client
import select
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

CHECK_TIMEOUT = 2.0
UNHEALTHY_AFTER = 2  # failed checks in a row


@dataclass
class Backend:
    port: int
    healthy: bool = True
    failed_checks: int = 0
    changes: list = field(default_factory=list)  # (monotonic time, healthy) each time the state flips

    def checked(self, status: int):
        """One active check's answer: back in at the first 200, out after UNHEALTHY_AFTER failures."""
        self.failed_checks = 0 if status == 200 else self.failed_checks + 1
        if status == 200 or self.failed_checks >= UNHEALTHY_AFTER:
            self.set_healthy(status == 200)

    def set_healthy(self, healthy: bool):
        if healthy != self.healthy:
            self.healthy = healthy
            self.changes.append((time.monotonic(), healthy))


def healthz(port, timeout=CHECK_TIMEOUT) -> int:
    """The status of GET /healthz on 127.0.0.1:port, 0 when it does not answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/healthz", headers={"Connection": "close"})
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        conn.close()


def closed_by_peer(conn: http.client.HTTPConnection) -> bool:
    """Has the server closed this idle keep-alive connection (or sent something unasked)?"""
    if conn.sock is None:
        return True
    try:
        readable, _, _ = select.select([conn.sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)  # an idle connection is readable only at its end (or with bytes nobody asked for)


class Balancer:
    """Health-checked rotation over ``ports``; ``counts`` tallies every routing event."""

    def __init__(self, ports, *, interval=0.5):
        self.backends = [Backend(port) for port in ports]
        self.interval = interval
        self.counts = Counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._checker = threading.Thread(target=self._check_loop, daemon=True)

    def __enter__(self):
        self._checker.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._checker.join(5)

    def _check_loop(self):
        while not self._stop.wait(self.interval):
            for backend in self.backends:
                backend.checked(healthz(backend.port))

    def count(self, what, n=1):
        with self._lock:
            self.counts[what] += n

    def by_port(self, port) -> Backend:
        return next(b for b in self.backends if b.port == port)

    def pick(self, home: int):
        """The client's home server when healthy, else the next healthy one; None when none is."""
        n = len(self.backends)
        for step in range(n):
            backend = self.backends[(home + step) % n]
            if backend.healthy:
                return backend
        return None

    def client(self, home: int) -> "BalancedClient":
        return BalancedClient(self, home)


class BalancedClient:
    """One client thread's connections, one per server."""

    def __init__(self, balancer: Balancer, home: int, *, timeout=60, wait_for_healthy=30):
        self.balancer = balancer
        self.home = home
        self.timeout = timeout
        self.wait_for_healthy = wait_for_healthy
        self.conns = {}

    def close(self):
        for conn in self.conns.values():
            conn.close()
        self.conns.clear()

    def _drop(self, port):
        conn = self.conns.pop(port, None)
        if conn is not None:
            conn.close()

    def _connection(self, backend):
        """An open connection to ``backend``, or None when it refused (nothing was sent)."""
        conn = self.conns.get(backend.port)
        if conn is not None and closed_by_peer(conn):
            self.balancer.count("kept-alive connection closed by the server, opened again before sending")
            self._drop(backend.port)
            conn = None
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", backend.port, timeout=self.timeout)
            try:
                conn.connect()
            except OSError:
                conn.close()
                backend.set_healthy(False)
                self.balancer.count("refused before sending: sent to the other server")
                return None
            self.conns[backend.port] = conn
        return conn

    def send(self, method, path, headers) -> tuple[int, str, int]:
        """(status or 0, error name or "", port) of one request."""
        deadline = time.monotonic() + self.wait_for_healthy
        waited = False
        while time.monotonic() < deadline:
            for port in [p for p in self.conns if not self.balancer.by_port(p).healthy]:
                self._drop(port)  # the server left the rotation: close our idle connection to it
            backend = self.balancer.pick(self.home)
            if backend is None:
                if not waited:
                    self.balancer.count("held back while no server was in rotation")
                    waited = True
                time.sleep(0.05)
                continue
            conn = self._connection(backend)
            if conn is None:
                continue
            try:
                conn.request(method, path, headers=headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as exc:
                self._drop(backend.port)
                return 0, type(exc).__name__, backend.port
            if response.will_close:
                self._drop(backend.port)
            return response.status, "", backend.port
        return 0, "NoServerInRotation", 0
