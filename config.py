"""Configuration, read from the environment.

Every *(setting)* of the contract is a value here with the contract's default.
Deployments override them with environment variables of the same name.
"""
import os
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _env(name, default=None):
    return os.environ.get(name, default)


def _int(name, default):
    return int(_env(name, default))


def _bool(name, default):
    return str(_env(name, default)).lower() in {"1", "true", "yes", "on"}


def normalise_db_url(url):
    """psycopg 3 is the PostgreSQL driver; accept the common short forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _database_url():
    url = _env("DATABASE_URL")
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'staffbank.db'}"
    return normalise_db_url(url)


DEVELOPMENT_SECRET_KEY = "dev-only-change-me"


class Config:
    # A SECRET_KEY of its own is what makes a deployment: it must then set AUDIT_HMAC_KEY too.
    SECRET_KEY = _env("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    DEVELOPMENT_SECRET_KEY = DEVELOPMENT_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # Reports (pages, charts, CSV) read from here: a streaming replica; unset, the primary (bankapp/reports/db.py).
    REPORTS_DATABASE_URL = normalise_db_url(_env("REPORTS_DATABASE_URL") or "") or None

    # A server answers /healthz with 503 while this file exists (an operator drains it before a restart).
    DRAIN_FILE = _env("DRAIN_FILE")

    # Public address used in SMS links and to validate Twilio signatures.
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", "http://127.0.0.1:5000")

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None

    # API tokens
    API_TOKEN_TTL_HOURS = _int("API_TOKEN_TTL_HOURS", 12)

    # Request bodies (bytes): JSON and forms, and multipart uploads; larger → 413 unread
    # (bankapp/request_limits.py).
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 1024 * 1024)
    MAX_UPLOAD_LENGTH = _int("MAX_UPLOAD_LENGTH", 10 * 1024 * 1024)
    # Proxies in front of the app (load balancer, TLS terminator) whose X-Forwarded-For and
    # X-Forwarded-Proto are trusted; 0: the headers are ignored.
    TRUSTED_PROXY_COUNT = _int("TRUSTED_PROXY_COUNT", 0)

    # Login throttling (Flask-Limiter); Redis in multi-server deployments.
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    LOGIN_LIMIT_PER_ACCOUNT = _env("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    LOGIN_LIMIT_PER_IP = _env("LOGIN_LIMIT_PER_IP", "30 per 15 minutes")
    # Password resets by SMS code: asking for a code (every request) and wrong codes (each failure).
    PASSWORD_RESET_LIMIT_PER_ACCOUNT = _env("PASSWORD_RESET_LIMIT_PER_ACCOUNT", "10 per 15 minutes")
    PASSWORD_RESET_LIMIT_PER_IP = _env("PASSWORD_RESET_LIMIT_PER_IP", "30 per 15 minutes")

    # Audit trail: the HMAC key of the hash chain (outside the database; required in a deployment) and the
    # append-only file every seal's head is also written to (bankapp/audit/anchor.py).
    AUDIT_HMAC_KEY = _env("AUDIT_HMAC_KEY")
    AUDIT_ANCHOR_PATH = _env("AUDIT_ANCHOR_PATH", str(INSTANCE_DIR / "audit-anchor.jsonl"))

    # OpenAPI (flask-smorest)
    API_TITLE = "Staff Bank API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    API_SPEC_OPTIONS = {"info": {"description": (
        "The merged trust's staff bank. Errors are RFC 9457 problem details (`application/problem+json`).\n\n"
        "**Before any input is read:** a request body larger than 1 MB (JSON, forms; `MAX_CONTENT_LENGTH`) or "
        "10 MB (`multipart/form-data` uploads; `MAX_UPLOAD_LENGTH`) is `413`; without a valid bearer token a call "
        "is `401`; a caller holding none of the roles an operation is for is `403` whatever it sent. A JSON body "
        "that is malformed, not UTF-8, nested more than 32 levels or holding a lone surrogate (`\\ud800`) is "
        "`400`. Only then is the input validated (`422` with `errors`).")}}

    # Uploaded documents (compliance evidence, applications' documents): a directory outside the web root.
    DOCUMENT_STORAGE_PATH = _env("DOCUMENT_STORAGE_PATH", str(INSTANCE_DIR / "documents"))

    # Joining the bank (public form and API): applications per client address and per mobile number, shared
    # counters like the login limits; a mobile confirmation code's life and tries; the set-password link's life.
    APPLICATION_LIMIT_PER_IP = _env("APPLICATION_LIMIT_PER_IP", "10 per hour")
    APPLICATION_LIMIT_PER_MOBILE = _env("APPLICATION_LIMIT_PER_MOBILE", "5 per hour")
    APPLICATION_CODE_MINUTES = _int("APPLICATION_CODE_MINUTES", 30)
    APPLICATION_CODE_TRIES = _int("APPLICATION_CODE_TRIES", 3)
    PASSWORD_LINK_HOURS = _int("PASSWORD_LINK_HOURS", 72)

    # Time bands: day is [DAY_START, DAY_END) London time.
    DAY_START = _env("DAY_START", "07:00")
    DAY_END = _env("DAY_END", "21:00")

    # Rate violations: up to this percent over the card an approver decides.
    RATE_VIOLATION_APPROVER_MAX_PERCENT = _env("RATE_VIOLATION_APPROVER_MAX_PERCENT", "20")

    # Doctors may cancel their own booking up to this many hours before start.
    DOCTOR_CANCEL_CUTOFF_HOURS = _int("DOCTOR_CANCEL_CUTOFF_HOURS", 48)

    # Agency cascade
    BANK_ONLY_WINDOW_HOURS = _int("BANK_ONLY_WINDOW_HOURS", 48)
    CASCADE_URGENT_WITHIN_HOURS = _int("CASCADE_URGENT_WITHIN_HOURS", 24)
    TIER1_WINDOW_HOURS = _int("TIER1_WINDOW_HOURS", 12)
    CHIEF_EXECUTIVE_ABOVE_RATE = _env("CHIEF_EXECUTIVE_ABOVE_RATE", "100.00")

    # Payroll cut-off: weekly, Monday 09:00 London time.
    PAYROLL_CUTOFF_WEEKDAY = _int("PAYROLL_CUTOFF_WEEKDAY", 0)
    PAYROLL_CUTOFF_TIME = _env("PAYROLL_CUTOFF_TIME", "09:00")

    # Notifications
    QUIET_HOURS_START = _env("QUIET_HOURS_START", "21:00")
    QUIET_HOURS_END = _env("QUIET_HOURS_END", "08:00")
    URGENT_SHIFT_WITHIN_HOURS = _int("URGENT_SHIFT_WITHIN_HOURS", 12)
    MAX_SHIFT_ALERTS_PER_DOCTOR_PER_DAY = _int("MAX_SHIFT_ALERTS_PER_DOCTOR_PER_DAY", 10)
    SMS_MAX_ATTEMPTS = _int("SMS_MAX_ATTEMPTS", 5)
    # A text left "sending" this long (its sender died mid-send) is queued again.
    SMS_SENDING_TIMEOUT_MINUTES = _int("SMS_SENDING_TIMEOUT_MINUTES", 2)
    TWILIO_ACCOUNT_SID = _env("TWILIO_ACCOUNT_SID")
    TWILIO_AUTH_TOKEN = _env("TWILIO_AUTH_TOKEN")
    TWILIO_FROM = _env("TWILIO_FROM")
    TWILIO_MESSAGING_SERVICE_SID = _env("TWILIO_MESSAGING_SERVICE_SID")
    TWILIO_STATUS_CALLBACK_URL = _env("TWILIO_STATUS_CALLBACK_URL")


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = normalise_db_url(_env("TEST_DATABASE_URL") or "sqlite://")
    REPORTS_DATABASE_URL = None  # reports on the primary; tests/replica.py makes an app with a read-only role
    DRAIN_FILE = None
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    PUBLIC_BASE_URL = "http://bank.test"
    TWILIO_ACCOUNT_SID = None
    TWILIO_AUTH_TOKEN = None
    TWILIO_FROM = None
    AUDIT_HMAC_KEY = "test-audit-key"
    # One directory of uploaded files per test process.
    DOCUMENT_STORAGE_PATH = str(Path(tempfile.gettempdir()) / f"staffbank-test-documents-{os.getpid()}")
    # One anchor file per test process, emptied with the tables (tests/conftest.py).
    AUDIT_ANCHOR_PATH = str(Path(tempfile.gettempdir()) / f"staffbank-test-audit-anchor-{os.getpid()}.jsonl")
