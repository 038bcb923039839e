"""Scheduled work of the marketplace (listed in bankapp/jobs.py)."""
import logging

from . import lifecycle

log = logging.getLogger(__name__)


def complete_worked_shifts(now) -> dict:
    """Booked shifts whose end has passed become ``completed``. Safe to run twice."""
    ids = lifecycle.complete_worked(now)
    if ids:
        log.info("marked %d worked shifts completed", len(ids))
    return {"completed": len(ids)}
