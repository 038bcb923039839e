"""CPU time spent during a benchmark, by who spent it: the server's workers, PostgreSQL, the load client.

Read from /proc (utime + stime of each process, in clock ticks) before and
after a run, so a throughput figure comes with where its CPU went: on a
2-core machine the client, the server and PostgreSQL share the same cores,
and the split says which of them a faster run would have to shrink.
"""
import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _seconds(pid) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def _postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def snapshot(server_pids) -> dict:
    """CPU seconds so far: the given server processes, every PostgreSQL process, and this process (the client)."""
    times = os.times()
    return {"server": sum(_seconds(p) for p in server_pids), "postgres": sum(_seconds(p) for p in _postgres_pids()),
            "client": times.user + times.system}


def per_request_ms(before, after, requests) -> dict:
    """Milliseconds of CPU per request, by group. PostgreSQL backends that ended in between are not counted."""
    return {k: max(0.0, after[k] - before[k]) * 1000 / requests for k in before} if requests else {}
