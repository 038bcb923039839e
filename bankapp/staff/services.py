"""People: users with their doctor profile, and compliance documents."""
import secrets
from functools import cache

from sqlalchemy import bindparam

from ..audit.services import record_audit
from ..auth.models import User, UserRole, UserSite
from ..auth.services import E164, create_user, find_user_by_email, normalise_email
from ..auth.sessions import end_sessions
from ..cascade.models import Agency
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..org.models import Grade, Site
from ..timeutil import london_date, now_utc
from .documents import expiry_status as document_status  # noqa: F401  (the admin pages' name for it)
from .models import ComplianceDocument, DoctorProfile
from .storage import delete_after_commit


def _check_references(*, roles, grade, site_ids, agency_id, has_grade=False) -> tuple[dict, Grade | None]:
    """Field errors for the grade, sites and agency a person refers to; and the grade row when one is named.

    ``has_grade``: the person already has a grade on record (editing), so a
    doctor need not be given one again.
    """
    errors = {}
    grade_row = None
    if grade:
        grade_row = db.session.execute(db.select(Grade).filter_by(code=grade)).scalar_one_or_none()
        if grade_row is None:
            errors["grade"] = [f"Unknown grade: {grade}."]
    if "doctor" in roles and grade_row is None and not has_grade and "grade" not in errors:
        errors["grade"] = ["A doctor needs a grade."]
    if site_ids:
        known = set(db.session.execute(db.select(Site.id).where(Site.id.in_(site_ids))).scalars())
        missing = sorted(set(site_ids) - known)
        if missing:
            errors["site_ids"] = [f"Unknown site id(s): {', '.join(map(str, missing))}."]
    if "agency" in roles and not agency_id:
        errors["agency_id"] = ["An agency user belongs to an agency."]
    if agency_id:
        if db.session.get(Agency, agency_id) is None:
            errors["agency_id"] = ["No agency has this id."]
    return errors, grade_row


def _check_unique_numbers(*, esr_assignment_number=None, gmc_number=None, user_id=None) -> None:
    """409 when another person holds the ESR assignment or GMC number."""
    for field, value, label in (("esr_assignment_number", esr_assignment_number, "ESR assignment number"),
                                ("gmc_number", gmc_number, "GMC number")):
        if not value:
            continue
        holder = db.session.execute(db.select(DoctorProfile.user_id)
                                    .where(getattr(DoctorProfile, field) == value)).scalar()
        if holder is not None and holder != user_id:
            raise Conflict(f"This {label} belongs to someone else.", errors={field: ["Already in use."]})


def create_person(*, email, name, password, roles, site_ids=(), grade=None, mobile=None,
                  esr_assignment_number=None, gmc_number=None, agency_id=None, sms_opt_in=False, actor,
                  check_password=True, password_hash=None):
    """A user and, for doctors, their profile, in one transaction."""
    errors, grade_row = _check_references(roles=roles, grade=grade, site_ids=site_ids, agency_id=agency_id)
    if errors:
        raise ValidationFailed("Some fields are not valid.", errors=errors)
    _check_unique_numbers(esr_assignment_number=esr_assignment_number, gmc_number=gmc_number)
    user = create_user(email=email, name=name, password=password, roles=roles, site_ids=site_ids, actor=actor,
                       mobile=mobile, sms_opt_in=sms_opt_in, agency_id=agency_id, check_password=check_password,
                       password_hash=password_hash)
    if "doctor" in roles:
        _add_profile(user, grade_row, esr_assignment_number=esr_assignment_number, gmc_number=gmc_number,
                     actor=actor)
    return user


def _add_profile(user, grade_row, *, esr_assignment_number=None, gmc_number=None, actor):
    profile = DoctorProfile(user_id=user.id, grade_id=grade_row.id, esr_assignment_number=esr_assignment_number,
                            gmc_number=gmc_number, calendar_token=secrets.token_urlsafe(24))
    db.session.add(profile)
    db.session.flush()
    user.doctor_profile = profile
    record_audit("doctor_profile.created", "user", user.id, actor=actor,
                 after={"grade": grade_row.code, "esr_assignment_number": esr_assignment_number})
    return profile


# What an admin may change about a person (the password and active flag have their own ways).
EDITABLE = ("email", "name", "roles", "site_ids", "grade", "mobile", "sms_opt_in", "esr_assignment_number",
            "gmc_number", "agency_id", "wtr_opt_out")


