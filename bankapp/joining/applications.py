"""Joining the bank: an application, its mobile confirmed by an SMS code, staffing's checks and decision.

Nobody is logged in while applying: the applicant is known by the status
page's secret token (in their texts), the API by the application's id and
the code sent to the mobile. One live application (awaiting its mobile or
submitted) or account per email and per GMC number: a repeat is refused with
``rules.REPEAT_MESSAGE``, the same words whether an account or an application
holds the email, so the answer never says which. The database's partial
unique indexes settle two applications sent at once.

Approval makes the doctor account (sites as approved, the ESR assignment
number when known), records the uploaded documents as verified by the
approver (the checklist says they were verified) and texts a one-time link to
set a password (``welcome.py``). Every step is audited; texts go through the
outbox.
"""
import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_audit
from ..auth.duties import ensure_not_own
from ..auth.models import User
from ..errors import Conflict, NotFound, RuleRefused, ValidationFailed, violated
from ..extensions import db
from ..notifications import texts
from ..notifications.services import enqueue_rows, is_opted_out, public_url
from ..org.models import Grade, Site
from ..staff import storage
from ..staff.models import ComplianceDocument, DoctorProfile
from ..staff.services import create_person
from ..staff.verification import check_upload, store_upload
from ..timeutil import now_utc
from . import queues, rules, welcome
from .models import Application, ApplicationDocument, ApplicationNote, ApplicationSite

DECIDERS = ("staffing", "admin")
UNDECIDED = ("awaiting_mobile", "submitted")


def status_path(application) -> str:
    return f"/join/{application.token}"


def by_token(token, *, application_id=None) -> Application:
    """The application whose secret is ``token`` (and whose id is ``application_id`` when given); otherwise
    404 with the same words, whether the id exists or not."""
    application = None
    if token:
        application = db.session.execute(db.select(Application).filter_by(token=token)).scalar_one_or_none()
    if application is None or (application_id is not None and application.id != application_id):
        raise NotFound("We cannot find this application. Use the link in our latest text.")
    return application


def text_number(mobile, *, kind, body, dedupe_key=None) -> int:
    """Queue a text to a number that is not (yet) a user's: the applicant asked for it; STOP still wins."""
    if is_opted_out(mobile):
        return 0
    return enqueue_rows([{"to": mobile, "kind": kind, "body": body, "dedupe_key": dedupe_key}])


# --- applying ------------------------------------------------------------------------------------


def _references(*, grade, site_ids) -> tuple[Grade, dict]:
    errors = {}
    grade_row = db.session.execute(db.select(Grade).filter_by(code=grade)).scalar_one_or_none()
    if grade_row is None:
        errors["grade"] = ["Choose your grade from the list."]
    known = set(db.session.execute(db.select(Site.id).where(Site.id.in_(site_ids))).scalars())
    if set(site_ids) - known:
        errors["site_ids"] = ["Choose hospitals from the list."]
    return grade_row, errors


def _refuse_repeats(*, email, gmc_number, now):
    """Lapse stale unconfirmed applications of this email or GMC number; refuse if anything live is left."""
    same = db.or_(Application.email == email, Application.gmc_number == gmc_number)
    for stale in db.session.execute(db.select(Application).where(same, Application.status == "awaiting_mobile")
                                    ).scalars():
        if rules.has_lapsed(stale.status, stale.created_at, now):
            stale.status = "lapsed"
            record_audit("application.lapsed", "application", stale.id, actor=None,
                         before={"status": "awaiting_mobile"}, after={"status": "lapsed"})
    db.session.flush()
    live = db.session.execute(db.select(Application.id).where(same, Application.status.in_(rules.LIVE_STATUSES))
                              ).first()
    account = db.session.execute(db.select(User.id).where(User.email == email)).first() or db.session.execute(
        db.select(DoctorProfile.user_id).where(DoctorProfile.gmc_number == gmc_number)).first()
    if live or account:
        raise Conflict(rules.REPEAT_MESSAGE, errors={"email": [rules.REPEAT_MESSAGE]}, type_slug="repeat-application")


