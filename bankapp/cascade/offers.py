"""Agency offers: made by an agency, accepted by a coordinator, and, above the
price cap or off framework, approved by an executive ("break glass"); above
the chief executive's rate (``CHIEF_EXECUTIVE_ABOVE_RATE``, £100/h) only the
chief executive may approve, whatever the grade's cap.

A shift released to agencies stays claimable by bank doctors until an offer
is booked; the one-live-booking index on bookings settles any race between a
bank claim and an agency booking. Services flush and never commit.
"""
import logging
from decimal import Decimal

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_audit, record_breach
from ..auth import duties
from ..auth.permissions import require_site
from ..errors import Conflict, Forbidden, NotFound, RuleRefused, ValidationFailed, violated
from ..extensions import db
from ..fields import CHARGE_NOT_POSITIVE
from ..org.models import Grade
from ..rates.services import agency_cap_for
from ..shifts import lifecycle
from ..shifts.locking import lock_shift
from ..shifts.models import Booking
from ..staff.models import DoctorProfile
from ..timeutil import now_utc
from . import rules
from .models import AgencyOffer
from .services import close_live_offers, notify_agency, visible_shift_for_agency

log = logging.getLogger(__name__)


def chief_executive_rate() -> Decimal:
    """The £/h above which an agency shift needs the chief executive (``CHIEF_EXECUTIVE_ABOVE_RATE``)."""
    return Decimal(str(current_app.config["CHIEF_EXECUTIVE_ABOVE_RATE"]))


def offer_breaches(offer) -> list[str]:
    """The breaches booking ``offer`` is (or was), from the cap and framework status taken at acceptance."""
    return rules.breaches_for(charge_rate=offer.charge_rate, cap=offer.cap, on_framework=not offer.off_framework,
                              chief_executive_above=chief_executive_rate())


def required_role(offer) -> str | None:
    """``executive`` or ``chief_executive`` while the offer awaits approval, else None."""
    return rules.required_role(status=offer.status, charge_rate=offer.charge_rate,
                               chief_executive_above=chief_executive_rate())


OWN_ACCEPTANCE = "the request to book this locum (you accepted the offer)"


def may_decide(offer, actor) -> bool:
    """For pages: an executive who accepted the offer (as coordinator too) does not see the decide buttons."""
    return duties.may_decide(actor, requested_by_id=offer.accepted_by_id)


def make_offer(shift, *, actor, locum_name, gmc_number, grade, charge_rate, now=None) -> AgencyOffer:
    """An agency user offers a locum for a shift released to the agency's tier.

    ``shift`` is a Shift or its id. A shift the agency may not see is
    NotFound, whether or not it exists.
    ``grade`` is a grade code; ``charge_rate`` a Decimal in £/h.
    """
    agency = actor.agency
    if agency is None or not actor.has_role("agency"):
        raise Forbidden("Only an agency user can offer a locum.")
    shift = visible_shift_for_agency(getattr(shift, "id", shift), agency, now=now)
    errors = {}
    locum_name = (locum_name or "").strip()
    gmc_number = (gmc_number or "").strip()
    if not locum_name:
        errors["locum_name"] = ["Give the locum's full name."]
    if not gmc_number:
        errors["gmc_number"] = ["Give the locum's GMC number."]
    if charge_rate is None or charge_rate <= 0:
        errors["charge_rate"] = [CHARGE_NOT_POSITIVE]
    grade_row = db.session.execute(db.select(Grade).filter_by(code=grade)).scalar_one_or_none() if grade else None
    if grade_row is None:
        errors["grade"] = [f"Unknown grade: {grade}." if grade else "Choose the locum's grade."]
    if errors:
        raise ValidationFailed("Some fields are not valid.", errors=errors)
    on_bank = db.session.execute(db.select(DoctorProfile.user_id).filter_by(gmc_number=gmc_number)).first()
    refused = rules.offer_reasons(shift_grade_rank=shift.grade.rank, shift_grade_name=shift.grade.name,
                                  offered_grade_rank=grade_row.rank, offered_grade_name=grade_row.name,
                                  locum_on_bank=on_bank is not None)
    if refused:
        raise RuleRefused("This offer cannot be made.", reasons=refused)
    if db.session.execute(db.select(AgencyOffer.id).where(
            AgencyOffer.shift_id == shift.id, AgencyOffer.gmc_number == gmc_number,
            AgencyOffer.status.in_(("offered", "pending_executive_approval")))).first():
        raise Conflict("This locum has already been offered for this shift.")
    cap = agency_cap_for(shift)
    offer = AgencyOffer(shift_id=shift.id, agency_id=agency.id, offered_by_id=actor.id, locum_name=locum_name,
                        gmc_number=gmc_number, grade_id=grade_row.id, charge_rate=charge_rate, status="offered",
                        cap=cap, over_cap_amount=rules.over_cap_per_hour(charge_rate, cap),
                        off_framework=not agency.on_framework)
    db.session.add(offer)
    db.session.flush()
    record_audit("agency_offer.made", "agency_offer", offer.id, actor=actor,
                 after={"shift_id": shift.id, "agency_id": agency.id, "locum_name": locum_name,
                        "gmc_number": gmc_number, "grade": grade_row.code, "charge_rate": charge_rate,
                        "cap": cap, "off_framework": offer.off_framework})
    return offer


