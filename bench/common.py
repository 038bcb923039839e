"""What every benchmark shares: the bench database, psycopg connections, an app bound to it, timing.

Everything talks to 127.0.0.1 only. The bench database defaults to ``bench``
on the local PostgreSQL and is created when missing.
"""
import hashlib
import os
import secrets
import statistics
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench"
# Every generated user has this password (one hash, computed once).
BENCH_PASSWORD = "bench-password-2026"


def database_url(url=None) -> str:
    """The plain libpq URL of the bench database (``--database-url``, else BENCH_DATABASE_URL, else the default)."""
    url = url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def sqlalchemy_url(url) -> str:
    return database_url(url).replace("postgresql://", "postgresql+psycopg://", 1)


def ensure_database(url) -> None:
    """CREATE DATABASE when it does not exist (connecting to the server's ``postgres`` database)."""
    parts = urlsplit(database_url(url))
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def read_only_role(url) -> tuple[str, str]:
    """(role, its URL): the login role that stands in for a streaming replica of ``url``'s database.

    Roles belong to the whole PostgreSQL cluster, so the name carries the database's.
    """
    parts = urlsplit(database_url(url))
    role = f"{parts.path.lstrip('/')}_reports_ro"[:63]
    return role, urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port or 5432}"))


def create_read_only_role(url) -> str:
    """Create (idempotently) a role that reads every table of ``url``'s database and cannot write:
    ``default_transaction_read_only = on``, as a hot standby refuses writes. Returns its URL."""
    role, role_url = read_only_role(url)
    ident = sql.Identifier(role)
    with psycopg.connect(database_url(url), autocommit=True) as conn:
        conn.execute(sql.SQL("DO $$ BEGIN CREATE ROLE {} LOGIN; "
                             "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$").format(ident))
        conn.execute(sql.SQL("ALTER ROLE {} SET default_transaction_read_only = on").format(ident))
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident))
        conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(ident))
    return role_url


def drop_read_only_role(url) -> None:
    """End the role's sessions, revoke its grants in ``url``'s database and drop it."""
    role, _ = read_only_role(url)
    ident = sql.Identifier(role)
    with psycopg.connect(database_url(url), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is None:
            return
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (role,))
        conn.execute(sql.SQL("DROP OWNED BY {}").format(ident))
        conn.execute(sql.SQL("DROP ROLE {}").format(ident))


def connect(url, **kw) -> psycopg.Connection:
    return psycopg.connect(database_url(url), **kw)


def make_app(url, reports_url=None):
    """The real app bound to the bench database (for in-process benchmarks and schema creation)."""
    import config
    from bankapp import create_app

    class BenchConfig(config.Config):
        SQLALCHEMY_DATABASE_URI = sqlalchemy_url(url)
        REPORTS_DATABASE_URL = sqlalchemy_url(reports_url) if reports_url else None
        RATELIMIT_ENABLED = False

    return create_app(BenchConfig)


def token_hash(token: str) -> str:
    """As bankapp.auth.services stores bearer tokens: SHA-256 hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_tokens(conn, user_ids, *, hours=3) -> dict[int, str]:
    """Bearer tokens for ``user_ids``, written straight into api_tokens (issued before the clock starts)."""
    now = datetime.now(UTC)
    tokens = {uid: secrets.token_urlsafe(32) for uid in user_ids}
    with conn.cursor() as cur, cur.copy("COPY api_tokens (user_id, token_hash, expires_at, created_at) "
                                        "FROM STDIN") as copy:
        for uid, token in tokens.items():
            copy.write_row((uid, token_hash(token), now + timedelta(hours=hours), now))
    conn.commit()
    return tokens


def percentile(values, p) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(seconds) -> dict:
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "p50": statistics.median(ms), "p95": percentile(ms, 95), "p99": percentile(ms, 99),
            "max": max(ms)}


@contextmanager
def stopwatch():
    box = {}
    start = time.perf_counter()
    try:
        yield box
    finally:
        box["seconds"] = time.perf_counter() - start