def apply(*, name, email, mobile, gmc_number, grade, site_ids, specialties=(), sms_opt_in=False,
          documents=()) -> Application:
    """A new application, ``awaiting_mobile``, with a code texted to the mobile.

    ``documents``: checked uploads as dicts ``{kind, expires_on, content}`` (``staff.verification.read_upload``).
    """
    now = now_utc()
    email = email.strip().lower()
    grade_row, errors = _references(grade=grade, site_ids=site_ids)
    if errors:
        raise ValidationFailed("Some fields are not valid.", errors=errors)
    _refuse_repeats(email=email, gmc_number=gmc_number, now=now)
    application = Application(token=secrets.token_urlsafe(32), status="awaiting_mobile", name=name.strip(),
                              email=email, mobile=mobile, gmc_number=gmc_number, grade_id=grade_row.id,
                              specialties=[s.strip() for s in specialties if s.strip()], sms_opt_in=bool(sms_opt_in),
                              site_links=[ApplicationSite(site_id=s) for s in dict.fromkeys(site_ids)])
    try:
        with db.session.begin_nested():
            db.session.add(application)
            db.session.flush()
    except IntegrityError as exc:
        if violated(exc, "uq_applications_live_email", columns="applications.email") or violated(
                exc, "uq_applications_live_gmc_number", columns="applications.gmc_number"):
            raise Conflict(rules.REPEAT_MESSAGE, errors={"email": [rules.REPEAT_MESSAGE]},
                           type_slug="repeat-application") from None
        raise
    _add_documents(application, documents)
    record_audit("application.created", "application", application.id, actor=None,
                 after={"email": email, "gmc_number": gmc_number, "grade": grade, "site_ids": application.site_ids,
                        "documents": [d["kind"] for d in documents]})
    send_code(application)
    return application


def _add_documents(application, documents):
    for doc in documents:
        key, content_type, size = store_upload(doc["content"])
        application.documents.append(ApplicationDocument(kind=doc["kind"], expires_on=doc["expires_on"],
                                                         file_key=key, content_type=content_type, file_size=size))
    db.session.flush()


def add_document(application, *, kind, expires_on, content) -> ApplicationDocument:
    """The applicant adds or replaces one document after applying (their status page, or the API with the
    application's token), while the application is not yet decided. The file is checked as a doctor's upload
    is; an earlier upload of the same kind is replaced (its file deleted once this commits). If staffing had
    already ticked "documents verified", the tick is taken off: approval counts the documents as verified, so
    a new one must be looked at first."""
    _lock_undecided(application, statuses=UNDECIDED,
                    refusal="documents can be added only until the staffing team decides")
    errors = check_upload(content=content, expires_on=expires_on)
    if errors:
        raise ValidationFailed("The upload was not accepted.", errors=errors)
    replaced = [doc for doc in application.documents if doc.kind == kind]
    for doc in replaced:
        application.documents.remove(doc)
    storage.delete_after_commit([doc.file_key for doc in replaced])
    recheck = application.documents_verified
    application.documents_verified = False
    _add_documents(application, [{"kind": kind, "expires_on": expires_on, "content": content}])
    added = application.documents[-1]
    record_audit("application.document_added", "application", application.id, actor=None,
                 after={"kind": kind, "expires_on": expires_on, "content_type": added.content_type,
                        "size": added.file_size, "replaced": bool(replaced),
                        **({"documents_verified": False} if recheck else {})})
    return added


def _code_hash(application, code: str) -> str:
    return hashlib.sha256(f"{application.token}:{code}".encode()).hexdigest()


def send_code(application) -> None:
    """A new 6-digit code for the mobile (the old one stops working; the tries start again)."""
    if application.status != "awaiting_mobile":
        raise Conflict("This application's mobile number is already confirmed.")
    code = f"{secrets.randbelow(10 ** rules.CODE_DIGITS):0{rules.CODE_DIGITS}d}"
    minutes = current_app.config["APPLICATION_CODE_MINUTES"]
    application.code_hash = _code_hash(application, code)
    application.code_expires_at = now_utc() + timedelta(minutes=minutes)
    application.code_tries = 0
    db.session.flush()
    text_number(application.mobile, kind="application_code", body=texts.application_code(code=code, minutes=minutes))


