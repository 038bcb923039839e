"""WCAG 2.2 AA: axe-core on every main page, at phone (390×844) and desktop (1280×800) sizes.

axe (npm devDependency, copied to bankapp/static/vendor by `npm run build`) is loaded from our own
static files, so the strict CSP needs no exception. A page passes with zero `serious` or
`critical` violations; `minor` and `moderate` ones are listed in the summary, which is printed per
page and written to test-artifacts/axe-summary.md for the closing note.
"""
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS

AXE = Path(__file__).resolve().parents[2] / "bankapp" / "static" / "vendor" / "axe.min.js"
RUN_ONLY = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")
IMPACTS = ("critical", "serious", "moderate", "minor")

# (name, role that opens it, path; {ids} are filled from the seeded trust)
PAGES = [
    ("login", None, "/login"),
    ("login with errors", None, "/login?submit"),
    ("forgotten password", None, "/password-reset"),
    ("password reset code", None, "/password-reset/code?email=nobody@test.nhs.uk"),
    ("offline page", None, "/offline"),
    ("shift board", "doctor", "/shifts"),
    ("shift board: all open shifts, with why not", "doctor", "/shifts?show=all"),
    ("shift detail", "doctor", "/shifts/{open_shift}"),
    ("shift detail inside the cancel cut-off", "doctor", "/shifts/{soon_shift}"),
    ("my shifts", "doctor", "/my-shifts"),
    ("timesheet form", "doctor", "/timesheets/new?booking_id={worked_booking}"),
    ("coordinator post form", "coordinator_a", "/coordinator/shifts/new"),
    ("book a doctor and invite", "coordinator_a", "/coordinator/shifts/{open_shift}"),
    ("rota upload", "coordinator_a", "/coordinator/shifts/upload"),
    ("shift manage page", "coordinator_a", "/coordinator/shifts/{open_shift}"),
    ("shift edit form", "coordinator_a", "/coordinator/shifts/{open_shift}/edit"),
    ("site approval process", "admin", "/admin/sites/{site}/policy"),
    ("rate violations queue", "approver_a", "/rate-violations"),
    ("timesheet queue", "approver_a", "/timesheets/queue"),
    ("cascade requests queue", "approver_a", "/cascade-requests"),
    ("breach report", "executive", "/reports/breaches"),
    ("fill-rate report", "executive", "/reports/fill-rates"),
    ("fill-rate report, filters open", "executive", "/reports/fill-rates?group_by=week"),
    ("spend report", "executive", "/reports/spend"),
    ("unfilled shifts forecast", "executive", "/reports/forecast"),
    ("doctor's timesheets", "doctor", "/timesheets"),
    ("executive home", "executive", "/"),
    ("payroll", "payroll", "/payroll"),
    ("person page (admin)", "admin", "/admin/users/{doctor}"),
    ("join the bank", None, "/join"),
    ("application status", None, "/join/{application_token}"),
    ("my documents", "doctor", "/me/documents"),
    ("where I work", "doctor", "/me/sites"),
    ("documents to verify", "staffing_a", "/staffing/documents"),
    ("applications queue", "staffing_a", "/staffing/applications"),
    ("application", "staffing_a", "/staffing/applications/{application}"),
    ("site requests", "staffing_a", "/staffing/site-requests"),
    ("bank utilisation", "staffing_a", "/reports/bank-utilisation"),
    ("staffing home", "staffing_a", "/"),
    ("site page (admin)", "admin", "/admin/sites/{site}"),
]
VIEWPORTS = ("phone", "desktop")
_summary = {}


def _trust():
    """Something on every page: an open shift, a worked booking, a submitted timesheet, a rate
    waiting for approval, a cascade request and a breach, all at site A."""
    from bankapp.audit.services import record_breach
    from bankapp.cascade.services import request_cascade
    from bankapp.shifts.services import post_shift
    from bankapp.timesheets.services import submit_timesheet
    from bankapp.timeutil import now_utc
    from tests.factories import Factory, make_booking, make_shift
    from tests.rates.cards import make_card

    w = Factory().world()
    make_card(w.admin)
    st3, now = w.grades["ST3"], now_utc().replace(minute=0, second=0, microsecond=0)

    def shift(start, hours=10):
        return make_shift(department=w.dept_a, grade=st3, start=start, end=start + timedelta(hours=hours),
                          posted_by=w.coordinator_a, created_at=now - timedelta(days=3))

    open_shift = shift(now + timedelta(days=3))
    make_booking(shift(now + timedelta(days=5)), w.doctor)
    shift(now + timedelta(days=5, hours=2))  # clashes with the booking: shown with why not
    soon_shift = shift(now + timedelta(hours=30), 8)
    worked = make_booking(shift(now - timedelta(days=2), 8), w.doctor)
    submitted = make_booking(shift(now - timedelta(days=4), 8), w.doctor)
    submit_timesheet(submitted, actor=w.doctor, actual_start=submitted.shift.start_at,
                     actual_end=submitted.shift.end_at + timedelta(minutes=30), break_minutes=15)
    request_cascade(shift(now + timedelta(days=7)), actor=w.coordinator_a, reason="Nobody has claimed it")
    start = now + timedelta(days=9)
    post_shift(actor=w.coordinator_a, department=w.dept_a, grade=st3, start=start, end=start + timedelta(hours=10),
               hourly_rate=Decimal("150.00"), reason="Winter pressures")
    record_breach("wtr_override", site_id=w.site_a.id, approved_by=w.coordinator_a, reason="Cover needed",
                  at=now - timedelta(days=1))
    emails = {role: getattr(w, role).email for role in ("doctor", "coordinator_a", "approver_a", "executive",
                                                         "payroll", "admin", "staffing_a")}
    return emails, {"open_shift": open_shift.id, "worked_booking": worked.id, "doctor": w.doctor.id,
                    "soon_shift": soon_shift.id, "site": w.site_a.id, **_joining(w)}


