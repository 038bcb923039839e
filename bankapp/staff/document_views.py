"""Pages for documents: a doctor's "My documents" (with uploads), the file itself, and the verification queue."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from ..auth.duties import may_decide
from ..auth.permissions import page_roles
from ..errors import DomainError
from ..forms import domain_errors
from ..nav import register_nav
from ..transactions import attempt
from . import verification
from .documents import DOCUMENT_LABELS, DOCUMENT_WORDS, KIND_OPTIONS, KIND_STATUS_LABELS
from .files import file_response
from .uploads import ACCEPTED_TYPES, size_text

bp = Blueprint("documents", __name__)

register_nav("My documents", "documents.mine", "doctor", order=40)
register_nav("Documents to verify", "documents.queue", *verification.DECIDERS, order=71)


def _render_mine(*, errors=None, form=None, status=200):
    return render_template("staff/my_documents.html", rows=verification.overview(g.actor.id), errors=errors or {},
                           form=form or {}, labels=DOCUMENT_LABELS, status_labels=KIND_STATUS_LABELS,
                           kind_options=KIND_OPTIONS
                           ), status


@bp.get("/me/documents")
@page_roles("doctor")
def mine():
    return _render_mine(form={"kind": request.args.get("kind", "")})


@bp.post("/me/documents")
@page_roles("doctor")
def upload():
    form = {"kind": request.form.get("kind", ""), "expires_on": request.form.get("expires_on", "")}
    values, errors = verification.read_upload(request.form, request.files)
    if not errors:
        try:
            with attempt():
                doc = verification.upload_document(g.actor, **values, actor=g.actor)
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            flash(f"Your {DOCUMENT_WORDS[doc.kind]} is uploaded. It counts for bookings once the staffing team has "
                  f"verified it.", "success")
            return redirect(url_for("documents.mine"))
    return _render_mine(errors=errors, form=form, status=422)


@bp.get("/documents/<int:document_id>/file")
@page_roles("doctor", *verification.DECIDERS)
def file(document_id):
    return file_response(verification.document_for(g.actor, document_id))


@bp.get("/staffing/documents")
@page_roles(*verification.DECIDERS)
def queue():
    return _render_queue()


def _render_queue(errors=None, status=200):
    docs = verification.queue(g.actor)
    return render_template("staff/document_queue.html", docs=docs, labels=DOCUMENT_LABELS, size_text=size_text,
                           type_labels=ACCEPTED_TYPES, errors=errors or {},
                           may_decide=lambda d: may_decide(g.actor, requested_by_id=d.created_by_id,
                                                           concerns_user_id=d.user_id)), status


@bp.post("/staffing/documents/<int:document_id>/<any(verify, reject):action>")
@page_roles(*verification.DECIDERS)
def decide(document_id, action):
    doc = verification.document_for(g.actor, document_id, deciding=True)
    note = request.form.get(f"note-{doc.id}", "").strip() or None
    decide_fn = verification.verify_document if action == "verify" else verification.reject_document
    try:
        with attempt():
            decide_fn(doc, note=note, actor=g.actor)
    except DomainError as exc:
        field = f"note-{doc.id}" if "note" in (exc.errors or {}) else "_form"
        return _render_queue(errors={field: [m for msgs in domain_errors(exc).values() for m in msgs]},
                             status=exc.status)
    done = "verified" if action == "verify" else "not accepted"
    flash(f"{doc.user.name}'s {DOCUMENT_WORDS[doc.kind]} is {done}.", "success")
    return redirect(url_for("documents.queue"))


@bp.app_context_processor
def _document_helpers():
    """``documents_expiring()`` for the doctor's home banner: kinds expiring within 30 days (or expired)."""

    def documents_expiring():
        if not current_user.is_authenticated or not current_user.has_role("doctor"):
            return []
        return verification.expiring_soon(current_user.id)

    return {"documents_expiring": documents_expiring, "document_labels": DOCUMENT_LABELS,
            "document_words": DOCUMENT_WORDS}