def confirm_mobile(application, code: str) -> Application:
    """The right code (in time, within its tries) submits the application; a wrong one is counted.

    The caller keeps the counted try even though it answers with an error
    (``transactions.keep_on_error``)."""
    if application.status != "awaiting_mobile":
        raise Conflict("This application's mobile number is already confirmed.")
    matches = application.code_hash is not None and hmac.compare_digest(application.code_hash,
                                                                        _code_hash(application, code))
    expired = application.code_expires_at is None or application.code_expires_at <= now_utc()
    refusal = rules.code_refusal(code_matches=matches, tries=application.code_tries,
                                 max_tries=current_app.config["APPLICATION_CODE_TRIES"], expired=expired)
    if refusal:
        if not matches:
            application.code_tries += 1
            db.session.flush()
        raise ValidationFailed(refusal, errors={"code": [refusal]})
    application.status, application.submitted_at = "submitted", now_utc()
    application.code_hash = application.code_expires_at = None
    db.session.flush()
    record_audit("application.submitted", "application", application.id, actor=None,
                 before={"status": "awaiting_mobile"}, after={"status": "submitted"})
    text_number(application.mobile, kind="application_received",
                body=texts.application_received(url=public_url(status_path(application))))
    return application


# --- staffing's queue ------------------------------------------------------------------------------


def _in_scope(actor):
    """SQL condition: an application asking for one of the actor's sites (admins: every application)."""
    if actor.has_role("admin"):
        return db.true()
    return Application.site_links.any(ApplicationSite.site_id.in_(actor.site_ids or [-1]))


def queue(actor, *, status=None, cursor=None, limit=200, by_age=False) -> list[Application]:
    """Applications for the actor's sites in the order they came (``by_age``: the longest waiting first)."""
    return queues.queue(Application, _in_scope(actor), status=status, cursor=cursor, limit=limit, by_age=by_age)


def counts_by_status(actor) -> dict:
    rows = db.session.execute(db.select(Application.status, db.func.count()).where(_in_scope(actor))
                              .group_by(Application.status)).all()
    return {status: dict(rows).get(status, 0) for status in rules.APPLICATION_STATUSES}


def application_for(actor, application_id) -> Application:
    application = db.session.execute(db.select(Application).where(Application.id == application_id,
                                                                  _in_scope(actor))).scalar_one_or_none()
    if application is None:
        raise NotFound("No such application.")
    return application


def _ensure_not_own(actor, application):
    """Nobody decides their own application: the same email, or the same GMC number as theirs."""
    profile = actor.doctor_profile
    mine = application.email == actor.email or (profile is not None and profile.gmc_number == application.gmc_number)
    ensure_not_own(actor, concerns_user_id=actor.id if mine else None, what="this application")


def _lock_undecided(application, statuses=("submitted",),
                    refusal="only a submitted one can be checked or decided"):
    """Lock the application's row (PostgreSQL) and read it again, so a check, a decision and an applicant's
    late upload happen one after the other; then refuse (409) unless its status is one of ``statuses``."""
    db.session.flush()  # refresh would otherwise drop changes not yet written
    db.session.execute(db.select(Application.id).where(Application.id == application.id).with_for_update())
    db.session.refresh(application)  # as it stands once the lock is held
    if application.status not in statuses:
        raise Conflict(f"This application is {application.status.replace('_', ' ')}: {refusal}.")


def update_checklist(application, *, actor, **changes) -> Application:
    _ensure_not_own(actor, application)
    _lock_undecided(application)
    before = {**application.checklist, "esr_assignment_number": application.esr_assignment_number}
    for field, value in changes.items():
        setattr(application, field, value)
    after = {**application.checklist, "esr_assignment_number": application.esr_assignment_number}
    db.session.flush()
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        record_audit("application.checked", "application", application.id, actor=actor,
                     before={k: before[k] for k in changed}, after=changed)
    return application


