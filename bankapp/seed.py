"""The demo merged trust: three sites, one bank, believable people.

Runs once: on a database that already has sites it only lists the logins.
Features add their own demo data through ``bankapp/<feature>/demo.py``
modules exposing ``seed(ctx)``, called in FEATURES order; the trust's last
13 weeks and next 4 are generated right after the rate card
(``bankapp/demo/quarter.py``, the bench's generator).
"""
import random
from dataclasses import dataclass, field
from datetime import timedelta

from .auth.models import User
from .auth.services import hash_password
from .cascade.services import create_agency
from .extensions import db
from .features import FEATURES, optional_module
from .org.models import Site
from .org.services import create_department, create_grade, create_site
from .staff.documents import DOCUMENT_KINDS
from .staff.services import add_document, create_person
from .timeutil import london_date, now_utc

DEMO_PASSWORD = "Bank-demo-2026!"
DOMAIN = "demo.staffbank.nhs.uk"

SITES = [("BRM", "Broomfield Hospital"), ("BAS", "Basildon University Hospital"),
         ("STH", "Southend University Hospital")]
DEPARTMENTS = [
    ("Emergency Department", "Emergency medicine"), ("Acute Medical Unit", "Acute medicine"),
    ("General Surgery", "General surgery"), ("Trauma and Orthopaedics", "Trauma and orthopaedics"),
    ("Paediatrics", "Paediatrics"), ("Obstetrics and Gynaecology", "Obstetrics and gynaecology"),
    ("Anaesthetics", "Anaesthetics"), ("Intensive Care", "Intensive care medicine"),
    ("Cardiology", "Cardiology"), ("Care of the Elderly", "Geriatric medicine"),
]
GRADES = [("FY1", "Foundation Year 1", 10), ("FY2", "Foundation Year 2", 20), ("CT1", "Core Trainee 1-2", 30),
          ("ST3", "Specialty Registrar ST3-5", 40), ("ST6", "Specialty Registrar ST6-8", 50),
          ("SAS", "Specialty Doctor", 45), ("CONS", "Consultant", 60)]
GRADE_WEIGHTS = [18, 18, 20, 18, 10, 10, 6]
FIRST = ["Asha", "Tom", "Priya", "James", "Fatima", "Oliver", "Grace", "Mohammed", "Chloe", "Daniel", "Aisha",
         "Samuel", "Hannah", "Kwame", "Sophie", "Arjun", "Emily", "Luca", "Zara", "Ben", "Nadia", "Ravi", "Ella",
         "Joseph", "Maya", "Ibrahim", "Lucy", "Chen", "Amelia", "Tariq"]
LAST = ["Patel", "Smith", "Khan", "Jones", "Okafor", "Williams", "Brown", "Ahmed", "Taylor", "Nguyen", "Davies",
        "Singh", "Evans", "Mensah", "Wilson", "Roberts", "Hussain", "Walker", "Ali", "Green", "Osei", "Clarke",
        "Shah", "Hughes", "Lewis", "Begum", "Wood", "Thompson", "Rahman", "Moore"]


@dataclass
class DemoContext:
    rng: random.Random
    admin: object
    sites: list = field(default_factory=list)
    departments: list = field(default_factory=list)
    grades: dict = field(default_factory=dict)
    doctors: list = field(default_factory=list)
    people: dict = field(default_factory=dict)
    logins: list = field(default_factory=list)


def _person(ctx, label, email, name, roles, password_hash, **kw):
    user = create_person(email=email, name=name, password=DEMO_PASSWORD, roles=roles, actor=ctx.admin,
                         password_hash=password_hash, check_password=False, **kw)
    ctx.logins.append((label, email))
    return user


def _documents(ctx, user, today, *, expiring=False, missing=None):
    for kind in DOCUMENT_KINDS:
        if kind == missing:
            continue
        days = ctx.rng.randint(120, 900)
        if expiring and kind == "dbs":
            days = ctx.rng.randint(3, 25)
        add_document(user, kind=kind, expires_on=today + timedelta(days=days), actor=ctx.admin)


