"""Demo data for joining the bank and working across sites (``flask --app wsgi bank seed-demo``).

The central staffing team (one login for all three sites), a handful of
applications in every state, doctors asking to work at another hospital
(waiting, approved, rejected), and renewal evidence waiting for verification
(the junior doctor's DBS among it), all made through the real services.
"""
from datetime import timedelta

from ..seed import DOMAIN, _person
from ..staff.verification import upload_document
from ..timeutil import london_date, now_utc
from . import applications, site_requests

# A one-page PDF: enough for the verification queue to open.
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
CHECKED = {"documents_verified": True, "references_recorded": True, "right_to_work_and_id_seen": True,
           "grade_confirmed": True}
APPLICANTS = [
    # name, grade, sites (indexes), days ago, state
    ("Dr Imogen Hale", "FY2", [0], 0, "awaiting_mobile"),
    ("Dr Yusuf Karim", "CT1", [1, 2], 1, "awaiting_mobile"),
    ("Dr Leah Brennan", "ST3", [0, 1], 2, "submitted"),
    ("Dr Owen Mbeki", "FY1", [2], 5, "submitted"),
    ("Dr Priya Raman", "ST6", [0, 1, 2], 9, "submitted"),
    ("Dr Callum Reid", "CT1", [1], 20, "approved"),
    ("Dr Sofia Marin", "ST3", [0, 2], 34, "approved"),
    ("Dr Harvey Quinn", "FY2", [2], 15, "rejected"),
    ("Dr Elena Rossi", "SAS", [0], 40, "rejected"),
    ("Dr Noah Fairley", "FY1", [1], 30, "lapsed"),
]


def _applicant(ctx, staffing, n, name, grade, site_indexes, days_ago, state):
    first, last = name.removeprefix("Dr ").lower().split()
    expiry = london_date(now_utc()) + timedelta(days=300 + 20 * n)
    application = applications.apply(
        name=name, email=f"{first}.{last}@applicant.example.nhs.uk", mobile=f"+4477009{80000 + n:05d}",
        gmc_number=f"{7800000 + n}", grade=grade, site_ids=[ctx.sites[i].id for i in site_indexes],
        specialties=["Acute medicine"] if n % 2 else ["Emergency medicine", "Paediatrics"], sms_opt_in=True,
        documents=[{"kind": kind, "expires_on": expiry, "content": DEMO_PDF}
                   for kind in ("gmc_licence", "dbs", "right_to_work")[: 1 + n % 3]])
    application.created_at = now_utc() - timedelta(days=days_ago, hours=3)
    if state == "lapsed":
        application.status = "lapsed"
        return
    if state == "awaiting_mobile":
        return
    application.status, application.submitted_at = "submitted", application.created_at + timedelta(minutes=5)
    if state == "submitted":
        applications.update_checklist(application, actor=staffing, documents_verified=n % 2 == 0,
                                      references_recorded=n > 3)
        applications.add_note(application, text="First reference received; chasing the second.", actor=staffing)
    elif state == "approved":
        applications.update_checklist(application, actor=staffing, **CHECKED,
                                      esr_assignment_number=f"{30000000 + n:08d}-{n % 10}")
        applications.approve(application, actor=staffing, note="All checks complete.")
        application.decided_at = application.created_at + timedelta(days=6 + n % 5)
    else:
        applications.reject(application, actor=staffing,
                            note="We could not confirm a licence to practise on the GMC register.")
        application.decided_at = application.created_at + timedelta(days=3)


def seed(ctx):
    staffing = ctx.people.get("staffing") or _staffing_team(ctx)
    for n, row in enumerate(APPLICANTS):
        _applicant(ctx, staffing, n, *row)
    one_site = [d for d in ctx.doctors if len(d.site_ids) == 1][:6]
    for n, doctor in enumerate(one_site):
        other = next(s for s in ctx.sites if s.id not in doctor.site_ids)
        req = site_requests.request_site(doctor, site_id=other.id, actor=doctor)
        if n in (3, 4):
            site_requests.decide(req, approve=True, induction_on=london_date(now_utc()) - timedelta(days=n),
                                 note="Induction done on the ward.", actor=staffing)
        elif n == 5:
            site_requests.decide(req, approve=False, note="No induction places this month: ask again in January.",
                                 actor=staffing)
    expiry = london_date(now_utc()) + timedelta(days=1095)
    for doctor in ctx.doctors[1:4]:  # the junior doctor's DBS renewal waits for verification, and two others
        upload_document(doctor, kind="dbs", expires_on=expiry, content=DEMO_PDF, actor=doctor)


def _staffing_team(ctx):
    team = _person(ctx, "Temporary staffing team (all sites)", f"staffing@{DOMAIN}", "Rachel Adeyemi",
                   ["staffing"], ctx.admin.password_hash, site_ids=[s.id for s in ctx.sites])
    ctx.people["staffing"] = team
    return team
