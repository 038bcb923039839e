"""API plumbing shared by every feature: the Api class, problem schema, lists."""
import http

import marshmallow as ma
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from .errors import PROBLEM_JSON, handle_http_exception


class ProblemReasonSchema(ma.Schema):
    code = ma.fields.String(required=True)
    message = ma.fields.String(required=True)


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw())
    reasons = ma.fields.List(ma.fields.Nested(ProblemReasonSchema))


class BankApi(Api):
    """flask-smorest Api whose errors are problem details (pages get HTML)."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self):
        """Document error responses as what they are: ``application/problem+json``."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Problem details (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def handle_http_exception(self, error):
        return handle_http_exception(error)


class ListQuerySchema(ma.Schema):
    cursor = ma.fields.Integer(load_default=None, validate=ma.validate.Range(min=0, max=2**31 - 1),
                               metadata={"description": "Opaque cursor from `next`."})
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=500))


def list_schema(item_schema, name):
    """A `{items, next}` envelope schema around ``item_schema``."""
    return ma.Schema.from_dict(
        {"items": ma.fields.List(ma.fields.Nested(item_schema)), "next": ma.fields.Integer(allow_none=True)},
        name=name,
    )


def keyset_page(session, stmt, key_column, *, cursor=None, limit=50):
    """One page of ``stmt`` ordered by ``key_column`` (an increasing unique key).

    Returns ``{"items": [...], "next": cursor-or-None}``.
    """
    if cursor is not None:
        stmt = stmt.where(key_column > cursor)
    rows = session.execute(stmt.order_by(key_column).limit(limit + 1)).scalars().all()
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next": getattr(rows[-1], key_column.key) if more and rows else None}