def person_values(user) -> dict:
    """The editable values of a person as they stand (what the edit form starts from)."""
    profile = user.doctor_profile
    return {"email": user.email, "name": user.name, "roles": user.role_names, "site_ids": user.site_ids,
            "grade": profile.grade.code if profile and profile.grade else None, "mobile": user.mobile,
            "sms_opt_in": user.sms_opt_in,
            "esr_assignment_number": profile.esr_assignment_number if profile else None,
            "gmc_number": profile.gmc_number if profile else None, "agency_id": user.agency_id,
            "wtr_opt_out": profile is not None and profile.wtr_opt_out_at is not None}


def update_person(user, *, actor, **changes):
    """Change a person's details: only the fields given, all checked before anything is written.

    A new grade takes effect for shifts claimed from now on; bookings already
    made stand. ``wtr_opt_out`` records (or withdraws) a doctor's opt-out of
    the 48-hour average, with when and by whom. Taking the doctor role away keeps the profile (ESR number,
    payroll history); giving it to someone without one makes one. An admin
    cannot take the admin role away from themselves. Recorded as one
    ``user.updated`` audit event with the fields that changed.
    """
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationFailed("Some fields cannot be changed here.", errors={f: ["Cannot be changed here."]
                                                                              for f in unknown})
    before = person_values(user)
    after = {**before, **changes}
    after["email"] = normalise_email(after["email"])
    after["name"] = (after["name"] or "").strip()
    after["roles"] = list(dict.fromkeys(after["roles"] or ()))
    after["site_ids"] = sorted(set(after["site_ids"] or ()))
    after["sms_opt_in"] = bool(after["sms_opt_in"])
    after["wtr_opt_out"] = bool(after["wtr_opt_out"])
    for field in ("mobile", "esr_assignment_number", "gmc_number", "agency_id"):
        after[field] = after[field] or None
    after["grade"] = after["grade"] or before["grade"]  # a grade is changed, never cleared
    if user.doctor_profile is None and "doctor" not in after["roles"]:
        after["esr_assignment_number"] = after["gmc_number"] = None  # only doctors have them
    errors, grade_row = _check_references(roles=after["roles"], grade=changes.get("grade"),
                                          site_ids=after["site_ids"], agency_id=after["agency_id"],
                                          has_grade=before["grade"] is not None)
    if not after["roles"]:
        errors["roles"] = ["Give at least one role."]
    if after["wtr_opt_out"] and user.doctor_profile is None and "doctor" not in after["roles"]:
        errors["wtr_opt_out"] = ["Only a doctor can opt out of the 48-hour average."]
    if len(after["name"]) < 2:
        errors["name"] = ["Enter the person's full name."]
    if after["mobile"] and not E164.match(after["mobile"]):
        errors["mobile"] = ["Give the mobile number in international form, e.g. +447700900123."]
    if getattr(actor, "id", None) == user.id and "admin" in before["roles"] and "admin" not in after["roles"]:
        errors["roles"] = ["You cannot take the admin role away from yourself."]
    if errors:
        raise ValidationFailed("Some fields are not valid.", errors=errors)
    if after["email"] != before["email"] and find_user_by_email(after["email"]) is not None:
        raise Conflict(f"A user with the email {after['email']} already exists.", errors={"email": ["Already in use."]})
    _check_unique_numbers(esr_assignment_number=after["esr_assignment_number"], gmc_number=after["gmc_number"],
                          user_id=user.id)
    changed = {k: after[k] for k in EDITABLE if after[k] != before[k]}
    if not changed:
        return user
    _apply(user, after, changed, grade_row, actor=actor)
    if set(before["roles"]) - set(after["roles"]):
        end_sessions(user)  # a role taken away: no session goes on with what it allowed
    db.session.flush()
    record_audit("user.updated", "user", user.id, actor=actor, before={k: before[k] for k in changed},
                 after=changed)
    return user


def _apply(user, after, changed, grade_row, *, actor):
    for field in ("email", "name", "mobile", "agency_id"):
        if field in changed:
            setattr(user, field, after[field])
    if "sms_opt_in" in changed:
        user.sms_opt_in = bool(after["sms_opt_in"])
    if "roles" in changed:
        kept = {r.role: r for r in user.roles}
        user.roles = [kept.get(role) or UserRole(role=role) for role in after["roles"]]
    if "site_ids" in changed:
        kept = {s.site_id: s for s in user.site_links}
        user.site_links = [kept.get(site_id) or UserSite(site_id=site_id) for site_id in after["site_ids"]]
    profile = user.doctor_profile
    if profile is None and "doctor" in after["roles"]:
        profile = _add_profile(user, grade_row, esr_assignment_number=after["esr_assignment_number"],
                               gmc_number=after["gmc_number"], actor=actor)
        if after["wtr_opt_out"]:
            _record_wtr_opt_out(profile, True, actor=actor)
        return
    if profile is not None:
        if grade_row is not None:
            profile.grade = grade_row
        for field in ("esr_assignment_number", "gmc_number"):
            if field in changed:
                setattr(profile, field, after[field] or None)
        if "wtr_opt_out" in changed:
            _record_wtr_opt_out(profile, after["wtr_opt_out"], actor=actor)


