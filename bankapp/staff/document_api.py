"""A doctor's own documents and their verification: /api/v1/me/documents, /api/v1/documents/…"""
from flask import g, request
from flask_smorest import Blueprint

from ..apiutil import list_schema
from ..auth.permissions import api_auth
from ..errors import ValidationFailed
from ..rates.schemas import DecisionSchema
from . import verification
from .files import file_response
from .schemas import (
    UPLOAD_BODY,
    DocumentQueueQuerySchema,
    MyDocumentListSchema,
    UploadedDocumentSchema,
)

blp = Blueprint("documents_api", __name__, url_prefix="/api/v1",
                description="A doctor's own compliance documents: every kind with its status, uploads of renewal "
                            "evidence, and their verification by staffing of the doctor's sites or an admin. "
                            "Only verified documents count for claims.")
SECURITY = [{"bearerAuth": []}]


@blp.get("/me/documents")
@blp.response(200, MyDocumentListSchema)
@blp.doc(security=SECURITY)
@api_auth("doctor")
def my_documents():
    """Every kind of compliance document with where it stands: `valid`, `expiring` (30 days or fewer left),
    `expired`, `missing`, `awaiting_verification` (a newer upload waits) or `rejected` (the newest upload was
    not accepted: `note` says why). `valid_until` is the expiry of the verified document that counts."""
    return {"items": verification.overview(g.actor.id), "next": None}


@blp.post("/me/documents")
@blp.response(201, UploadedDocumentSchema)
@blp.alt_response(413, description="Larger than 10 MB")
@blp.doc(security=SECURITY, requestBody=UPLOAD_BODY)
@api_auth("doctor")
def upload_my_document():
    """Upload renewal evidence (`multipart/form-data`: `kind`, `expires_on`, `file`). The file must be a PDF,
    JPEG or PNG of at most 10 MB, judged by its content: anything else is 422 naming the field, and nothing is
    stored. The document is `awaiting_verification` until staffing or an admin verifies it."""
    values, errors = verification.read_upload(request.form, request.files)
    if errors:
        raise ValidationFailed("The upload was not accepted.", errors=errors)
    return verification.upload_document(g.actor, **values, actor=g.actor)


@blp.get("/documents")
@blp.arguments(DocumentQueueQuerySchema, location="query")
@blp.response(200, list_schema(UploadedDocumentSchema, "UploadedDocumentList"))
@blp.doc(security=SECURITY)
@api_auth(*verification.DECIDERS)
def document_queue(query):
    """Uploads in a status (default `awaiting_verification`), oldest first: for staffing, those of doctors who
    may work at one of its sites (or at every site); for admins, all."""
    return {"items": verification.queue(g.actor, status=query["status"]), "next": None}


@blp.post("/documents/<int:document_id>/verify")
@blp.arguments(DecisionSchema)
@blp.response(200, UploadedDocumentSchema)
@blp.alt_response(409, description="Already decided")
@blp.doc(security=SECURITY)
@api_auth(*verification.DECIDERS)
def verify(body, document_id):
    """The evidence is right: the document counts for claims from now. Not for one's own document (403
    `own_request`)."""
    doc = verification.document_for(g.actor, document_id, deciding=True)
    return verification.verify_document(doc, note=body.get("note"), actor=g.actor)


@blp.post("/documents/<int:document_id>/reject")
@blp.arguments(DecisionSchema)
@blp.response(200, UploadedDocumentSchema)
@blp.alt_response(409, description="Already decided")
@blp.doc(security=SECURITY)
@api_auth(*verification.DECIDERS)
def reject(body, document_id):
    """The evidence is not acceptable; `note` (required) is texted to the doctor."""
    doc = verification.document_for(g.actor, document_id, deciding=True)
    return verification.reject_document(doc, note=body.get("note"), actor=g.actor)


@blp.get("/documents/<int:document_id>/file")
@blp.response(200, description="The uploaded file (PDF, JPEG or PNG)")
@blp.doc(security=SECURITY, responses={"200": {"content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}}}})
@api_auth("doctor", *verification.DECIDERS)
def document_file(document_id):
    """The file: only for the doctor, staffing of their sites and admins (404 for anyone else)."""
    return file_response(verification.document_for(g.actor, document_id))
