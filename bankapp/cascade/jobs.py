"""Scheduled work of the cascade (listed in bankapp/jobs.py)."""
from . import services


def escalate_to_tier2(now) -> dict:
    """Shifts still with tier 1 only after TIER1_WINDOW_HOURS go to tier 2. Safe to run twice."""
    return {"released to tier 2": len(services.escalate_to_tier2(now))}