def _record_wtr_opt_out(profile, opted_out: bool, *, actor):
    """The doctor's opt-out of the 48-hour average, with when and by whom it was recorded (or withdrawn)."""
    profile.wtr_opt_out_at = now_utc() if opted_out else None
    profile.wtr_opt_out_by_id = getattr(actor, "id", None) if opted_out else None


def add_document(user, *, kind, expires_on, reference=None, actor, allow_past=False) -> ComplianceDocument:
    if not allow_past and expires_on < london_date(now_utc()):
        raise ValidationFailed("This document has already expired.",
                               errors={"expires_on": ["The expiry date is in the past."]})
    # Entered by staff who saw the document: verified by them at once.
    doc = ComplianceDocument(user_id=user.id, kind=kind, expires_on=expires_on, reference=reference,
                             created_by_id=getattr(actor, "id", None), status="verified", verified_at=now_utc(),
                             verified_by_id=getattr(actor, "id", None))
    db.session.add(doc)
    db.session.flush()
    record_audit("document.added", "compliance_document", doc.id, actor=actor,
                 after={"user_id": user.id, "kind": kind, "expires_on": expires_on, "status": "verified"})
    return doc


def remove_document(doc, *, actor) -> None:
    """Take away a document recorded in error (the audit log keeps what it said); its uploaded file, if it has
    one, is deleted once this commits."""
    record_audit("document.removed", "compliance_document", doc.id, actor=actor,
                 before={"user_id": doc.user_id, "kind": doc.kind, "expires_on": doc.expires_on,
                         "reference": doc.reference, "file_removed": doc.file_key is not None})
    delete_after_commit([doc.file_key])
    db.session.delete(doc)
    db.session.flush()


def documents_of(user_id):
    return db.session.execute(db.select(ComplianceDocument).filter_by(user_id=user_id)
                              .order_by(ComplianceDocument.kind, ComplianceDocument.expires_on)).scalars().all()


def latest_documents(user_id) -> dict:
    """kind -> latest expiry date of a *verified* document, for the claim checks (one grouped query).

    Uploads awaiting verification and rejected ones do not count."""
    return latest_documents_of([user_id]).get(user_id, {})


def latest_documents_of(user_ids) -> dict[int, dict]:
    """user id -> (kind -> latest expiry date of a verified document), for many doctors in one grouped query.

    The one definition of which documents count for a claim: a single claim and a
    whole list of candidates read them the same way.
    """
    rows = db.session.execute(_latest_documents_statement(), {"user_ids": list(user_ids)}).all()
    out: dict[int, dict] = {}
    for user_id, kind, expires_on in rows:
        out.setdefault(user_id, {})[kind] = expires_on
    return out


@cache
def _latest_documents_statement():
    """Built once: a claim asks it on every booking, and building costs more than running."""
    return (db.select(ComplianceDocument.user_id, ComplianceDocument.kind, db.func.max(ComplianceDocument.expires_on))
            .where(ComplianceDocument.user_id.in_(bindparam("user_ids", expanding=True)),
                   ComplianceDocument.status == "verified")
            .group_by(ComplianceDocument.user_id, ComplianceDocument.kind))


def search_people(*, text=None, role=None, page=1, per_page=25):
    """People whose name or email contains ``text``, holding ``role`` if given,
    by name; returns (rows, has_next) for page ``page`` (from 1)."""

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
    """Deactivate (no login, no API token or session works) or reactivate a person."""
    active = bool(active)
    if not active and actor is not None and getattr(actor, "id", None) == user.id:
        raise ValidationFailed("You cannot deactivate your own account.",
                               errors={"active": ["You cannot deactivate your own account."]})
    if user.active == active:
        return user
    user.active = active
    if not active:
        end_sessions(user)
    db.session.flush()
    record_audit("user.reactivated" if active else "user.deactivated", "user", user.id, actor=actor,
                 before={"active": not active}, after={"active": active})
    return user
