"""The compliance documents a bank doctor must hold to book, and how the product names them.

One list, one wording: ``DOCUMENT_WORDS`` is how a document is named inside a
sentence ("your right to work check expires…"), ``DOCUMENT_LABELS`` the same
words as a heading or a list item ("Right to work check"). Pure: no Flask, no DB.
"""

DOCUMENT_WORDS = {
    "gmc_licence": "GMC licence to practise",
    "dbs": "DBS check",
    "right_to_work": "right to work check",
    "mandatory_training": "mandatory training",
    "occupational_health": "occupational health clearance",
}
DOCUMENT_KINDS = tuple(DOCUMENT_WORDS)
DOCUMENT_LABELS = {kind: words[0].upper() + words[1:] for kind, words in DOCUMENT_WORDS.items()}
# The choices of a form's "Document" select, with its empty first option.
KIND_OPTIONS = [("", "Choose a document")] + [(kind, DOCUMENT_LABELS[kind]) for kind in DOCUMENT_KINDS]

# Where a document stands in its check: an upload waits for staffing or an admin; only verified ones count.
DOCUMENT_STATUSES = ("awaiting_verification", "verified", "rejected")

# A verified document within this many days of its expiry is "expiring" (and the doctor's home says so).
EXPIRY_WARNING_DAYS = 30
# What a doctor sees per kind (GET /api/v1/me/documents).
KIND_STATUSES = ("valid", "expiring", "expired", "missing", "awaiting_verification", "rejected")
KIND_STATUS_LABELS = {"valid": ("Valid", "green"), "expiring": ("Expires within 30 days", "yellow"),
                      "expired": ("Expired", "red"), "missing": ("Missing", "red"),
                      "awaiting_verification": ("Awaiting verification", "blue"), "rejected": ("Not accepted", "red")}


def expiry_status(expires_on, today, *, warn_days=EXPIRY_WARNING_DAYS) -> str:
    """'expired' (before today), 'expiring' (within ``warn_days``) or 'valid'.

    A document expiring today is still valid today: shifts need it valid
    through their end, which the claim checks test separately.
    """
    if expires_on < today:
        return "expired"
    if (expires_on - today).days <= warn_days:
        return "expiring"
    return "valid"


def kind_state(documents, today) -> dict:
    """Where one kind of document stands for its holder, from every row of that kind.

    ``documents``: objects with ``id, status, expires_on, verified_at, created_at, decision_note``.
    The verified document with the latest expiry is the one that counts for claims (``valid_until``).
    The newest upload decides the status when it is newer than that document: ``awaiting_verification``
    while it waits, ``rejected`` when it was turned down (the doctor should upload again); otherwise the
    counting document's expiry decides (``valid``, ``expiring``, ``expired``), or ``missing`` without one.
    """
    verified = [d for d in documents if d.status == "verified"]
    counting = max(verified, key=lambda d: (d.expires_on, d.id), default=None)
    uploads = [d for d in documents if d.status != "verified"]
    newest = max(uploads, key=lambda d: (d.created_at, d.id), default=None)
    if newest is not None and (counting is None or (newest.created_at, newest.id) > (counting.created_at, counting.id)):
        status = newest.status
        shown = newest
    else:
        status = expiry_status(counting.expires_on, today) if counting else "missing"
        shown = counting
    return {"status": status, "document": shown, "counting": counting,
            "expires_on": shown.expires_on if shown else None,
            "verified_at": shown.verified_at if shown is not None and shown.status == "verified" else None,
            "valid_until": counting.expires_on if counting else None,
            "counting_expired": counting is not None and counting.expires_on < today,
            "note": shown.decision_note if shown is not None and shown.status == "rejected" else None}
