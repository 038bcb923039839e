"""`make run` hands HOST, PORT and PUBLIC_BASE_URL to the demo seed and to the server alike (dry runs only)."""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _dry_run(*args, env=None):
    """The commands `make -n` would run (nothing is executed)."""
    out = subprocess.run(["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", **(env or {})})
    return out.stdout.splitlines()


def _line(lines, needle):
    return next(line for line in lines if needle in line)


def test_a_port_given_to_make_run_reaches_the_seed_and_the_server():
    lines = _dry_run("run", "PORT=5101")
    assert _line(lines, "bank seed-demo").startswith("PUBLIC_BASE_URL=http://127.0.0.1:5101 ")
    serve = _line(lines, "wsgi run")
    assert serve.startswith("PUBLIC_BASE_URL=http://127.0.0.1:5101 ") and serve.endswith("--host 127.0.0.1 --port 5101")


def test_a_public_base_url_from_the_environment_wins():
    lines = _dry_run("run", "HOST=0.0.0.0", env={"PUBLIC_BASE_URL": "https://bank.trust.nhs.uk"})
    assert _line(lines, "bank seed-demo").startswith("PUBLIC_BASE_URL=https://bank.trust.nhs.uk ")
    assert _line(lines, "wsgi run").startswith("PUBLIC_BASE_URL=https://bank.trust.nhs.uk ")
    assert _line(lines, "wsgi run").endswith("--host 0.0.0.0 --port 5000")