def _lock_offer(offer) -> AgencyOffer:
    return db.session.execute(
        db.select(AgencyOffer).where(AgencyOffer.id == offer.id).with_for_update(of=AgencyOffer)
        .execution_options(populate_existing=True)).unique().scalar_one()


def _lock_bookable_shift(offer):
    """Lock the shift; it must still be released to agencies and unbooked."""
    shift = lock_shift(offer.shift_id)
    if shift.status not in rules.RELEASED_STATUSES:
        raise Conflict("This shift is no longer available to agencies"
                       + (": it has been filled." if shift.status in ("booked", "completed") else "."))
    return shift


def accept_offer(offer, *, actor) -> AgencyOffer:
    """A coordinator of the site accepts an offer.

    Within the cap, on framework and at most the chief executive's rate it is
    booked at once; otherwise it waits for an executive, or above that rate the
    chief executive (``pending_executive_approval``), and the shift stays open
    to the bank and to other offers meanwhile.
    """
    require_site(actor, offer.shift.site_id, "coordinator")
    shift = _lock_bookable_shift(offer)
    offer = _lock_offer(offer)
    if offer.status != "offered":
        raise Conflict(f"This offer is {offer.status.replace('_', ' ')}; it can no longer be accepted.")
    cap = agency_cap_for(shift)
    offer.cap = cap
    offer.over_cap_amount = rules.over_cap_per_hour(offer.charge_rate, cap)
    offer.off_framework = not offer.agency.on_framework
    offer.accepted_by_id = actor.id
    offer.accepted_at = now_utc()
    breaches = offer_breaches(offer)
    if breaches:
        offer.status = "pending_executive_approval"
        db.session.flush()
        who = "the chief executive's" if required_role(offer) == "chief_executive" else "executive"
        notify_agency(offer, "offer_pending_approval",
                      f"Offer for {offer.locum_name} accepted by the trust, awaiting {who} approval.")
        record_audit("agency_offer.accepted_pending_approval", "agency_offer", offer.id, actor=actor,
                     before={"status": "offered"},
                     after={"status": offer.status, "breaches": breaches, "cap": cap,
                            "over_cap_amount": offer.over_cap_amount, "required_role": required_role(offer)})
        return offer
    record_audit("agency_offer.accepted", "agency_offer", offer.id, actor=actor, before={"status": "offered"},
                 after={"status": "accepted", "cap": cap})
    _book(offer, shift, actor=actor)
    return offer


