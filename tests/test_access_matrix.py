"""The access matrix: every route of the app × every role, against the table in tests/access_matrix.py.

How a cell is judged (the same rule for every route):
- **denied**: 401, 403, 404 (every URL parameter points at a real row of site A, so a 404 is the
  app hiding a row from this caller), or a redirect to the login page carrying ``next=`` (a page
  asking an anonymous visitor to log in);
- **allowed**: anything else below 500: 200, 201, 204, a redirect elsewhere, 409 (state) or
  422 (input or a rule) — the permission check let the caller through to the workflow;
- a 5xx fails the test whatever the table says.

API calls send a *valid* body, so that the permission check, not the input schema, decides
(flask-smorest parses the body before the view's ``api_auth`` runs). Pages get an empty form.
Roles expected to be denied go first, so a wrongly allowed write cannot hide behind an earlier
one; after a write that succeeded the scene is built again for the next role.
"""
import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import time_machine
from werkzeug.routing import AnyConverter

from bankapp import create_app
from bankapp.extensions import db
from bankapp.timeutil import format_london, london_date, now_utc, parse_datetime
from tests import access_matrix as matrix
from tests.conftest import DEFAULT_NOW, _clean
from tests.factories import PASSWORD, ApiClient, Factory, make_booking, make_shift
from tests.rates.cards import card_rate_plus, weekday_morning

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
SKIPPED_METHODS = {"HEAD", "OPTIONS"}


