"""Admin page: search the audit trail."""
import logging

import marshmallow as ma
from flask import Blueprint, render_template, request, url_for

from ..auth.permissions import page_roles
from ..errors import field_messages
from ..nav import register_nav
from . import search
from .rules import readable_diff

log = logging.getLogger(__name__)
bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

register_nav("Audit log", "audit.search_page", "admin", order=90)

FILTERS = ("entity_type", "entity_id", "actor", "action", "from", "to")


class AuditSearchSchema(ma.Schema):
    entity_type = ma.fields.String(load_default=None, validate=ma.validate.Length(max=64))
    entity_id = ma.fields.String(load_default=None, validate=ma.validate.Length(max=64))
    actor = ma.fields.String(load_default=None, validate=ma.validate.Length(max=254))
    action = ma.fields.String(load_default=None, validate=ma.validate.Length(max=64))
    date_from = ma.fields.Date(data_key="from", load_default=None,
                               error_messages={"invalid": "Enter a real date, for example 2026-03-29."})
    date_to = ma.fields.Date(data_key="to", load_default=None,
                             error_messages={"invalid": "Enter a real date, for example 2026-03-29."})
    cursor = ma.fields.Integer(load_default=None, validate=ma.validate.Range(min=1))

    @ma.validates_schema
    def _period(self, data, **kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ma.ValidationError("The end date must be on or after the start date.", field_name="to")


def _query_args():
    """The query string without blanks, so an empty box means 'any'."""
    return {k: v.strip() for k, v in request.args.items() if k in (*FILTERS, "cursor") and v.strip()}


@bp.get("")
@page_roles("admin")
def search_page():
    args = _query_args()
    errors = {}
    try:
        filters = AuditSearchSchema().load(args)
    except ma.ValidationError as exc:
        errors = field_messages(exc)
        page = search.AuditPage(events=[], next_cursor=None)
    else:
        page = search.search_events(**filters)
    next_url = None
    if page.next_cursor:
        next_url = url_for("audit.search_page", **{k: v for k, v in args.items() if k != "cursor"},
                           cursor=page.next_cursor)
    first_url = url_for("audit.search_page", **{k: v for k, v in args.items() if k != "cursor"}) \
        if "cursor" in args else None
    events = [(event, readable_diff(event.before, event.after)) for event in page.events]
    return render_template("audit/search.html", events=events, form=args, errors=errors, next_url=next_url,
                           first_url=first_url, entity_types=search.entity_types())
