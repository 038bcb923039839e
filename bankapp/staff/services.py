"""People: users with their doctor profile, and compliance documents."""
import secrets

from ..audit.services import record_audit
from ..auth.services import create_user
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..org.models import Grade, Site
from ..timeutil import london_date, now_utc
from .models import ComplianceDocument, DoctorProfile


def create_person(*, email, name, password, roles, site_ids=(), grade=None, mobile=None,
                  esr_assignment_number=None, gmc_number=None, agency_id=None, sms_opt_in=False, actor,
                  check_password=True, password_hash=None):
    """A user and, for doctors, their profile, in one transaction."""
    errors = {}
    grade_row = None
    if grade:
        grade_row = db.session.execute(db.select(Grade).filter_by(code=grade)).scalar_one_or_none()
        if grade_row is None:
            errors["grade"] = [f"Unknown grade: {grade}."]
    if "doctor" in roles and grade_row is None and "grade" not in errors:
        errors["grade"] = ["A doctor needs a grade."]
    if site_ids:
        known = set(db.session.execute(db.select(Site.id).where(Site.id.in_(site_ids))).scalars())
        missing = sorted(set(site_ids) - known)
        if missing:
            errors["site_ids"] = [f"Unknown site id(s): {', '.join(map(str, missing))}."]
    if "agency" in roles and not agency_id:
        errors["agency_id"] = ["An agency user belongs to an agency."]
    if agency_id:
        from ..cascade.models import Agency

        if db.session.get(Agency, agency_id) is None:
            errors["agency_id"] = ["No agency has this id."]
    if errors:
        raise ValidationFailed("Some fields are not valid.", errors=errors)
    if esr_assignment_number and db.session.execute(
            db.select(DoctorProfile.user_id).filter_by(esr_assignment_number=esr_assignment_number)).first():
        raise Conflict("This ESR assignment number belongs to someone else.",
                       errors={"esr_assignment_number": ["Already in use."]})
    if gmc_number and db.session.execute(db.select(DoctorProfile.user_id).filter_by(gmc_number=gmc_number)).first():
        raise Conflict("This GMC number belongs to someone else.", errors={"gmc_number": ["Already in use."]})
    user = create_user(email=email, name=name, password=password, roles=roles, site_ids=site_ids, actor=actor,
                       mobile=mobile, sms_opt_in=sms_opt_in, agency_id=agency_id, check_password=check_password,
                       password_hash=password_hash)
    if "doctor" in roles:
        db.session.add(DoctorProfile(user_id=user.id, grade_id=grade_row.id,
                                     esr_assignment_number=esr_assignment_number, gmc_number=gmc_number,
                                     calendar_token=secrets.token_urlsafe(24)))
        db.session.flush()
        record_audit("doctor_profile.created", "user", user.id, actor=actor,
                     after={"grade": grade, "esr_assignment_number": esr_assignment_number})
    return user


def add_document(user, *, kind, expires_on, reference=None, actor, allow_past=False) -> ComplianceDocument:
    if not allow_past and expires_on < london_date(now_utc()):
        raise ValidationFailed("This document has already expired.",
                               errors={"expires_on": ["The expiry date is in the past."]})
    doc = ComplianceDocument(user_id=user.id, kind=kind, expires_on=expires_on, reference=reference,
                             created_by_id=getattr(actor, "id", None))
    db.session.add(doc)
    db.session.flush()
    record_audit("document.added", "compliance_document", doc.id, actor=actor,
                 after={"user_id": user.id, "kind": kind, "expires_on": expires_on})
    return doc


def documents_of(user_id):
    return db.session.execute(db.select(ComplianceDocument).filter_by(user_id=user_id)
                              .order_by(ComplianceDocument.kind, ComplianceDocument.expires_on)).scalars().all()


def latest_documents(user_id) -> dict:
    """kind -> latest expiry date held, for the claim checks."""
    out = {}
    for doc in documents_of(user_id):
        if doc.kind not in out or doc.expires_on > out[doc.kind]:
            out[doc.kind] = doc.expires_on
    return out


# A document within this many days of its expiry is flagged on the admin pages.
EXPIRY_WARNING_DAYS = 30


def document_status(expires_on, today, *, warn_days=EXPIRY_WARNING_DAYS) -> str:
    """'expired' (before today), 'expiring' (within ``warn_days``) or 'valid'.

    A document expiring today is still valid today: shifts need it valid
    through their end, which the claim checks test separately.
    """
    if expires_on < today:
        return "expired"
    if (expires_on - today).days <= warn_days:
        return "expiring"
    return "valid"


def search_people(*, text=None, role=None, page=1, per_page=25):
    """People whose name or email contains ``text``, holding ``role`` if given,
    by name; returns (rows, has_next) for page ``page`` (from 1)."""
    from ..auth.models import User, UserRole

    stmt = db.select(User)
    if text:
        like = f"%{text.strip().lower()}%"
        stmt = stmt.where(db.or_(db.func.lower(User.name).like(like), User.email.like(like)))
    if role:
        stmt = stmt.where(User.roles.any(UserRole.role == role))
    stmt = stmt.order_by(db.func.lower(User.name), User.id).offset((max(page, 1) - 1) * per_page).limit(per_page + 1)
    rows = db.session.execute(stmt).scalars().all()
    return rows[:per_page], len(rows) > per_page


def set_active(user, active, *, actor):
    """Deactivate (no login, no API token works) or reactivate a person."""
    active = bool(active)
    if not active and actor is not None and getattr(actor, "id", None) == user.id:
        raise ValidationFailed("You cannot deactivate your own account.",
                               errors={"active": ["You cannot deactivate your own account."]})
    if user.active == active:
        return user
    user.active = active
    db.session.flush()
    record_audit("user.reactivated" if active else "user.deactivated", "user", user.id, actor=actor,
                 before={"active": not active}, after={"active": active})
    return user
