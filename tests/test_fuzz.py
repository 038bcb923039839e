"""Bounded API fuzzing: schemathesis against /api/v1/openapi.json, in process.

Every operation of the OpenAPI description gets generated requests (valid
and invalid) as a doctor and as an admin. Checks: no 5xx, and every answer
matches the documented status codes, content type and schema.

The bounded run (part of `make test`) uses FUZZ_MAX_EXAMPLES=5 per operation (valid and invalid)
and a fixed seed. A longer run:

    FUZZ_MAX_EXAMPLES=200 FUZZ_RANDOM=1 .venv/bin/python -m pytest -q tests/test_fuzz.py
"""
import os
import warnings

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis not installed (requirements-dev.txt)")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bankapp.auth.services import issue_token  # noqa: E402
from bankapp.extensions import db  # noqa: E402

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "5"))
RANDOM = os.environ.get("FUZZ_RANDOM", "") not in ("", "0")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Found by this run in features that are still being finished; reported to their owners. Their failures
# are printed but do not fail the run; delete an entry once fixed (the run then checks it again).
KNOWN_ISSUES = {
    "GET /api/v1/reports/breaches": "200 answers JSON by default but only text/csv is documented",
    "GET /api/v1/reports/fill-rates": "200 answers JSON by default but only text/csv is documented",
}
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)


class Bearer:
    """One token per run; a new one after a case revoked it (DELETE /auth/token) or it stopped working."""

    def __init__(self, user):
        self.user = user
        self.token = None

    def headers(self):
        if self.token is None:
            self.token, _ = issue_token(self.user)
            db.session.commit()
        return {"Authorization": f"Bearer {self.token}"}

    def after(self, case, response):
        if response.status_code == 401 or (case.method.upper() == "DELETE" and case.path.endswith("/auth/token")):
            self.token = None


def _call(case, bearer):
    headers = bearer.headers()
    response = case.call(headers=headers)
    db.session.rollback()
    bearer.after(case, response)
    case.validate_response(response, checks=CHECKS, headers=headers)


def _fuzz_every_operation(app, user):
    """Run each operation's valid and invalid cases; return a failure report per operation."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    bearer = Bearer(user)
    failures = {}
    count = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        count += 1
        cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                          operation.as_strategy(GenerationMode.NEGATIVE))

        @FUZZ_SETTINGS
        @given(case=cases)
        def run(case):
            _call(case, bearer)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # collect every operation's failure, report them together
            db.session.rollback()
            failures[operation.label] = f"{type(exc).__name__}: {exc}"
    assert count > 10, "the OpenAPI description lists too few operations"
    return failures


def _report(failures):
    for label in sorted(set(failures) & set(KNOWN_ISSUES)):
        warnings.warn(f"known API issue still present: {label}: {KNOWN_ISSUES[label]}", stacklevel=2)
    new = {label: text for label, text in failures.items() if label not in KNOWN_ISSUES}
    return new, "\n\n".join(f"{label}\n{text}" for label, text in sorted(new.items()))


def test_api_as_doctor(app, world):
    new, text = _report(_fuzz_every_operation(app, world.doctor))
    assert not new, text


def test_api_as_admin(app, world):
    new, text = _report(_fuzz_every_operation(app, world.admin))
    assert not new, text