def _routes(app):
    """(method, rule) for every rule of the URL map, HEAD/OPTIONS left out."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - SKIPPED_METHODS):
            found.append((method, rule.rule))
    return sorted(found, key=lambda mr: (mr[1], mr[0]))


ROUTES = _routes(create_app("config.TestConfig"))
RULES = {r.rule: r for r in create_app("config.TestConfig").url_map.iter_rules()}


# --- the scene: one of everything, at site A ---------------------------------------------------


@dataclass
class Scene:
    """Plain values only (ids, emails): the scene outlives the session that built it."""
    ids: dict
    users: dict     # role → user id
    emails: dict    # role → email


def _hour(dt):
    return dt.replace(minute=0, second=0, microsecond=0)


def build_scene() -> Scene:
    """A trust with a rate card and, at site A: an open shift, a booked future shift, a worked
    shift with a submitted timesheet, a worked shift without one, an approved and exported
    timesheet, a rate violation, a cascade request, a released shift with an agency offer, a
    failed text message. Everything belongs to ``world.doctor`` where a doctor is involved."""
    from bankapp.auth.models import User
    from bankapp.cascade import offers
    from bankapp.cascade.services import approve_cascade, request_cascade
    from bankapp.notifications.models import OutboxMessage
    from bankapp.payroll.services import create_export
    from bankapp.shifts.services import post_shift
    from bankapp.timesheets.services import approve_timesheet, submit_timesheet
    from tests.rates.cards import make_card

    factory = Factory()
    w = factory.world()
    card = make_card(w.admin)
    st3, now = w.grades["ST3"], _hour(now_utc())
    posted = now - timedelta(days=3)

    def future(days, **kw):
        start = now + timedelta(days=days)
        return make_shift(department=w.dept_a, grade=st3, start=start, end=start + timedelta(hours=10),
                          posted_by=w.coordinator_a, created_at=posted, **kw)

    def worked(days_ago):
        end = now - timedelta(days=days_ago)
        shift = make_shift(department=w.dept_a, grade=st3, start=end - timedelta(hours=8), end=end,
                           posted_by=w.coordinator_a, created_at=end - timedelta(days=5))
        return make_booking(shift, w.doctor)

    open_shift = future(10)
    booked_shift = future(12)
    booking = make_booking(booked_shift, w.doctor)
    cascade_shift = future(14)
    cascade = request_cascade(cascade_shift, actor=w.coordinator_a, reason="Nobody on the bank has claimed it")
    released_shift = future(16)
    approve_cascade(request_cascade(released_shift, actor=w.coordinator_a, reason="Unfilled"), actor=w.approver_a)
    offer = offers.make_offer(released_shift.id, actor=w.agency_user1, locum_name="Dr Lena Fischer",
                              gmc_number="6543210", grade="ST3", charge_rate=Decimal("70.00"))
    start = weekday_morning(now + timedelta(days=20))
    held = post_shift(actor=w.coordinator_a, department=w.dept_a, grade=st3, start=start,
                      end=start + timedelta(hours=10), hourly_rate=card_rate_plus(card, st3, "5.00"),
                      reason="Winter pressures")
    past = worked(3)
    ts = submit_timesheet(past, actor=w.doctor, actual_start=past.shift.start_at, actual_end=past.shift.end_at)
    exported = worked(5)
    approve_timesheet(submit_timesheet(exported, actor=w.doctor, actual_start=exported.shift.start_at,
                                       actual_end=exported.shift.end_at), actor=w.approver_a)
    batch = create_export(actor=w.payroll)
    unsubmitted = worked(2)
    message = OutboxMessage(to=w.doctor.mobile, user_id=w.doctor.id, body="Shift alert", kind="shift_alert",
                            status="failed", attempts=3, last_error="30003")
    db.session.add(message)
    joining = _joining_scene(w)
    db.session.commit()
    ids = {"shift": open_shift.id, "booked_shift": booked_shift.id, "booking": booking.id,
           "cascade_shift": cascade_shift.id, "cascade_request": cascade.id, "released_shift": released_shift.id,
           "offer": offer.id, "violation": held.rate_violations[-1].id, "held_shift": held.id, "timesheet": ts.id,
           "unsubmitted_booking": unsubmitted.id, "batch": batch.id, "card": card.id, "message": message.id,
           "user": w.doctor.id, "site": w.site_a.id, "department": w.dept_a.id, "grade": st3.id,
           "doctor_email": w.doctor.email, **joining}
    users = {matrix.DOCTOR: w.doctor.id, matrix.COORD_OTHER: w.coordinator_b.id, matrix.COORD: w.coordinator_a.id,
             matrix.APPROVER: w.approver_a.id, matrix.EXEC: w.executive.id, matrix.AGENCY: w.agency_user1.id,
             matrix.PAYROLL: w.payroll.id, matrix.ADMIN: w.admin.id, matrix.STAFFING: w.staffing_a.id}
    emails = {role: db.session.get(User, user_id).email for role, user_id in users.items()}
    return Scene(ids=ids, users=users, emails=emails)


def _joining_scene(w) -> dict:
    """An upload of the doctor's awaiting verification, a submitted application for site A with a document, a
    doctor of site B asking to work at site A, and a live set-password link."""
    from bankapp.joining import applications, site_requests, welcome
    from bankapp.staff.verification import upload_document

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    expiry = london_date(now_utc()) + timedelta(days=400)
    document = upload_document(w.doctor, kind="dbs", expires_on=expiry, content=png, actor=w.doctor)
    application = applications.apply(name="Dr Matrix Applicant", email="matrix.applicant@nhs.net",
                                     mobile="+447700900777", gmc_number="7555555", grade="ST3",
                                     site_ids=[w.site_a.id], documents=[{"kind": "dbs", "expires_on": expiry,
                                                                         "content": png}])
    application.status = "submitted"
    site_b_doctor = Factory().doctor(sites=[w.site_b])
    site_request = site_requests.request_site(site_b_doctor, site_id=w.site_a.id, actor=site_b_doctor)
    link_url = welcome.issue_link(site_b_doctor)
    return {"document": document.id, "application": application.id, "application_token": application.token,
            "application_document": application.documents[0].id, "site_request": site_request.id,
            "link_token": link_url.rsplit("/", 1)[1]}


# --- who is calling --------------------------------------------------------------------------


def _user_for(scene, role):
    from bankapp.auth.models import User

    user_id = scene.users.get(role)
    return db.session.get(User, user_id) if user_id else None


class Callers:
    """Test clients per role for one scene: a bearer token for the API, a logged-in session for pages."""

    def __init__(self, app, scene):
        self.app, self.scene = app, scene
        self._api, self._pages = {}, {}

    def api(self, role):
        if role not in self._api:
            client = self.app.test_client()
            with self.app.app_context():
                user = _user_for(self.scene, role)
                self._api[role] = ApiClient.for_user(client, user) if user else client
        return self._api[role]

    def forget(self, role, *, token):
        self._pages.pop(role, None)
        if token:
            self._api.pop(role, None)

    def page(self, role):
        if role not in self._pages:
            client = self.app.test_client()
            email = self.scene.emails.get(role)
            if email is not None:
                resp = client.post("/login", data={"email": email, "password": PASSWORD})
                assert resp.status_code == 302, f"{role} could not log in ({resp.status_code})"
            self._pages[role] = client
        return self._pages[role]


# --- what to send ------------------------------------------------------------------------------

URL_PARAMS = {"shift_id": "shift", "booking_id": "booking", "ts_id": "timesheet", "violation_id": "violation",
              "request_id": "cascade_request", "offer_id": "offer", "batch_id": "batch", "card_id": "card",
              "message_id": "message", "user_id": "user", "document_id": "document", "site_id": "site",
              "application_id": "application", "token": "application_token",
              "application_document_id": "application_document", "site_request_id": "site_request",
              "link_token": "link_token"}
# Routes whose shift must be in a particular state for the owner of the action to reach it.
SHIFT_FOR = {"/api/v1/shifts/<int:shift_id>/agency-offers": "released_shift",
             "/agency/shifts/<int:shift_id>/offer": "released_shift",
             "/api/v1/shifts/<int:shift_id>/cancel": "booked_shift"}


def urls_for(rule, ids):
    """The URLs to try for a rule: one per option of an ``any(...)`` part."""
    rule_obj = RULES[rule]
    values, choices = {}, {}
    for arg in rule_obj.arguments:
        converter = rule_obj._converters[arg]
        if isinstance(converter, AnyConverter):
            choices[arg] = converter.items if hasattr(converter, "items") else _any_items(converter)
        elif arg == "shift_id":
            values[arg] = ids[SHIFT_FOR.get(rule, "shift")]
        else:
            values[arg] = ids[URL_PARAMS[arg]]
    urls = [values]
    for arg, options in choices.items():
        urls = [{**u, arg: option} for u in urls for option in options]
    return [_build(rule_obj, u) for u in urls]


def _any_items(converter):
    # werkzeug keeps the options only inside the regex: (?:a|b|c)
    return converter.regex.removeprefix("(?:").removesuffix(")").split("|")


def _build(rule_obj, values):
    path = rule_obj.rule
    for arg, value in values.items():
        start = path.index("<")
        while path[start:].split(">", 1)[0].rsplit(":", 1)[-1] != arg:
            start = path.index("<", start + 1)
        end = path.index(">", start)
        path = path[:start] + str(value) + path[end + 1:]
    return path


def api_body(rule, scene):
    """A valid JSON body for each API write (None: no body)."""
    ids = scene.ids
    now = _hour(now_utc())
    start = now + timedelta(days=30)
    from tests.rates.cards import card_body

    rates, caps = card_body(bump=1)
    past_end = now - timedelta(days=3)
    bodies = {
        "/api/v1/agencies": {"name": "Matrix Locums", "tier": 1, "on_framework": True},
        "/api/v1/agency-offers/<int:offer_id>/approve": {"reason": "No other cover for a safe rota"},
        "/api/v1/agency-offers/<int:offer_id>/decline": {"reason": "Found cover"},
        "/api/v1/auth/token": {"email": ids["doctor_email"], "password": PASSWORD},
        "/api/v1/auth/password-reset": {"email": ids["doctor_email"]},
        "/api/v1/auth/password-reset/confirm": {"email": ids["doctor_email"], "code": "000000",
                                                "new_password": "grey heron crosses the weir"},
        "/api/v1/cascade-requests/<int:request_id>/approve": {"note": "Agreed"},
        "/api/v1/cascade-requests/<int:request_id>/reject": {"note": "Try the bank again"},
        "/api/v1/departments": {"site_id": ids["site"], "name": "Paediatrics", "specialty": "Paediatrics",
                                "cost_centre": "CC9999"},
        "/api/v1/grades": {"code": "ST7", "name": "Senior Registrar", "rank": 50},
        "/api/v1/rate-cards": {"effective_from": (date.today() + timedelta(days=400)).isoformat(), "rates": rates,
                               "agency_caps": caps},
        "/api/v1/rate-violations/<int:violation_id>/approve": {"note": "Agreed"},
        "/api/v1/rate-violations/<int:violation_id>/reject": {"note": "Too high"},
        "/api/v1/rate-violations/<int:violation_id>/revise": {"hourly_rate": None, "reason": "Card rates"},
        "/api/v1/shifts": {"department_id": ids["department"], "grade": "ST3", "start": format_london(start),
                           "end": format_london(start + timedelta(hours=8))},
        "/api/v1/shifts/<int:shift_id>": {"notes": "Ask for the registrar on call."},
        "/api/v1/shifts/<int:shift_id>/agency-offers": {"locum_name": "Dr Sam Okoro", "gmc_number": "7654321",
                                                        "grade": "ST3", "charge_rate": "70.00"},
        "/api/v1/shifts/<int:shift_id>/assign": {"doctor_id": ids["user"]},
        "/api/v1/shifts/<int:shift_id>/cancel": {"reason": "Ward closed"},
        "/api/v1/shifts/<int:shift_id>/invite": {"message": "Any help welcome"},
        "/api/v1/shifts/<int:shift_id>/cascade": {"reason": "Nobody on the bank has claimed it"},
        "/api/v1/sites": {"code": "GGG", "name": "Gamma Hospital"},
        "/api/v1/sites/<int:site_id>": {"staffing_phone": "01245 362000"},
        "/api/v1/timesheets": {"booking_id": ids["unsubmitted_booking"],
                               "actual_start": format_london(past_end - timedelta(hours=8)),
                               "actual_end": format_london(past_end), "break_minutes": 0},
        "/api/v1/timesheets/<int:ts_id>": {"actual_start": format_london(past_end - timedelta(hours=8)),
                                           "actual_end": format_london(past_end), "break_minutes": 30},
        "/api/v1/timesheets/<int:ts_id>/approve": {"note": "OK"},
        "/api/v1/timesheets/<int:ts_id>/query": {"note": "Was there a break?"},
        "/api/v1/timesheets/<int:ts_id>/reject": {"note": "Not worked"},
        "/api/v1/timesheets/bulk-approve": {"ids": [ids["timesheet"]]},
        "/api/v1/users": {"email": "new.starter@test.nhs.uk", "name": "New Starter", "password": "a-long-passphrase-1",
                          "roles": ["doctor"]},
        "/api/v1/users/<int:user_id>": {"mobile": "+447700900999"},
        "/api/v1/users/<int:user_id>/anonymise": {"reason": "Left the trust"},
        "/api/v1/users/<int:user_id>/documents": {"kind": "dbs", "expires_on": "2030-01-01"},
        "/api/v1/documents/<int:document_id>/verify": {"note": "Seen the original"},
        "/api/v1/documents/<int:document_id>/reject": {"note": "Unreadable scan"},
        "/api/v1/applications": {"name": "Dr New Applicant", "email": "new.applicant@nhs.net",
                                 "mobile": "07700 900888", "gmc_number": "7666666", "grade": "ST3",
                                 "site_ids": [ids["site"]]},
        "/api/v1/applications/<int:application_id>/confirm": {"code": "123456"},
        "/api/v1/applications/<int:application_id>": {"grade_confirmed": True},
        "/api/v1/applications/<int:application_id>/notes": {"text": "Called the first referee"},
        "/api/v1/applications/<int:application_id>/approve": {"note": "Welcome"},
        "/api/v1/applications/<int:application_id>/reject": {"note": "No current licence"},
        "/api/v1/me/site-requests": {"site_id": ids["site"]},
        "/api/v1/site-requests/<int:site_request_id>/approve": {"induction_on": london_date(now_utc()).isoformat()},
        "/api/v1/site-requests/<int:site_request_id>/reject": {"note": "No induction places this month"},
    }
    return bodies.get(rule)


def _local(dt):
    from bankapp.timeutil import to_london

    return to_london(dt).strftime("%Y-%m-%dT%H:%M")


def _week():
    year, week, _ = london_date(now_utc()).isocalendar()
    return f"{year}-W{week:02d}"


def query_for(rule, scene):
    """Query strings the route needs to reach its permission check."""
    ids, day = scene.ids, _hour(now_utc()) + timedelta(days=9)
    return {
        "/api/v1/rate-cards/preview": {"grade": "ST3", "start": format_london(day),
                                       "end": format_london(day + timedelta(hours=8))},
        "/api/v1/reports/agency-return": {"week": _week()},
        "/agency-return.csv": {"week": _week()},
        "/rates/preview": {"department_id": ids["department"], "grade_id": ids["grade"], "start": _local(day),
                           "end": _local(day + timedelta(hours=8))},
        "/timesheets/new": {"booking_id": ids["unsubmitted_booking"]},
    }.get(rule)


def page_form(rule, scene):
    """A filled-in form for pages that check the object after reading the form (None: an empty form)."""
    ids = scene.ids
    past_end = _hour(now_utc()) - timedelta(days=2)
    times = {"actual_start": _local(past_end - timedelta(hours=8)), "actual_end": _local(past_end),
             "break_minutes": "30"}
    start = _hour(now_utc()) + timedelta(days=30)
    forms = {
        "/timesheets/<int:ts_id>/amend": times,
        "/timesheets/new": times,
        "/timesheets/<int:ts_id>/<any(approve, reject, query):action>": {"note": "Checked with the ward"},
        "/timesheets/bulk-approve": {"ids": [str(ids["timesheet"])]},
        "/agency/shifts/<int:shift_id>/offer": {"locum_name": "Dr Sam Okoro", "gmc_number": "7654321",
                                                "grade": "ST3", "charge_rate": "70.00"},
        "/agency-approvals/<int:offer_id>": {"reason": "No other cover for a safe rota"},
        "/rate-violations/<int:violation_id>/decide": {"decision": "approve",
                                                       f"note-{ids['violation']}": "Agreed"},
        "/rate-violations/<int:violation_id>/revise": {f"hourly_rate-{ids['violation']}": "",
                                                       f"reason-{ids['violation']}": "Card rates"},
        "/coordinator/shifts/<int:shift_id>/cascade": {"reason": "Nobody on the bank has claimed it"},
        "/coordinator/shifts/<int:shift_id>/assign": {"doctor_id": str(ids["user"])},
        "/coordinator/shifts/<int:shift_id>/cancel": {"reason": "Ward closed"},
        "/coordinator/shifts/new": {"department_id": str(ids["department"]), "grade_id": str(ids["grade"]),
                                    "start": _local(start), "end": _local(start + timedelta(hours=8)),
                                    "repeat_weeks": "1"},
        "/my-shifts/<int:booking_id>/cancel": {"reason": "Family emergency"},
        "/cascade-requests/<int:request_id>/<any(approve, reject):action>": {"note": "Agreed"},
    }
    if rule == "/coordinator/shifts/upload":
        return {"file": (io.BytesIO(_rota_csv(scene).encode()), "rota.csv")}
    return forms.get(rule, {})


def _rota_csv(scene):
    start = _hour(now_utc()) + timedelta(days=40)
    return (f"department,grade,start,end\n{scene.ids['department']},ST3,{format_london(start)},"
            f"{format_london(start + timedelta(hours=8))}\n")


# Input no schema takes: an unknown field, and query values of the wrong type for every common filter.
JUNK_JSON = {"not_a_field": "x", "email": 7, "reason": ["x"], "ids": "x"}
JUNK_QUERY = {"limit": "-1", "cursor": "x", "from": "x", "to": "x", "week": "x", "status": "x", "site_id": "x",
              "department_id": "x", "days": "x", "format": "x", "group_by": "x", "eligible": "x", "when": "x",
              "start": "x", "end": "x", "grade": "x", "grade_id": "x", "booking_id": "x", "page": "x"}
JUNK_FORM = {"not_a_field": "x", "start": "x", "end": "x", "doctor_id": "x", "ids": "x", "break_minutes": "x"}


def call(callers, role, method, rule, url, *, junk=False):
    """One request as ``role``; returns the response. ``junk``: input that fails validation instead."""
    scene = callers.scene
    query = JUNK_QUERY if junk else query_for(rule, scene)
    write = method in WRITE_METHODS
    if rule.startswith("/api/"):
        client = callers.api(role)
        headers = client._headers(None) if isinstance(client, ApiClient) else {}
        raw = client.client if isinstance(client, ApiClient) else client
        if rule == "/api/v1/shifts/import":
            rota = b"not,a,rota\n" if junk else _rota_csv(scene).encode()
            return raw.post(url, data=rota, headers={**headers, "Content-Type": "text/csv"})
        if rule == "/api/v1/applications/<int:application_id>/documents":  # multipart; the token is the key
            form = {"token": scene.ids["application_token"], **({} if junk else {"kind": "dbs"})}
            return raw.post(url, data=form, headers=headers, content_type="multipart/form-data")
        body = (JUNK_JSON if junk else api_body(rule, scene)) if write else None
        return raw.open(url, method=method, json=body, query_string=query, headers=headers)
    client = callers.page(role)
    data = (JUNK_FORM if junk else page_form(rule, scene)) if write else None
    return client.open(url, method=method, data=data, query_string=query)


def refused_whatever_it_sends(role, expected) -> bool:
    """A denied role that may never do the action, on any object: its answer may not depend on the input.
    The other site's coordinator is refused only for site A's objects (it coordinates its own site), and
    the table names the other roles refused only for this object (``scoped``): their input may be judged
    first."""
    return role not in expected.scoped and not (role == matrix.COORD_OTHER and matrix.COORD in expected.roles)


def verdict(resp) -> str:
    if resp.status_code >= 500:
        return "error"
    if resp.status_code in (401, 403, 404):
        return "denied"
    if resp.status_code in (301, 302, 303, 307, 308):
        target = urlsplit(resp.headers.get("Location", ""))
        if target.path == "/login" and "next=" in target.query:
            return "denied"
    return "allowed"


# --- the tests ---------------------------------------------------------------------------------
# Building the scene takes a fifth of a second, so it is shared: built once, and again only after
# a request that changed something (a write that succeeded).

_shared = {"callers": None, "snapshot": None}


@pytest.fixture(autouse=True)
def _db(app):
    """Replaces tests/conftest.py's fixture of the same name for this module: no cleaning per test (the
    scene is kept) and no app context around the test. Requests made inside an app context reuse it, and
    with it ``flask.g``, where Flask-Login caches the logged-in user: one role's request would then be
    judged as another role. Here every request gets its own context."""
    yield db


@pytest.fixture(scope="module")
def _module_clock():
    """The scene's tokens and signed session cookies outlive one test, and a cookie signed "in the future"
    is refused: so the module shares one clock that never goes back, instead of one restarted per test."""
    with time_machine.travel(parse_datetime(DEFAULT_NOW), tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def clock(_module_clock):
    """Replaces tests/conftest.py's per-test clock for this module (see ``_module_clock``)."""
    yield _module_clock


