"""Start and stop what the benchmarks need on 127.0.0.1: gunicorn instances and, when asked, Redis.

Every process started here is stopped by ``stop`` (SIGTERM, then SIGKILL
after a grace period); callers use try/finally so Ctrl-C stops them too.
"""
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
# 2 cores: 4 worker processes keep both cores busy while others wait on PostgreSQL (which shares the same 2
# cores); 4 threads each let a request blocked on a row lock or a round trip give way, and gthread keeps client
# connections alive (sync workers close each one). The same settings serve the floor and the app.
WORKERS, THREADS = 4, 4


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def worker_peak_rss_mb(self) -> float:
        """Largest VmHWM (peak resident set) among the workers, in MB."""
        peaks = [0]
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]))
            except OSError:
                continue
        return max(peaks) / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port, host="127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def start_gunicorn(name, wsgi, *, env, port=None, workers=WORKERS, threads=THREADS, ready_path="/healthz",
                   timeout=60) -> Server:
    port = port or free_port()
    log_path = Path(f"/tmp/bench-{name}-{port}.log")
    cmd = [sys.executable, "-m", "gunicorn", wsgi, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
           "--worker-class", "gthread", "--threads", str(threads), "--keep-alive", "30", "--backlog", "2048",
           "--timeout", "120", "--error-logfile", str(log_path)]
    process = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(name, port, process, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn {name} exited; see {log_path}")
        if port_open(port) and _answers(port, ready_path) and len(server.worker_pids()) >= workers:
            log.info("gunicorn %s on port %s (pid %s)", name, port, process.pid)
            return server
        time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"gunicorn {name} did not start in {timeout}s; see {log_path}")


def _answers(port, path) -> bool:
    import http.client

    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET" if path == "/healthz" else "POST", path)
        conn.getresponse().read()
        conn.close()
        return True
    except OSError:
        return False


def stop(server, grace=15):
    """SIGTERM the process group, SIGKILL it if it has not gone after ``grace`` seconds."""
    process = server.process if isinstance(server, Server) else server
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)
    except ProcessLookupError:
        pass


def ensure_redis(port=6379):
    """A Redis on 127.0.0.1:port: the one running, or one started here (returned, to be stopped)."""
    if port_open(port):
        return None
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                               start_new_session=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not port_open(port):
        time.sleep(0.1)
    if not port_open(port):
        stop(process)
        raise RuntimeError("redis-server did not start")
    return process
