"""A doctor's own documents: uploads of renewal evidence, and their verification by staffing or an admin.

An upload is checked (``uploads``: PDF, JPEG or PNG up to 10 MB, judged by
its bytes) before anything is stored; it is then kept by ``storage`` under a
random key and recorded as ``awaiting_verification``. Staffing of the
doctor's sites (every staffing team, for a doctor who may work at every site)
or an admin verifies or rejects it with a note; nobody decides a document of
their own (``auth.duties``). Only verified documents count for claims and
alerts. Every step is audited and the doctor is texted the outcome.
"""
from datetime import timedelta

from ..audit.services import record_audit
from ..auth.duties import ensure_not_own
from ..auth.models import UserSite
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..forms import load_form
from ..notifications import texts
from ..notifications.services import enqueue_for_user, public_url
from ..timeutil import london_date, now_utc
from . import storage
from .documents import DOCUMENT_KINDS, DOCUMENT_WORDS, EXPIRY_WARNING_DAYS, kind_state
from .models import ComplianceDocument
from .schemas import UPLOAD_MISSING, DocumentUploadSchema
from .uploads import checked_file, upload_problem

DECIDERS = ("staffing", "admin")
MY_DOCUMENTS_PATH = "/me/documents"


def check_upload(*, content, expires_on, today=None) -> dict:
    """Field → messages for an upload's file and expiry date ({} when both are fine)."""
    errors = {}
    problem = upload_problem(content)
    if problem:
        errors["file"] = [problem]
    if expires_on is not None and expires_on < (today or london_date(now_utc())):
        errors["expires_on"] = ["The expiry date is in the past: upload a document that is still valid."]
    return errors


def read_upload(form, files, *, today=None) -> tuple[dict | None, dict]:
    """A posted upload (form fields and files, page or API alike) as ``(values, {})`` or ``(None, errors)``.

    Every field is judged at once: the kind, the expiry date and the file (read
    whole; the request limit has already capped its size)."""
    values, errors = load_form(DocumentUploadSchema(), form, UPLOAD_MISSING)
    upload = files.get("file")
    content = upload.read() if upload is not None and upload.filename != "" else b""
    file_errors = check_upload(content=content, expires_on=(values or {}).get("expires_on"), today=today)
    errors = {**errors, **file_errors}
    if errors:
        return None, errors
    return {**values, "content": content}, {}


def store_upload(content) -> tuple[str, str, int]:
    """Keep a checked upload; (key, content type, size). Call ``check_upload`` first."""
    checked = checked_file(content)
    return storage.store(checked.content), checked.content_type, checked.size


def upload_document(doctor, *, kind, expires_on, content, actor) -> ComplianceDocument:
    """A doctor's new evidence for ``kind``: stored, then ``awaiting_verification``. Nothing is stored on a 422."""
    errors = check_upload(content=content, expires_on=expires_on)
    if errors:
        raise ValidationFailed("The upload was not accepted.", errors=errors)
    key, content_type, size = store_upload(content)
    doc = ComplianceDocument(user_id=doctor.id, kind=kind, expires_on=expires_on, created_by_id=actor.id,
                             status="awaiting_verification", file_key=key, content_type=content_type,
                             file_size=size)
    db.session.add(doc)
    db.session.flush()
    record_audit("document.uploaded", "compliance_document", doc.id, actor=actor,
                 after={"user_id": doctor.id, "kind": kind, "expires_on": expires_on, "content_type": content_type,
                        "size": size})
    return doc