def _joining(w):
    """An upload waiting for verification, a submitted application with a document, a site request."""
    from bankapp.joining import applications, site_requests
    from bankapp.staff.verification import upload_document
    from bankapp.timeutil import london_date, now_utc
    from tests.factories import Factory

    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    expiry = london_date(now_utc()) + timedelta(days=300)
    upload_document(w.doctor, kind="dbs", expires_on=expiry, content=png, actor=w.doctor)
    application = applications.apply(name="Dr Ada Axe", email="ada.axe@nhs.net", mobile="+447700900321",
                                     gmc_number="7321321", grade="ST3", site_ids=[w.site_a.id],
                                     documents=[{"kind": "dbs", "expires_on": expiry, "content": png}])
    pending = applications.apply(name="Dr Ben Axe", email="ben.axe@nhs.net", mobile="+447700900322",
                                 gmc_number="7321322", grade="FY2", site_ids=[w.site_a.id])
    application.status = "submitted"
    site_b_doctor = Factory().doctor(sites=[w.site_b])
    site_requests.request_site(site_b_doctor, site_id=w.site_a.id, actor=site_b_doctor)
    return {"application": application.id, "application_token": pending.token}


@pytest.fixture
def trust(live_server):
    return live_server.seed(_trust)


def _audit(page) -> dict:
    page.add_script_tag(url="/static/vendor/axe.min.js")
    return page.evaluate("opts => axe.run(document, opts)", {"runOnly": {"type": "tag", "values": RUN_ONLY},
                                                              "resultTypes": ["violations"]})


def _describe(violations) -> str:
    return "\n".join(f"  [{v['impact']}] {v['id']}: {v['help']} — "
                     + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                                 for n in v["nodes"][:5]) for v in violations)


@pytest.fixture(scope="module", autouse=True)
def _write_summary():
    yield
    if not _summary:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    lines = ["| page | viewport | " + " | ".join(IMPACTS) + " | rules |", "|---|---|" + "---|" * (len(IMPACTS) + 1)]
    for (name, viewport), (counts, rules) in sorted(_summary.items()):
        lines.append(f"| {name} | {viewport} | " + " | ".join(str(counts.get(i, 0)) for i in IMPACTS)
                     + f" | {', '.join(rules) or '—'} |")
    (ARTIFACTS / "axe-summary.md").write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name,role,path", PAGES, ids=[p[0] for p in PAGES])
def test_page_has_no_serious_or_critical_violations(request, trust, login, name, role, path, viewport):
    if not AXE.exists():
        pytest.skip(f"axe-core is missing ({AXE}): run `npm ci && npm run build`")
    page = request.getfixturevalue("page" if viewport == "phone" else "desktop_page")
    emails, ids = trust
    if role:
        login(page, emails[role])
    if path == "/login?submit":  # the form sent back with an error summary and a field error
        page.goto("/login")
        page.fill("#email", "nobody@test.nhs.uk")
        page.fill("#password", "not-the-password")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_selector(".nhsuk-error-summary:not([hidden])")
    else:
        response = page.goto(path.format(**ids))
        assert response.status < 400, f"{name}: {path} answered {response.status}"
    violations = _audit(page)["violations"]
    counts = Counter(v["impact"] for v in violations)
    _summary[(name, viewport)] = (counts, sorted(v["id"] for v in violations))
    print(f"axe {name} ({viewport}): " + ", ".join(f"{i} {counts.get(i, 0)}" for i in IMPACTS))
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{name} at {viewport} size:\n{_describe(blocking)}"


def test_axe_finds_violations_when_there_are_some(page, live_server):
    """The check itself works: an image without text and an unlabelled field are reported."""
    if not AXE.exists():
        pytest.skip(f"axe-core is missing ({AXE}): run `npm ci && npm run build`")
    page.goto("/login")
    page.evaluate("""() => {
        const main = document.querySelector('main');
        main.appendChild(document.createElement('img'));
        const field = document.createElement('input');
        field.type = 'text';
        main.appendChild(field);
    }""")
    found = {v["id"]: v["impact"] for v in _audit(page)["violations"]}
    assert found.get("image-alt") == "critical"
    assert "label" in found