@pytest.fixture(scope="module", autouse=True)
def _forget_scene():
    yield
    if _shared["snapshot"] is not None:
        _shared["snapshot"].close()
    _shared.update(callers=None, snapshot=None)


def _sqlite_connection():
    return db.engine.raw_connection().driver_connection


def _callers(app, fresh=False) -> Callers:
    """The scene and its callers; ``fresh``: as they were before the last write.

    On SQLite (one in-memory database) the scene is restored from a copy taken once, in
    milliseconds; on PostgreSQL it is built again.
    """
    if _shared["callers"] is not None and not fresh:
        return _shared["callers"]
    with app.app_context():
        if fresh and _shared["snapshot"] is not None:
            db.session.remove()
            _shared["snapshot"].backup(_sqlite_connection())
            return _shared["callers"]
        db.session.remove()
        _clean(app)
        scene = build_scene()
        db.session.remove()
    callers = Callers(app, scene)
    for role in matrix.ROLES:  # tokens and logins now, so that the copy holds them
        callers.api(role)
        callers.page(role)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            import sqlite3

            _shared["snapshot"] = sqlite3.connect(":memory:")
            _sqlite_connection().backup(_shared["snapshot"])
    _shared["callers"] = callers
    return callers


def _order(roles_allowed):
    """Roles expected to be denied first, then the allowed ones."""
    return sorted(matrix.ROLES, key=lambda r: r in roles_allowed)


