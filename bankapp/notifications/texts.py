"""The words of every SMS: short, plain English, site, date, time and a link.

Plain ASCII hyphens and apostrophes keep a text in the GSM alphabet (160
characters a part); a single en dash would switch it to UCS-2 (70).
"""
import re
from datetime import date, datetime
from decimal import Decimal

from ..timeutil import elapsed_minutes, format_span, spans_clock_change, to_london

STOP_FOOTER = "Reply STOP to opt out"
NOTE_IN_TEXT = 300  # characters of a shift's note quoted in a text; the link shows the rest


def _day(dt: datetime) -> str:
    local = to_london(dt)
    return f"{local:%a} {local.day} {local:%b}"


def _clock(dt: datetime) -> str:
    return to_london(dt).strftime("%H:%M")


def _duration(start: datetime, end: datetime) -> str:
    minutes = elapsed_minutes(start, end)
    hours, rest = divmod(minutes, 60)
    return f"{hours}h" if not rest else f"{hours}h{rest:02d}"


def span(start: datetime, end: datetime) -> str:
    """'Sat 24 Oct 08:00-20:00', or with both dates overnight: 'Sat 24 Oct 20:00-Sun 25 Oct 08:00'."""
    return format_span(start, end, day="%a %-d %b", joiner="-")


def when(start: datetime, end: datetime) -> str:
    """'Sat 24 Oct 20:00-Sun 25 Oct 08:00 (13h, clocks go back)'."""
    notes = [_duration(start, end)]
    change = spans_clock_change(start, end)
    if change:
        notes.append(f"clocks go {change}")
    return f"{span(start, end)} ({', '.join(notes)})"


def pounds(amount: Decimal) -> str:
    """£1,040 for whole pounds, £1,040.50 otherwise."""
    if amount == amount.to_integral_value():
        return f"£{amount:,.0f}"
    return f"£{amount:,.2f}"


def shift_alert(*, grade: str, site: str, start: datetime, end: datetime, url: str,
                estimate: Decimal | None = None, urgent: bool = False) -> str:
    price = f", {pounds(estimate)} est." if estimate is not None else "."
    lead = "Staff Bank (urgent)" if urgent else "Staff Bank"
    return f"{lead}: {grade} shift at {site}, {when(start, end)}{price} Claim: {url} {STOP_FOOTER}"


def booking_confirmed(*, site: str, start: datetime, end: datetime, url: str) -> str:
    return f"Staff Bank: you are booked at {site}, {when(start, end)}. Details: {url}"


def booking_cancelled(*, site: str, start: datetime, end: datetime, url: str) -> str:
    return (f"Staff Bank: sorry, the trust has cancelled your shift at {site}, {when(start, end)}. "
            f"You do not need to attend. Details: {url}")


# A re-pricing text names at most this many shifts, then says how many more.
REPRICED_LISTED = 3


def _estimate(amount: Decimal | None) -> str:
    return pounds(amount) if amount is not None else "not priced"


def bookings_repriced(*, changes: list[tuple[str, datetime, datetime, Decimal | None, Decimal | None]],
                      url: str) -> str:
    """A new card changed the estimate of booked shifts: (site, start, end, old total, new total) each."""
    if len(changes) == 1:
        site, start, end, old, new = changes[0]
        return (f"Staff Bank: a new rate card changes your pay for {site}, {when(start, end)}: "
                f"was {_estimate(old)}, now {_estimate(new)} est. Details: {url}")
    shown = [f"{_day(start)} {_clock(start)} {_estimate(old)} to {_estimate(new)}"
             for _site, start, _end, old, new in changes[:REPRICED_LISTED]]
    more = len(changes) - REPRICED_LISTED
    tail = f"; and {more} more" if more > 0 else ""
    return (f"Staff Bank: a new rate card changes your pay for {len(changes)} booked shifts (estimates): "
            f"{'; '.join(shown)}{tail}. Details: {url}")


def shift_note(*, site: str, start: datetime, end: datetime, note: str | None, url: str) -> str:
    """The booked doctor is told what the shift's note now says (or that it was removed)."""
    if note is None:
        return f"Staff Bank: the note on your shift at {site}, {span(start, end)} was removed. Details: {url}"
    if len(note) > NOTE_IN_TEXT:
        note = note[:NOTE_IN_TEXT - 3].rstrip() + "..."
    return f'Staff Bank: a note on your shift at {site}, {span(start, end)}: "{note}" Details: {url}'


