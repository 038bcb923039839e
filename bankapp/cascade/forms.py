"""Small helpers the cascade pages share: turning domain errors into field errors."""
from ..errors import DomainError

# Rule reason codes shown next to the field they are about.
REASON_FIELDS = {"grade_mismatch": "grade", "locum_on_bank": "gmc_number", "cascade_too_early": "reason"}


def errors_from(exc: DomainError) -> dict:
    """Field -> messages for a page, from a ValidationFailed or RuleRefused.

    Pages run the service in ``transactions.attempt()``, so whatever it flushed is already undone.
    """
    errors = {k: list(v) if isinstance(v, (list, tuple)) else [v] for k, v in (exc.errors or {}).items()}
    for reason in exc.reasons or ():
        errors.setdefault(REASON_FIELDS.get(reason.code, "_form"), []).append(reason.message)
    if not errors:
        errors["_form"] = [exc.detail]
    return errors
