"""Template filters and globals: London times, money, labels, navigation."""
from .auth.models import ROLE_LABELS
from .nav import nav_items
from .timeutil import format_london, format_span, now_utc, to_london


def london(dt, fmt="%a %-d %b %Y %H:%M"):
    """A datetime as London wall-clock text for people (e.g. 'Sat 24 Oct 2026 20:00')."""
    if dt is None:
        return ""

    return to_london(dt).strftime(fmt)


def shift_when(shift, day="%a %-d %b", between=" ", joiner=" to "):
    """A shift's start and end as London text, the end's date included when it falls on another day."""
    return format_span(shift.start_at, shift.end_at, day=day, between=between, joiner=joiner)


def london_iso(dt):
    return format_london(dt) if dt else ""


def money(value):
    if value is None:
        return ""
    return f"£{value:,.2f}"


def register(app):
    app.jinja_env.filters["london"] = london
    app.jinja_env.filters["london_iso"] = london_iso
    app.jinja_env.filters["shift_when"] = shift_when
    app.jinja_env.filters["money"] = money
    app.jinja_env.globals["ROLE_LABELS"] = ROLE_LABELS
    app.jinja_env.globals["now_utc"] = now_utc  # the one clock (timeutil), for "ends" / "ended"

    @app.context_processor
    def _nav():
        return {"nav_items": nav_items()}
