"""Password rules (pure: no Flask, no database).

One check for every way a password is set — the create-user command, the
admin's people pages, ``POST /api/v1/users``, changing one's own password and
any reset — so the rules and their wording are the same everywhere:

- at least ``MIN_LENGTH`` characters (and at most ``MAX_LENGTH``: the
  strength estimate's cost grows with the length);
- not weak or common, as the zxcvbn strength estimator judges it (Dropbox's
  model of how attackers guess: dictionaries, common passwords, keyboard
  patterns, repeats, dates, l33t) — a score of at least ``MIN_SCORE`` of 4;
- not containing the name of the person's email address (``alex.morgan`` of
  ``alex.morgan@trust.nhs.uk``, or a part of it of 4 letters or more).

Every problem is listed, each saying why, in the order a person fixes them.
"""
import re

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn: 3 "safely unguessable", about 10^8 guesses or more
MIN_NAME_PART = 4
# Words of this product an attacker would try first, whatever the person.
PRODUCT_WORDS = ("staffbank", "staff bank", "nhs")


def email_names(email: str | None) -> list[str]:
    """The name of an email address and its parts worth guarding: ``alex.morgan`` → alexmorgan, alex, morgan."""
    local = (email or "").split("@", 1)[0].lower()
    parts = [p for p in re.split(r"[^a-z0-9]+", local) if len(p) >= MIN_NAME_PART]
    whole = re.sub(r"[^a-z0-9]", "", local)
    return list(dict.fromkeys(([whole] if len(whole) >= 3 else []) + parts))


def _contains_email_name(password: str, email: str | None) -> str | None:
    plain = re.sub(r"[^a-z0-9]", "", password.lower())
    for name in email_names(email):
        if name in plain:
            return name
    return None


def _too_guessable(password: str, email: str | None) -> str | None:
    """Why zxcvbn thinks the password is easy to guess, or None."""
    result = zxcvbn(password, user_inputs=[*email_names(email), *PRODUCT_WORDS])
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result["feedback"]
    why = [feedback.get("warning") or "it is a common word or pattern.", *feedback.get("suggestions", [])]
    sentences = " ".join(_sentence(s) for s in why if s)
    return f"This password is too easy to guess: {sentences[0].lower()}{sentences[1:]}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def password_problems(password: str | None, *, email: str | None = None) -> list[str]:
    """Every reason ``password`` may not be used by the person with ``email`` (empty: it may)."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return [f"Use at least {MIN_LENGTH} characters."]
    if len(password) > MAX_LENGTH:
        return [f"Use at most {MAX_LENGTH} characters."]
    problems = []
    name = _contains_email_name(password, email)
    if name:
        problems.append(f"Do not use the name from the email address (\u201c{name}\u201d) in the password.")
    weak = _too_guessable(password, email)
    if weak:
        problems.append(weak)
    return problems
