"""Separation of duties: nobody decides a request they made or one that concerns themselves.

One rule for every decide action, pages and API alike (rate violations, cascade
requests, timesheets, over-cap or off-framework agency offers, applications,
documents, site requests). A refusal is 403 with the reason ``own_request``.
"""
from ..errors import Forbidden

OWN_REQUEST = "own_request"


def own_request_reason(actor, *, requested_by_id=None, concerns_user_id=None, what="this request") -> dict | None:
    """The ``own_request`` reason when ``actor`` made the request or it concerns them, else None."""
    if actor is None:
        return None
    if concerns_user_id is not None and concerns_user_id == actor.id:  # said first: a doctor submits their own
        return {"code": OWN_REQUEST, "message": f"{what[0].upper()}{what[1:]} is about you: someone else must "
                                                f"decide it."}
    if requested_by_id is not None and requested_by_id == actor.id:
        return {"code": OWN_REQUEST, "message": f"You made {what}: someone else must decide it."}
    return None


def ensure_not_own(actor, *, requested_by_id=None, concerns_user_id=None, what="this request") -> None:
    """403 ``own_request`` when ``actor`` may not decide: they made the request or it concerns them."""
    reason = own_request_reason(actor, requested_by_id=requested_by_id, concerns_user_id=concerns_user_id, what=what)
    if reason is not None:
        raise Forbidden(reason["message"], reasons=[reason])


def may_decide(actor, *, requested_by_id=None, concerns_user_id=None) -> bool:
    """For pages: show the decide buttons only to someone who may use them."""
    return own_request_reason(actor, requested_by_id=requested_by_id, concerns_user_id=concerns_user_id) is None


def is_own_request(exc) -> bool:
    """Whether a refusal (a DomainError) was this rule's: pages show its message instead of an error page."""
    return any((r.get("code") if isinstance(r, dict) else getattr(r, "code", None)) == OWN_REQUEST
               for r in getattr(exc, "reasons", None) or ())