# Writes that touch only the caller's own token or session: no need to rebuild the scene after them.
SESSION_ONLY = {"/login", "/logout", "/api/v1/auth/token"}


def _after_write(app, callers, role, rule) -> Callers:
    """The scene as it was; the caller's session is started again (POST /logout ends it)."""
    callers.forget(role, token=False)
    if rule in SESSION_ONLY and _shared["snapshot"] is None:
        callers.forget(role, token=True)  # no copy to go back to; nothing else changed
        return callers
    return _callers(app, fresh=True)


def _changed_something(method, resp):
    return method in WRITE_METHODS and resp.status_code < 400


# Reads first: they share one scene.
ORDERED = sorted(ROUTES, key=lambda mr: (mr[0] != "GET", mr[1], mr[0]))


@pytest.mark.parametrize("method,rule", ORDERED, ids=[f"{m} {r}" for m, r in ORDERED])
def test_route_allows_exactly_the_roles_in_the_table(app, method, rule):
    if rule in matrix.EXCLUDED:
        pytest.skip(f"excluded from the matrix: {matrix.EXCLUDED[rule]}")
    expected = matrix.EXPECTED.get((method, rule))
    assert expected is not None, (
        f"{method} {rule} is a route of the app but not in the access matrix. Add it to EXPECTED in "
        f"tests/access_matrix.py with the roles that may use it (and a note if access depends on the object).")
    callers = _callers(app)
    wrong = []
    for role in _order(expected.roles):
        for option in range(len(urls_for(rule, callers.scene.ids))):
            url = urls_for(rule, callers.scene.ids)[option]  # ids may change when the scene is rebuilt
            resp = call(callers, role, method, rule, url)
            got = verdict(resp)
            assert got != "error", f"{method} {url} as {role}: {resp.status_code}\n{resp.get_data(as_text=True)[:800]}"
            want = "allowed" if role in expected.roles else "denied"
            if got != want:
                wrong.append(f"  {role}: expected {want}, got {resp.status_code} ({url})")
            if want == "denied" and refused_whatever_it_sends(role, expected):
                junk = call(callers, role, method, rule, url, junk=True)
                if junk.status_code != resp.status_code:
                    wrong.append(f"  {role}: {resp.status_code} when the input is valid but {junk.status_code} "
                                 f"when it is not: permission must be checked first ({url})")
            if _changed_something(method, resp):
                callers = _after_write(app, callers, role, rule)
    assert not wrong, f"{method} {rule} ({expected.note or 'no note'}):\n" + "\n".join(wrong)