def reminder(*, site: str, department: str, start: datetime, end: datetime, url: str) -> str:
    return f"Staff Bank reminder: your shift tomorrow at {site}, {department}, {when(start, end)}. Details: {url}"


def timesheet_chaser(*, site: str, start: datetime, end: datetime, url: str) -> str:
    return (f"Staff Bank: please submit your timesheet for {site}, {span(start, end)}, "
            f"so you are paid on time: {url}")


def approver_reminder(*, count: int, sites: list[str], cutoff: datetime, url: str) -> str:
    noun = "timesheet waits" if count == 1 else "timesheets wait"
    return (f"Staff Bank: {count} {noun} for your approval at {', '.join(sites)}. "
            f"Payroll cut-off {_day(cutoff)} {_clock(cutoff)}. Approve: {url}")


def doc_expiry(*, document: str, expires_on: date, days_left: int, url: str) -> str:
    day = f"{expires_on:%a} {expires_on.day} {expires_on:%b %Y}"
    span = "tomorrow" if days_left == 1 else ("today" if days_left <= 0 else f"in {days_left} days")
    return (f"Staff Bank: your {document} expires on {day} ({span}). "
            f"Renew it to keep booking shifts: {url}")


def password_reset(*, code: str, minutes: int) -> str:
    return (f"Staff Bank: your code to set a new password is {code}. It works for {minutes} minutes. "
            "If you did not ask for it, ignore this text: your password stays as it is.")


def hide_secret(body: str) -> str:
    """The text with its code (any run of 6 digits) replaced: what the outbox keeps once it has gone out."""
    return re.sub(r"\b\d{6}\b", "******", body)


def shift_invite(*, grade: str, site: str, start: datetime, end: datetime, url: str,
                 estimate: Decimal | None = None, urgent: bool = False, message: str | None = None) -> str:
    """A coordinator's invitation to claim a shift: the alert's words, with their own note first."""
    alert = shift_alert(grade=grade, site=site, start=start, end=end, url=url, estimate=estimate, urgent=urgent)
    if not message:
        return alert
    lead, _, rest = alert.partition(": ")
    return f"{lead}: {message.strip()} - {rest}"


def test_message() -> str:
    return f"Staff Bank: this is a test message. Shift alerts you choose will reach this number. {STOP_FOOTER}"


def inbound_reply(action: str, *, known: bool) -> str:
    """The TwiML reply to an inbound text."""
    if action == "stop":
        return "Staff Bank: you will get no more texts from us. Reply START to opt back in."
    if action == "start":
        return "Staff Bank: texts are back on. Choose your alerts in your profile. Reply STOP to opt out."
    if not known:
        return "Staff Bank: we do not recognise this number. Add it to your Staff Bank profile to get shift alerts."
    return "Staff Bank: this number cannot read replies. Manage alerts in your profile. Reply STOP to opt out."


# --- documents, joining the bank, working across sites -------------------------------------------------


def document_decided(*, document: str, verified: bool, note: str | None, url: str) -> str:
    if verified:
        return f"Staff Bank: your {document} is verified and counts for bookings. {url}"
    return f"Staff Bank: your {document} upload was not accepted: {note} Please upload it again: {url}"


def application_code(*, code: str, minutes: int) -> str:
    return (f"Staff Bank: your code to confirm your application is {code}. It works for {minutes} minutes. "
            f"If you did not apply, ignore this text.")


def application_received(*, url: str) -> str:
    return f"Staff Bank: thank you, your application to join the bank is with our staffing team. See where it is: {url}"


def application_approved(*, url: str, hours: int) -> str:
    return (f"Staff Bank: welcome to the bank! Set your password within {hours} hours with this link "
            f"(it works once): {url}")


def application_rejected(*, note: str, url: str) -> str:
    return f"Staff Bank: we cannot take your application to join the bank: {note} Details: {url}"


def site_request_received(*, site: str, url: str) -> str:
    return f"Staff Bank: we have your request to work at {site}. The staffing team will reply by text. {url}"


def site_request_decided(*, site: str, approved: bool, note: str | None, url: str) -> str:
    if approved:
        return f"Staff Bank: you can now work at {site}: its shifts are on your board. {url}"
    return f"Staff Bank: your request to work at {site} was not approved: {note} {url}"
