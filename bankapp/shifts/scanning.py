"""Listing only the shifts a filter in Python lets through (the claim checks), page by page, cheaply.

The list is scanned on light rows (``ShiftKey``: what the claim checks read of a shift) in batches, and only
the shifts kept are loaded whole. Used by ``queries.start_page`` (the board) and ``queries.id_page`` (the API).
"""
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from ..extensions import db
from ..org.models import Grade, Site
from .models import Shift

FIRST_BATCH = 150  # shifts read first when the claim checks filter a list: a page's worth whatever its size


@dataclass(frozen=True)
class ShiftKey:
    """What the claim checks read of a shift (``eligibility``, ``shift_facts``), from a light row: a list the
    checks filter is scanned with these, and only the shifts it keeps are loaded whole."""

    id: int
    status: str
    start_at: datetime
    end_at: datetime
    site_id: int
    grade: SimpleNamespace
    site: SimpleNamespace


def keys(stmt):
    """``stmt`` (a ``select(Shift)``) as rows for ``ShiftKey``: the shift's own columns, its grade and site."""
    return (stmt.with_only_columns(Shift.id, Shift.status, Shift.start_at, Shift.end_at, Shift.site_id, Grade.rank,
                                   Grade.code, Site.name)
            .join(Grade, Grade.id == Shift.grade_id).join(Site, Site.id == Shift.site_id))


def _key(row) -> ShiftKey:
    shift_id, status, start, end, site_id, rank, code, site_name = row
    return ShiftKey(shift_id, status, start, end, site_id, SimpleNamespace(rank=rank, code=code),
                    SimpleNamespace(name=site_name))


def kept_shifts(fetch, keep, wanted: int) -> list:
    """Up to ``wanted`` shifts that ``keep(shift)`` lets through, read in batches in the list's order, whole.

    ``fetch(after_id, size)`` reads the next ``size`` rows (for ``ShiftKey``) after the shift ``after_id``
    (None: from the start). A filter the database cannot run (the claim checks) thus pages correctly:
    shifts are tested one by one on light rows and reading stops as soon as the page is full; the first
    batch is ``FIRST_BATCH`` shifts (at least three pages), so one read usually fills a page whatever its
    size, and each further batch is three times larger, so even a list that keeps almost nothing costs a
    handful of reads, never one per shift. The shifts kept are then loaded whole in one statement.
    """
    kept, after, size = [], None, max(FIRST_BATCH, 3 * wanted)
    while len(kept) < wanted:
        rows = [_key(row) for row in fetch(after, size)]
        for key in rows:
            if keep(key):
                kept.append(key.id)
                if len(kept) == wanted:
                    break
        if len(rows) < size:
            break
        after, size = rows[-1].id, size * 3
    loaded = {s.id: s for s in db.session.execute(db.select(Shift).where(Shift.id.in_(kept))).scalars()} \
        if kept else {}
    return [loaded[shift_id] for shift_id in kept]
