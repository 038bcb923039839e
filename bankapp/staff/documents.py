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
