"""Staffing's queues (applications, site requests): rows in scope, by status, paged by id."""
from ..extensions import db


def queue(model, scope, *, status=None, cursor=None, limit=200, by_age=False) -> list:
    """Rows of ``model`` matching ``scope`` in the order they came (``by_age``: the longest waiting first)."""
    order = (model.created_at, model.id) if by_age else (model.id,)
    stmt = db.select(model).where(scope).order_by(*order)
    if status:
        stmt = stmt.where(model.status == status)
    if cursor:
        stmt = stmt.where(model.id > cursor)
    return db.session.execute(stmt.limit(limit)).scalars().all()