def seed_demo(doctors=300, random_seed=2026):
    """Build the demo trust; returns (role, email) logins to print."""
    if db.session.execute(db.select(Site.id)).first():
        return existing_logins()
    rng = random.Random(random_seed)
    pw_hash = hash_password(DEMO_PASSWORD)
    today = london_date(now_utc())
    admin = create_person(email=f"admin@{DOMAIN}", name="Alex Morgan (Admin)", password=DEMO_PASSWORD,
                          roles=["admin"], actor=None, password_hash=pw_hash, check_password=False)
    ctx = DemoContext(rng=rng, admin=admin, logins=[("Administrator", admin.email)])
    ctx.sites = [create_site(code=c, name=n, staffing_phone=f"01632 96000{i}", actor=admin)  # Ofcom drama numbers
                 for i, (c, n) in enumerate(SITES, 1)]
    for i, site in enumerate(ctx.sites):
        for j, (name, specialty) in enumerate(DEPARTMENTS):
            ctx.departments.append(create_department(site_id=site.id, name=name, specialty=specialty,
                                                     cost_centre=f"{site.code}{100 + j:03d}{i}", actor=admin))
    ctx.grades = {code: create_grade(code=code, name=name, rank=rank, actor=admin) for code, name, rank in GRADES}
    tier1 = create_agency(name="Medacs Healthcare (demo)", tier=1, on_framework=True, actor=admin)
    tier2 = create_agency(name="Rapid Locums Ltd (demo)", tier=2, on_framework=False, actor=admin)

    for site in ctx.sites:
        slug = site.name.split()[0].lower()
        ctx.people[f"coordinator:{site.code}"] = _person(
            ctx, f"Rota coordinator, {site.name.split()[0]}", f"coordinator.{slug}@{DOMAIN}",
            f"{rng.choice(FIRST)} {rng.choice(LAST)}", ["coordinator"], pw_hash, site_ids=[site.id])
        ctx.people[f"approver:{site.code}"] = _person(
            ctx, f"Approver, {site.name.split()[0]}", f"approver.{slug}@{DOMAIN}",
            f"{rng.choice(FIRST)} {rng.choice(LAST)}", ["approver"], pw_hash, site_ids=[site.id])
    ctx.people["executive"] = _person(ctx, "Medical director (executive)", f"executive@{DOMAIN}",
                                      "Dr Helen Carter", ["executive"], pw_hash)
    ctx.people["chief_executive"] = _person(ctx, "Chief executive", f"ceo@{DOMAIN}", "Matthew Hopkins",
                                            ["chief_executive", "executive"], pw_hash)
    ctx.people["payroll"] = _person(ctx, "Payroll", f"payroll@{DOMAIN}", "Janet Fowler", ["payroll"], pw_hash)
    ctx.people["agency1"] = _person(ctx, "Agency (tier 1, on framework)", f"agency.tier1@{DOMAIN}",
                                    "Medacs bookings desk", ["agency"], pw_hash, agency_id=tier1.id)
    ctx.people["agency2"] = _person(ctx, "Agency (tier 2, off framework)", f"agency.tier2@{DOMAIN}",
                                    "Rapid Locums desk", ["agency"], pw_hash, agency_id=tier2.id)

    # The demo doctor everyone logs in as: registrar, fully compliant, opted in.
    demo = _person(ctx, "Bank doctor (ST3, all documents valid)", f"doctor@{DOMAIN}", "Dr Asha Patel",
                   ["doctor"], pw_hash, grade="ST3", mobile="+447700900001", sms_opt_in=True,
                   esr_assignment_number="10949595-4", gmc_number="7012345")
    _documents(ctx, demo, today)
    ctx.doctors.append(demo)
    junior = _person(ctx, "Bank doctor (FY2, DBS expiring soon)", f"junior@{DOMAIN}", "Dr Tom Okafor",
                     ["doctor"], pw_hash, grade="FY2", mobile="+447700900002", sms_opt_in=True,
                     esr_assignment_number="10949596-1", gmc_number="7012346")
    _documents(ctx, junior, today, expiring=True)
    ctx.doctors.append(junior)

    codes = [c for c, _, _ in GRADES]
    for n in range(doctors - len(ctx.doctors)):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        grade = rng.choices(codes, weights=GRADE_WEIGHTS)[0]
        sites = [] if rng.random() < 0.7 else [rng.choice(ctx.sites).id]
        doc = create_person(
            email=f"{first}.{last}.{n}@{DOMAIN}".lower(), name=f"Dr {first} {last}", password=DEMO_PASSWORD,
            roles=["doctor"], actor=admin, password_hash=pw_hash, check_password=False, grade=grade,
            site_ids=sites, mobile=f"+4477009{n + 10:05d}", sms_opt_in=rng.random() < 0.8,
            esr_assignment_number=f"{20000000 + n:08d}-{n % 10}", gmc_number=f"{7100000 + n}")
        roll = rng.random()
        _documents(ctx, doc, today, expiring=roll < 0.08, missing="occupational_health" if roll > 0.97 else None)
        ctx.doctors.append(doc)
    db.session.flush()

    for name in demo_steps():
        module = optional_module(name)
        if module is not None:
            module.seed(ctx)
    db.session.flush()
    return ctx.logins


def demo_steps():
    """Each feature's ``demo`` module in FEATURES order, with the generated quarter (``demo/quarter.py``: the
    last 13 weeks and the next 4) right after the rate card it is priced by, before the features' own scenes."""
    for feature in FEATURES:
        yield f"{feature}.demo"
        if feature == "rates":
            yield "demo.quarter"


def existing_logins():
    """The demo's named accounts (not the generated doctors), labelled by role."""
    users = db.session.execute(db.select(User).where(User.email.like(f"%@{DOMAIN}"))
                               .where(~User.email.like("%.%.%@%")).order_by(User.id)).scalars().all()
    return [(", ".join(u.role_labels), u.email) for u in users]
