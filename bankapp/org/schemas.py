import marshmallow as ma
from marshmallow import validate


class SiteSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    code = ma.fields.String(required=True, validate=[validate.Length(min=2, max=16),
                                                     validate.Regexp(r"^[A-Z0-9_-]+$",
                                                                     error="Use capital letters, digits, - or _.")])
    name = ma.fields.String(required=True, validate=validate.Length(min=2, max=120))


class DepartmentSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    site_id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True, validate=validate.Length(min=2, max=120))
    specialty = ma.fields.String(required=True, validate=validate.Length(min=2, max=120))
    cost_centre = ma.fields.String(required=True, validate=validate.Length(min=2, max=32))


class GradeSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    code = ma.fields.String(required=True, validate=validate.Length(min=2, max=16))
    name = ma.fields.String(required=True, validate=validate.Length(min=2, max=120))
    rank = ma.fields.Integer(required=True, validate=validate.Range(min=0, max=1000))
