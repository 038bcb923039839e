"""Navigation entries, registered by each feature's views module."""
from dataclasses import dataclass

from flask import request, url_for
from flask_login import current_user


@dataclass(frozen=True)
class NavEntry:
    label: str
    endpoint: str
    roles: tuple
    order: int


_ENTRIES: list[NavEntry] = []


def register_nav(label, endpoint, *roles, order=50):
    entry = NavEntry(label, endpoint, tuple(roles), order)
    if entry not in _ENTRIES:
        _ENTRIES.append(entry)


def nav_items():
    if not current_user.is_authenticated:
        return []
    items = []
    for entry in sorted(_ENTRIES, key=lambda e: (e.order, e.label)):
        if entry.roles and not current_user.has_role(*entry.roles):
            continue
        url = url_for(entry.endpoint)
        items.append({"label": entry.label, "url": url, "active": request.path == url})
    return items
