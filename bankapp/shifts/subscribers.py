"""Shifts' answers to other features' events, in the emitter's transaction."""
from ..events import subscribe
from ..timeutil import now_utc
from .repricing import reprice_for_card


@subscribe("rate_card.published")
def reprice_booked_shifts(card, actor=None, **_):
    """A new card prices the booked shifts that start in its reign: their doctors are told."""
    reprice_for_card(card, actor=actor, now=now_utc())