def add_note(application, *, text, actor) -> ApplicationNote:
    note = ApplicationNote(application_id=application.id, author_id=actor.id, text=text.strip())
    db.session.add(note)
    db.session.flush()
    application.notes.append(note)
    record_audit("application.noted", "application", application.id, actor=actor, after={"note": note.text})
    return note


def approve(application, *, actor, note=None, site_ids=None) -> Application:
    """Make the doctor: every check done, sites as approved; text the set-password link."""
    _ensure_not_own(actor, application)
    _lock_undecided(application)
    reasons = rules.checklist_reasons(application.checklist)
    if reasons:
        raise RuleRefused("Finish the checks before approving.", reasons=reasons)
    wanted = application.site_ids
    site_ids = wanted if site_ids is None else sorted(set(site_ids))
    if not site_ids or set(site_ids) - set(wanted):
        raise ValidationFailed("Some fields are not valid.", errors={
            "site_ids": ["Approve one or more of the hospitals the applicant asked for."]})
    doctor = create_person(email=application.email, name=application.name, password=None, roles=["doctor"],
                           site_ids=site_ids, grade=application.grade.code, mobile=application.mobile,
                           sms_opt_in=application.sms_opt_in, gmc_number=application.gmc_number,
                           esr_assignment_number=application.esr_assignment_number, actor=actor,
                           check_password=False, password_hash=welcome.unusable_password_hash())
    now = now_utc()
    for doc in application.documents:
        db.session.add(ComplianceDocument(user_id=doctor.id, kind=doc.kind, expires_on=doc.expires_on,
                                          created_by_id=actor.id, status="verified", verified_at=now,
                                          verified_by_id=actor.id, file_key=storage.copy(doc.file_key),
                                          content_type=doc.content_type, file_size=doc.file_size))
    _decide(application, status="approved", note=note, actor=actor, user_id=doctor.id, site_ids=site_ids)
    url = welcome.issue_link(doctor)
    text_number(application.mobile, kind="application_approved",
                body=texts.application_approved(url=url, hours=current_app.config["PASSWORD_LINK_HOURS"]))
    return application


def reject(application, *, actor, note) -> Application:
    """Turn the application down; the reason is texted to the applicant."""
    _ensure_not_own(actor, application)
    _lock_undecided(application)
    if not (note or "").strip():
        raise ValidationFailed("Say why the application is not accepted.",
                               errors={"note": ["Say why the application is not accepted: the applicant is told."]})
    _decide(application, status="rejected", note=note.strip(), actor=actor)
    text_number(application.mobile, kind="application_rejected",
                body=texts.application_rejected(note=note.strip(), url=public_url(status_path(application))))
    return application


def _decide(application, *, status, note, actor, **extra):
    application.status, application.decision_note = status, note
    application.decided_at, application.decided_by_id = now_utc(), actor.id
    if "user_id" in extra:
        application.user_id = extra["user_id"]
    db.session.flush()
    record_audit(f"application.{status}", "application", application.id, actor=actor,
                 before={"status": "submitted"}, after={"status": status, "note": note, **extra})


def redact_applications(user) -> list[str]:
    """The person's applications (the one that made their account, any other with their email) lose what
    identifies them and their uploads; returns the stored files' keys, for the caller to delete once it commits
    (``dataprotection``, before the person's own email is replaced)."""
    keys = []
    mine = db.or_(Application.user_id == user.id, Application.email == user.email)
    for application in db.session.execute(db.select(Application).where(mine)).scalars():
        keys += [doc.file_key for doc in application.documents]
        application.documents.clear()
        application.notes.clear()
        application.name, application.email = "Anonymised applicant", f"anonymised-{application.id}@invalid"
        application.mobile, application.gmc_number, application.specialties = "redacted", "0000000", []
        application.decision_note = None
    db.session.flush()
    return keys
