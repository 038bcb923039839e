"""Template filters and globals: London times, money, labels, navigation."""
from .auth.models import ROLE_LABELS
from .money import hours_from_minutes
from .nav import nav_items
from .timeutil import PEOPLE_FORMAT, format_london, format_span, london_text, now_utc, times_in_words


def london(dt, fmt=None):
    """A datetime as London wall-clock text for people (e.g. 'Sat 24 Oct 2026 20:00')."""
    return london_text(dt, fmt or PEOPLE_FORMAT)


def shift_when(shift, day="%a %-d %b", between=" ", joiner=" to "):
    """A shift's start and end as London text, the end's date included when it falls on another day."""
    return format_span(shift.start_at, shift.end_at, day=day, between=between, joiner=joiner)


def london_iso(dt):
    return format_london(dt) if dt else ""


def money(value):
    if value is None:
        return ""
    return f"£{value:,.2f}"


def hours(minutes):
    """Minutes as hours for people: ``1,234.50`` (two decimals, as the CSV gives them without the commas)."""
    if minutes is None:
        return ""
    return f"{hours_from_minutes(int(minutes)):,}"


def register(app):
    app.jinja_env.filters["london"] = london
    app.jinja_env.filters["london_iso"] = london_iso
    app.jinja_env.filters["shift_when"] = shift_when
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["hours"] = hours
    app.jinja_env.filters["times_in_words"] = times_in_words
    app.jinja_env.globals["ROLE_LABELS"] = ROLE_LABELS
    app.jinja_env.globals["now_utc"] = now_utc  # the one clock (timeutil), for "ends" / "ended"

    @app.context_processor
    def _nav():
        return {"nav_items": nav_items()}
