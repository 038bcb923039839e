"""Working across sites: a doctor asks to work at another site; staffing or a coordinator of it decides.

Approval records the day of the doctor's site induction and adds the site to
the doctor's sites (``user_sites``), so its shifts appear on their board and
they can claim them (the claim checks read the same sites). A doctor with no
site links already works at every site and has nothing to ask. Nobody decides
a request about themselves. The doctor is texted at each step; every step is
audited.
"""
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_audit
from ..auth.duties import ensure_not_own
from ..auth.models import UserSite
from ..errors import Conflict, NotFound, RuleRefused, ValidationFailed, violated
from ..extensions import db
from ..notifications import texts
from ..notifications.services import enqueue_for_user, public_url
from ..org.models import Site
from ..timeutil import london_date, now_utc
from . import queues
from .models import SiteRequest

DECIDERS = ("staffing", "coordinator")
MY_SITES_PATH = "/me/sites"


def request_site(doctor, *, site_id, actor) -> SiteRequest:
    site = db.session.get(Site, site_id)
    if site is None:
        raise ValidationFailed("Some fields are not valid.", errors={"site_id": ["Choose a hospital from the list."]})
    if not doctor.site_ids or site_id in doctor.site_ids:
        raise RuleRefused("You can already work there.", reasons=[{
            "code": "already_enabled", "message": f"You can already work at {site.name}."}])
    req = SiteRequest(doctor_id=doctor.id, site_id=site_id, status="pending")
    try:
        with db.session.begin_nested():
            db.session.add(req)
            db.session.flush()
    except IntegrityError as exc:
        if violated(exc, "uq_site_requests_one_pending", columns="site_requests.doctor_id, site_requests.site_id"):
            raise Conflict(f"You have already asked to work at {site.name}: the staffing team will reply.") from None
        raise
    record_audit("site_request.created", "site_request", req.id, actor=actor,
                 after={"doctor_id": doctor.id, "site_id": site_id})
    enqueue_for_user(doctor, kind="site_request", body=texts.site_request_received(
        site=site.name, url=public_url(MY_SITES_PATH)))
    return req


def requests_of(doctor_id) -> list[SiteRequest]:
    return db.session.execute(db.select(SiteRequest).filter_by(doctor_id=doctor_id)
                              .order_by(SiteRequest.id.desc())).scalars().all()


def _scope(actor):
    return SiteRequest.site_id.in_(actor.site_ids or [-1])


def queue(actor, *, status=None, cursor=None, limit=200, by_age=False) -> list[SiteRequest]:
    """Requests for the actor's sites in the order they came (``by_age``: the longest waiting first)."""
    return queues.queue(SiteRequest, _scope(actor), status=status, cursor=cursor, limit=limit, by_age=by_age)


def request_for(actor, request_id) -> SiteRequest:
    req = db.session.execute(db.select(SiteRequest).where(SiteRequest.id == request_id, _scope(actor))
                             ).scalar_one_or_none()
    if req is None:
        raise NotFound("No such site request.")
    return req


def decide(req, *, approve: bool, note=None, induction_on=None, actor) -> SiteRequest:
    ensure_not_own(actor, concerns_user_id=req.doctor_id, what="this site request")
    if req.status != "pending":
        raise Conflict(f"This request was already {req.status}.")
    note = (note or "").strip() or None
    errors = {}
    if approve and induction_on is None:
        errors["induction_on"] = ["Enter the day the doctor completed the site's induction."]
    elif approve and induction_on > london_date(now_utc()):
        errors["induction_on"] = ["The induction day cannot be in the future: approve once it is done."]
    if not approve and note is None:
        errors["note"] = ["Say why the request is not approved: the doctor is told."]
    if errors:
        raise ValidationFailed("Some fields are not valid.", errors=errors)
    req.status = "approved" if approve else "rejected"
    req.decision_note, req.decided_at, req.decided_by_id = note, now_utc(), actor.id
    if approve:
        req.induction_on = induction_on
        if req.site_id not in req.doctor.site_ids:
            req.doctor.site_links.append(UserSite(site_id=req.site_id))
    db.session.flush()
    record_audit(f"site_request.{req.status}", "site_request", req.id, actor=actor, before={"status": "pending"},
                 after={"status": req.status, "note": note, "induction_on": induction_on})
    enqueue_for_user(req.doctor, kind="site_request", body=texts.site_request_decided(
        site=req.site.name, approved=approve, note=note, url=public_url(MY_SITES_PATH)))
    return req