def _decide(doc, *, status, note, actor, event_name):
    ensure_not_own(actor, requested_by_id=doc.created_by_id, concerns_user_id=doc.user_id, what="this document")
    if doc.status != "awaiting_verification":
        raise Conflict(f"This document was already {doc.status.replace('_', ' ')}.")
    doc.status = status
    doc.decision_note = note
    if status == "verified":
        doc.verified_at, doc.verified_by_id = now_utc(), actor.id
    db.session.flush()
    record_audit(event_name, "compliance_document", doc.id, actor=actor,
                 before={"status": "awaiting_verification"}, after={"status": status, "note": note})
    body = texts.document_decided(document=DOCUMENT_WORDS[doc.kind], verified=status == "verified", note=note,
                                  url=public_url(MY_DOCUMENTS_PATH))
    enqueue_for_user(doc.user, kind="document_decision", body=body)
    return doc


def verify_document(doc, *, note=None, actor) -> ComplianceDocument:
    """Staffing or an admin saw the evidence: the document now counts for claims."""
    return _decide(doc, status="verified", note=note, actor=actor, event_name="document.verified")


def reject_document(doc, *, note, actor) -> ComplianceDocument:
    """The evidence is not acceptable; the note tells the doctor why (they may upload again)."""
    if not (note or "").strip():
        raise ValidationFailed("Say why the document is not accepted.",
                               errors={"note": ["Say why the document is not accepted."]})
    return _decide(doc, status="rejected", note=note.strip(), actor=actor, event_name="document.rejected")


# --- reading ------------------------------------------------------------------------------------


def overview(user_id, today=None) -> list[dict]:
    """Every kind, in the one order, with where it stands (``documents.kind_state``) — one query."""
    today = today or london_date(now_utc())
    rows = db.session.execute(db.select(ComplianceDocument).filter_by(user_id=user_id)).scalars().all()
    return [{"kind": kind, **kind_state([d for d in rows if d.kind == kind], today)} for kind in DOCUMENT_KINDS]


def expiring_soon(user_id, today=None) -> list[dict]:
    """The kinds whose counting document has expired or expires within 30 days: the home page's banner."""
    today = today or london_date(now_utc())
    last_day = today + timedelta(days=EXPIRY_WARNING_DAYS)
    return [row for row in overview(user_id, today)
            if row["valid_until"] is not None and row["valid_until"] <= last_day]


def _doctor_in_scope(actor, doctor_id):
    """SQL condition: ``doctor_id`` may work at one of the actor's sites, or everywhere (no site links)."""
    own = set(actor.site_ids)
    any_site = db.exists().where(UserSite.user_id == doctor_id)
    mine = db.exists().where(UserSite.user_id == doctor_id, UserSite.site_id.in_(own or [-1]))
    return db.or_(~any_site, mine)


def may_decide(actor, doc) -> bool:
    """Staffing of the doctor's sites, or an admin (whether they decide their own is ``auth.duties``)."""
    if actor.has_role("admin"):
        return True
    if not actor.has_role("staffing"):
        return False
    doctor_sites = set(doc.user.site_ids)
    return not doctor_sites or bool(doctor_sites & set(actor.site_ids))


def may_see(actor, doc) -> bool:
    """The doctor, staffing of their sites and admins: nobody else sees a document or its file."""
    return actor is not None and (doc.user_id == actor.id or may_decide(actor, doc))


def document_for(actor, document_id, *, deciding=False) -> ComplianceDocument:
    """The document, or 404 for anyone who may not see it (or decide it, with ``deciding``)."""
    doc = db.session.get(ComplianceDocument, document_id)
    allowed = doc is not None and (may_decide(actor, doc) if deciding else may_see(actor, doc))
    if not allowed:
        raise NotFound("No such document.")
    return doc


def queue(actor, *, status="awaiting_verification", limit=200) -> list[ComplianceDocument]:
    """Uploads in ``status`` the actor may decide, oldest first."""
    stmt = (db.select(ComplianceDocument).where(ComplianceDocument.status == status,
                                                ComplianceDocument.file_key.is_not(None))
            .order_by(ComplianceDocument.created_at, ComplianceDocument.id).limit(limit))
    if not actor.has_role("admin"):
        stmt = stmt.where(_doctor_in_scope(actor, ComplianceDocument.user_id))
    return db.session.execute(stmt).scalars().all()