def approve_offer(offer, *, actor, reason) -> AgencyOffer:
    """An executive breaks glass on patient-safety grounds; above the £/h line
    only the chief executive may, and never the person who accepted the offer
    (403 ``own_request``). Books the locum and records the breaches."""
    if not actor.has_role("executive", "chief_executive"):
        raise Forbidden("Only an executive can approve agency use above the cap or off framework.")
    duties.ensure_not_own(actor, requested_by_id=offer.accepted_by_id, what=OWN_ACCEPTANCE)
    reason = (reason or "").strip()
    if not reason:
        message = "Give the patient-safety reason for breaking the cap or framework rule."
        raise ValidationFailed(message, errors={"reason": [message]})
    limit = chief_executive_rate()
    needed = rules.approver_role_for(offer.charge_rate, limit)
    if needed == "chief_executive" and not actor.has_role("chief_executive"):
        raise Forbidden(f"Agency shifts above £{limit}/h need the chief executive's sign-off.")
    shift = _lock_bookable_shift(offer)
    offer = _lock_offer(offer)
    if offer.status != "pending_executive_approval":
        raise Conflict(f"This offer is {offer.status.replace('_', ' ')}; there is nothing to approve.")
    offer.approved_by_id = actor.id
    offer.approval_reason = reason
    record_audit("agency_offer.approved", "agency_offer", offer.id, actor=actor,
                 before={"status": "pending_executive_approval"},
                 after={"status": "accepted", "reason": reason, "required_role": needed})
    booking = _book(offer, shift, actor=actor)
    for breach in offer_breaches(offer):
        record_breach(breach, site_id=shift.site_id, shift_id=shift.id, approved_by=actor, reason=reason,
                      amount_over=rules.amount_over(breach, charge_rate=offer.charge_rate,
                                                    over_cap=offer.over_cap_amount, chief_executive_above=limit),
                      source_type="agency_offer", source_id=offer.id, at=offer.decided_at)
    log.info("break-glass approval of agency offer %s (booking %s) by user %s", offer.id, booking.id, actor.id)
    return offer


def decline_offer(offer, *, actor, reason=None) -> AgencyOffer:
    """A coordinator (an offer not yet accepted) or an executive (one awaiting
    approval) turns an offer down; the agency is told."""
    offer = _lock_offer(offer)
    if offer.status == "pending_executive_approval":
        if not actor.has_role("executive", "chief_executive"):
            raise Forbidden("Only an executive can decline an offer awaiting executive approval.")
        duties.ensure_not_own(actor, requested_by_id=offer.accepted_by_id, what=OWN_ACCEPTANCE)
    elif offer.status == "offered":
        require_site(actor, offer.shift.site_id, "coordinator")
    else:
        raise Conflict(f"This offer is {offer.status.replace('_', ' ')}; it can no longer be declined.")
    before = offer.status
    offer.status = "declined"
    offer.decided_at = now_utc()
    why = (reason or "").strip() or None
    notify_agency(offer, "offer_declined", f"Offer for {offer.locum_name} declined by the trust"
                  + (f": {why}" if why else "."))
    db.session.flush()
    record_audit("agency_offer.declined", "agency_offer", offer.id, actor=actor, before={"status": before},
                 after={"status": "declined", "reason": why})
    return offer


def _book(offer, shift, *, actor) -> Booking:
    """Book the locum (``lifecycle.book``); the offer is accepted and the shift's other offers declined."""
    booking = lifecycle.book(shift, actor=actor, offer=offer)
    offer.status = "accepted"
    offer.decided_at = now_utc()
    offer.booking_id = booking.id
    try:
        db.session.flush()
    except IntegrityError as exc:
        if violated(exc, "uq_agency_offers_one_accepted_per_shift", columns="agency_offers.shift_id"):
            raise Conflict("Another offer for this shift has already been accepted.") from exc
        raise
    notify_agency(offer, "offer_accepted", f"Offer for {offer.locum_name} accepted: the shift is booked.")
    close_live_offers(shift.id, status="declined", kind="offer_declined",
                      message="Offer declined: another offer was accepted.", actor=actor, keep=offer)
    return booking


def offer_or_404(offer_id) -> AgencyOffer:
    offer = db.session.get(AgencyOffer, offer_id)
    if offer is None:
        raise NotFound("No such offer.")
    return offer
