"""The shifts blueprint and what its doctor and coordinator pages share (paging, labels).

The doctor pages are in ``views.py``, the coordinator's in ``coordinator_views.py``;
both register their routes on ``bp``.
"""
from flask import Blueprint, request, url_for

from ..money import hours_str
from ..timeutil import BAND_LABELS, elapsed_minutes, spans_clock_change
from . import queries, rules, services

bp = Blueprint("shifts", __name__)


def clock_change_label(shift) -> str | None:
    """E.g. "Clocks go back: 13-hour night", for shifts spanning a clock change."""
    change = spans_clock_change(shift.start_at, shift.end_at)
    if change is None:
        return None
    hours = (shift.end_at - shift.start_at).total_seconds() / 3600
    length = f"{hours:g}-hour"
    kind = "night" if rules.is_night_shift(rules.Interval(shift.start_at, shift.end_at)) else "shift"
    return f"Clocks go {change}: {length} {kind}"


def shift_hours(shift) -> str:
    return hours_str(elapsed_minutes(shift.start_at, shift.end_at))


@bp.app_context_processor
def _shift_helpers():
    return {"shift_clock_label": clock_change_label, "shift_hours": shift_hours, "band_labels": BAND_LABELS,
            "shifts_home": queries, "page_size": queries.PAGE_SIZE, "cutoff_hours": cutoff_hours,
            "call_staffing": services.call_staffing}


def cutoff_hours(shift) -> int:
    """The site's cancel cut-off in whole hours (48 by default)."""
    return int(services.cancel_cutoff(shift.site).total_seconds() // 3600)


def cursor_arg(name) -> int | None:
    """A paging cursor from the query string (a shift id); anything else means the first page."""
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def page_links(endpoint, page, kept) -> dict:
    """Next/previous URLs for ``ui.pagination``, keeping the filters ``kept``."""
    return {"next_url": url_for(endpoint, **kept, after=page.next) if page.next else None,
            "prev_url": url_for(endpoint, **kept, before=page.previous) if page.previous else None}