def test_table_lists_no_route_the_app_does_not_have():
    present = set(ROUTES)
    stale = sorted(k for k in matrix.EXPECTED if k not in present)
    assert not stale, "The access matrix lists routes the app no longer has; remove them: " + ", ".join(
        f"{m} {r}" for m, r in stale)


def test_matrix_size():
    routes = [r for r in ROUTES if r[1] not in matrix.EXCLUDED]
    print(f"access matrix: {len(routes)} routes × {len(matrix.ROLES)} roles = {len(routes) * len(matrix.ROLES)} cells")
    assert len(routes) > 100


def _json_body_routes(app):
    """(method, rule) of every API route whose OpenAPI description takes a JSON body."""
    with app.test_request_context():
        from bankapp.extensions import api

        paths = api.spec.to_dict()["paths"]
    found = []
    for path, operations in paths.items():
        rule = path.replace("{", "<int:").replace("}", ">")
        for method, operation in operations.items():
            if method in ("post", "put", "patch", "delete") and \
                    "application/json" in operation.get("requestBody", {}).get("content", {}):
                found.append((method.upper(), rule))
    return sorted(found)


def test_the_junk_fails_validation_for_a_role_that_may_act(app):
    """The junk input the refused roles are sent is input the route refuses: a role that may act gets 422."""
    callers = _callers(app)
    routes = [r for r in _json_body_routes(app) if r in matrix.EXPECTED]
    assert len(routes) > 20
    answers = {}
    for method, rule in routes:
        may = matrix.EXPECTED[(method, rule)].roles
        allowed = [role for role in matrix.ROLES if role in may and role != matrix.ANON]
        if not allowed:
            continue
        url = urls_for(rule, callers.scene.ids)[0]
        answers[f"{method} {rule}"] = call(callers, allowed[0], method, rule, url, junk=True).status_code
    assert {route: status for route, status in answers.items() if status not in (400, 422)} == {}
