"""Browser tests: the real app in a thread, driven by headless Chromium.

Run only these:   .venv/bin/python -m pytest -q tests/browser
They run with the rest of `make test` too. Without /usr/bin/chromium or the
`playwright` package every browser test is SKIPPED with the reason shown
(`pytest -rs` lists it). We never run `playwright install`: the Debian
chromium is used.

Fixtures
- ``live_server``: the app served on 127.0.0.1 (file SQLite in a temp dir,
  or TEST_DATABASE_URL when set), CSRF on, rate limits off. Its tables are
  emptied before each test. ``live_server.url`` is the base URL,
  ``live_server.app`` the Flask app, ``live_server.seed(fn)`` runs ``fn()`` in
  that app's context and commits (returned objects keep their loaded
  attributes, e.g. ``seed(lambda: Factory().world()).admin.email``).
- ``page``: a phone (390×844, touch), ``desktop_page``: 1280×800. Both are
  fresh browser contexts whose ``base_url`` is the live server, so
  ``page.goto("/admin/sites")`` works. On failure a screenshot goes to
  ``test-artifacts/<test name>.png``.
- ``login(page, email, password=PASSWORD)`` (also accepts
  ``login(page, live_server, email, password)``): logs in through the form and
  waits for the home page.
- ``expect``: ``playwright.sync_api.expect``. Import playwright inside tests
  or use this fixture, so that a machine without playwright skips instead of
  failing at collection.
"""
import os
import re
import threading
from pathlib import Path

import pytest

import config
from tests.conftest import _clean
from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DEFAULT_TIMEOUT_MS = 10_000


def _why_no_browser():
    if not os.path.exists(CHROMIUM):
        return f"chromium not installed ({CHROMIUM} is missing)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed (pip install -r requirements-dev.txt)"
    return None


NO_BROWSER = _why_no_browser()


@pytest.fixture(autouse=True)
def _skip_without_browser():
    """Every browser test is skipped, visibly, when the browser cannot run."""
    if NO_BROWSER:
        pytest.skip(NO_BROWSER)


class LiveServer:
    """The app served by werkzeug in a daemon thread."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._thread.join(timeout=5)

    def clean(self):
        """Empty every table (the schema stays)."""
        _clean(self.app)

    def seed(self, fn):
        """Run ``fn()`` in the live app's context, commit, and return its result.

        The session does not expire objects on commit, so returned rows keep
        the attributes they had loaded (ids, emails, names) after the context
        ends. Relationships not loaded inside ``fn`` are not available.
        """
        from bankapp.extensions import db

        with self.app.app_context():
            session = db.session()
            session.expire_on_commit = False
            try:
                result = fn()
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
            finally:
                db.session.remove()
        return result


def _live_config(db_url):
    class LiveConfig(config.TestConfig):
        SQLALCHEMY_DATABASE_URI = db_url
        WTF_CSRF_ENABLED = True
        RATELIMIT_ENABLED = False
        TESTING = True

    return LiveConfig


@pytest.fixture(scope="session")
def _live_server(tmp_path_factory):
    if NO_BROWSER:
        pytest.skip(NO_BROWSER)
    from bankapp import create_app
    from bankapp.extensions import db

    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        # The same database as the in-process test app: both empty it before
        # each test, and the test app drops the tables at the end.
        db_url = config.normalise_db_url(url)
    else:
        db_url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.db'}"
    app = create_app(_live_config(db_url))
    with app.app_context():
        db.create_all()
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live_server(_live_server):
    """The live server with empty tables for this test."""
    _live_server.clean()
    return _live_server


@pytest.fixture(scope="session")
def browser():
    if NO_BROWSER:
        pytest.skip(NO_BROWSER)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item so fixtures can see a failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def _failed(request):
    return any(getattr(getattr(request.node, f"rep_{when}", None), "failed", False) for when in ("setup", "call"))


def _open_page(browser, live_server, request, options):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London", **options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    if _failed(request):
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception as exc:  # a crashed page must not hide the real failure
            print(f"no screenshot for {name}: {exc}")
    context.close()


@pytest.fixture
def page(browser, live_server, request):
    """A phone-sized page (390×844, touch) in a fresh browser context."""
    yield from _open_page(browser, live_server, request, PHONE)


@pytest.fixture
def desktop_page(browser, live_server, request):
    """A desktop-sized page (1280×800) in a fresh browser context."""
    yield from _open_page(browser, live_server, request, DESKTOP)


def login_as(page, base_url, email, password=PASSWORD):
    """Log in through the form and wait for the home page."""
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")


@pytest.fixture
def login(live_server):
    """``login(page, email, password=PASSWORD)``; ``login(page, live_server, email, password)`` also works."""

    def _login(page, *args, **kwargs):
        if args and isinstance(args[0], LiveServer):
            args = args[1:]
        login_as(page, live_server.url, *args, **kwargs)
        return page

    return _login


@pytest.fixture
def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect
