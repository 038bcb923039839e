"""Test data built through the real services, with sensible defaults."""
import itertools
from dataclasses import dataclass
from datetime import timedelta

from werkzeug.security import generate_password_hash

from bankapp.auth.services import issue_token
from bankapp.cascade.services import create_agency
from bankapp.extensions import db
from bankapp.org.services import create_department, create_grade, create_site
from bankapp.staff.documents import DOCUMENT_KINDS
from bankapp.staff.services import add_document, create_person
from bankapp.timeutil import london_date, now_utc

PASSWORD = "correct-horse-battery"
# Hashed once: scrypt per user would make the suite slow.
PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
_seq = itertools.count(1)


@dataclass
class World:
    site_a: object
    site_b: object
    dept_a: object
    dept_b: object
    grades: dict
    admin: object
    coordinator_a: object
    coordinator_b: object
    approver_a: object
    approver_b: object
    executive: object
    chief_executive: object
    payroll: object
    doctor: object
    agency1: object
    agency2: object
    agency_user1: object
    agency_user2: object


class Factory:
    def site(self, code=None, name=None):
        n = next(_seq)
        return create_site(code=code or f"S{n}", name=name or f"Site {n}", actor=None)

    def department(self, site, name=None, cost_centre=None):
        n = next(_seq)
        return create_department(site_id=site.id, name=name or f"Department {n}", specialty="Medicine",
                                 cost_centre=cost_centre or f"CC{n:04d}", actor=None)

    def grades(self):
        spec = [("FY1", "Foundation Year 1", 10), ("FY2", "Foundation Year 2", 20), ("CT1", "Core Trainee", 30),
                ("ST3", "Specialty Registrar", 40), ("CONS", "Consultant", 60)]
        return {code: create_grade(code=code, name=name, rank=rank, actor=None) for code, name, rank in spec}

    def user(self, roles=("admin",), *, sites=(), email=None, name=None, **kw):
        n = next(_seq)
        user = create_person(email=email or f"user{n}@test.nhs.uk", name=name or f"User {n}", password=PASSWORD,
                             roles=list(roles), site_ids=[s.id for s in sites], actor=None,
                             password_hash=PASSWORD_HASH, check_password=False, **kw)
        db.session.flush()
        return user

    def doctor(self, grade="ST3", *, sites=(), documents=True, expires_in_days=365, mobile=None, sms_opt_in=False,
               **kw):
        n = next(_seq)
        user = self.user(("doctor",), sites=sites, grade=grade, mobile=mobile or f"+4477009{n:05d}",
                         sms_opt_in=sms_opt_in, esr_assignment_number=f"{10000000 + n:08d}-{n % 10}",
                         gmc_number=f"{7000000 + n}", **kw)
        if documents:
            expiry = london_date(now_utc()) + timedelta(days=expires_in_days)
            for kind in DOCUMENT_KINDS:
                add_document(user, kind=kind, expires_on=expiry, actor=None)
        return user

    def agency(self, tier=1, on_framework=True, name=None):
        return create_agency(name=name or f"Agency {next(_seq)}", tier=tier, on_framework=on_framework, actor=None)

    def world(self) -> World:
        site_a, site_b = self.site("AAA", "Alpha Hospital"), self.site("BBB", "Beta Hospital")
        grades = self.grades()
        agency1, agency2 = self.agency(1, True), self.agency(2, False)
        w = World(
            site_a=site_a, site_b=site_b,
            dept_a=self.department(site_a, "Emergency Department"), dept_b=self.department(site_b, "Acute Medicine"),
            grades=grades,
            admin=self.user(("admin",), name="Admin"),
            coordinator_a=self.user(("coordinator",), sites=[site_a], name="Coordinator A"),
            coordinator_b=self.user(("coordinator",), sites=[site_b], name="Coordinator B"),
            approver_a=self.user(("approver",), sites=[site_a], name="Approver A"),
            approver_b=self.user(("approver",), sites=[site_b], name="Approver B"),
            executive=self.user(("executive",), name="Executive"),
            chief_executive=self.user(("chief_executive", "executive"), name="Chief Executive"),
            payroll=self.user(("payroll",), name="Payroll"),
            doctor=self.doctor("ST3", name="Dr Default"),
            agency1=agency1, agency2=agency2,
            agency_user1=self.user(("agency",), agency_id=agency1.id, name="Agency One"),
            agency_user2=self.user(("agency",), agency_id=agency2.id, name="Agency Two"),
        )
        db.session.commit()
        return w


class ApiClient:
    """The Flask test client with a bearer token for one user."""

    def __init__(self, client, token):
        self.client = client
        self.token = token

    @classmethod
    def for_user(cls, client, user):
        token, _ = issue_token(user)
        db.session.commit()
        return cls(client, token)

    def _headers(self, headers):
        return {"Authorization": f"Bearer {self.token}", **(headers or {})}

    def get(self, url, headers=None, **kw):
        return self.client.get(url, headers=self._headers(headers), **kw)

    def post(self, url, json=None, headers=None, **kw):
        return self.client.post(url, json=json if json is not None else {}, headers=self._headers(headers), **kw)

    def patch(self, url, json=None, headers=None, **kw):
        return self.client.patch(url, json=json or {}, headers=self._headers(headers), **kw)

    def delete(self, url, headers=None, **kw):
        return self.client.delete(url, headers=self._headers(headers), **kw)


def london(text):
    """A London wall-clock time (or an ISO string with offset) as aware UTC."""
    from bankapp.timeutil import parse_datetime

    return parse_datetime(text)


def make_shift(*, department, grade, start, end, posted_by, status="open", hourly_rate=None, **kw):
    """A shift row straight into the database (no rules, no pricing): for tests of
    features that only need a shift to exist. Marketplace tests use the service."""
    from bankapp.shifts.models import Shift

    shift = Shift(site_id=department.site_id, department_id=department.id, grade_id=grade.id,
                  start_at=london(start) if isinstance(start, str) else start,
                  end_at=london(end) if isinstance(end, str) else end,
                  status=status, hourly_rate=hourly_rate, posted_by_id=posted_by.id, **kw)
    db.session.add(shift)
    db.session.flush()
    return shift


def make_booking(shift, doctor=None, *, source="bank", status="booked", **kw):
    """A booking row straight into the database; marks the shift booked."""
    from bankapp.shifts.models import Booking

    booking = Booking(shift_id=shift.id, doctor_id=getattr(doctor, "id", None), source=source, status=status,
                      booked_by_id=getattr(doctor, "id", None), **kw)
    db.session.add(booking)
    if status == "booked":
        shift.status = "booked"
    db.session.flush()
    return booking
