"""Joining the bank and working across sites: the states, the checklist, and the arithmetic. Pure."""
from datetime import datetime, timedelta
from statistics import median

# awaiting_mobile → submitted (the SMS code confirmed the mobile) → approved | rejected. An application
# still awaiting its mobile after LAPSE_AFTER lapses when the same email or GMC number applies again.
APPLICATION_STATUSES = ("awaiting_mobile", "submitted", "approved", "rejected", "lapsed")
LIVE_STATUSES = ("awaiting_mobile", "submitted")
LAPSE_AFTER = timedelta(hours=24)
SITE_REQUEST_STATUSES = ("pending", "approved", "rejected")

CODE_DIGITS = 6
# Staffing's checks before an application may be approved, in the order the page shows them.
CHECKLIST = {
    "documents_verified": "Documents verified",
    "references_recorded": "Two references recorded",
    "right_to_work_and_id_seen": "Right to work and ID seen",
    "grade_confirmed": "Grade confirmed",
}

# One message for every refusal of a repeat: it must not tell whether the email (or GMC number) already
# belongs to an account, only that this application cannot go ahead and what to do instead.
REPEAT_MESSAGE = ("We cannot take a new application with these details. If you have applied already, use the link "
                  "in our texts to see where it is; if you already work on the bank, log in; otherwise contact "
                  "the staffing team.")


def checklist_reasons(checklist: dict) -> list[dict]:
    """Every check not yet done, as refusal reasons for an approval (empty: it may be approved)."""
    return [{"code": f"checklist_{item}", "message": f"Not done yet: {label.lower()}."}
            for item, label in CHECKLIST.items() if not checklist.get(item)]


def code_refusal(*, code_matches: bool, tries: int, max_tries: int, expired: bool) -> str | None:
    """Why a confirmation code is refused (None: accepted). ``tries``: wrong tries before this one."""
    if tries >= max_tries:
        return "This code has been tried too many times. Ask for a new code."
    if expired:
        return "This code has expired. Ask for a new code."
    if not code_matches:
        left = max_tries - tries - 1
        if left <= 0:
            return "The code is not right, and it has now been tried too many times. Ask for a new code."
        tries_left = f"{left} {'try' if left == 1 else 'tries'} left"
        return f"The code is not right. Check the text we sent and try again ({tries_left})."
    return None


def has_lapsed(status: str, created_at: datetime, now: datetime) -> bool:
    return status == "awaiting_mobile" and now - created_at >= LAPSE_AFTER


def median_days(pairs) -> float | None:
    """The median of whole and part days from each (applied, approved) pair, to one decimal; None without any."""
    days = [(approved - applied).total_seconds() / 86400 for applied, approved in pairs]
    return round(median(days), 1) if days else None


def eligible_site_count(link_count: int, all_sites: int) -> int:
    """How many sites a doctor may work at: their site links, or every site when they have none."""
    return link_count or all_sites


def eligibility_band(count: int) -> str:
    """'1', '2' or '3+' sites."""
    return "3+" if count >= 3 else str(count)
