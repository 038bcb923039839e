"""Sites, departments and grades (admin writes; any signed-in user reads)."""
from flask import g
from flask_smorest import Blueprint

from ..apiutil import ListQuerySchema, keyset_page, list_schema
from ..auth.permissions import api_auth
from ..errors import NotFound
from ..extensions import db
from . import policies, services
from .models import Department, Grade, Site
from .schemas import (
    DepartmentSchema,
    GradeSchema,
    SiteChangeSchema,
    SitePolicyChangeSchema,
    SitePolicySchema,
    SiteSchema,
)

blp = Blueprint("org_api", __name__, url_prefix="/api/v1", description="Sites, departments and grades")
SECURITY = [{"bearerAuth": []}]


@blp.post("/sites")
@blp.arguments(SiteSchema)
@blp.response(201, SiteSchema)
@blp.doc(security=SECURITY)
@api_auth("admin")
def create_site(body):
    site = services.create_site(**body, actor=g.actor)
    return site


@blp.get("/sites")
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200, list_schema(SiteSchema, "SiteList"))
@blp.doc(security=SECURITY)
@api_auth()
def list_sites(query):
    return keyset_page(db.session, db.select(Site), Site.id, **query)


@blp.patch("/sites/<int:site_id>")
@blp.arguments(SiteChangeSchema(partial=True))
@blp.response(200, SiteSchema)
@blp.doc(security=SECURITY)
@api_auth("admin")
def update_site(body, site_id):
    """Change a site's name or medical staffing phone (only the fields sent; null removes the phone). Audited."""
    site = db.session.get(Site, site_id)
    if site is None:
        raise NotFound("No such site.")
    return services.update_site(site, body, actor=g.actor)


@blp.get("/sites/<int:site_id>/policy")
@blp.response(200, SitePolicySchema)
@blp.doc(security=SECURITY)
@api_auth("admin")
def get_site_policy(site_id):
    """The site's own approval threshold and windows (null: the trust default), the defaults, and what is in force."""
    return policies.describe(site_id)


@blp.patch("/sites/<int:site_id>/policy")
@blp.arguments(SitePolicyChangeSchema(partial=True))
@blp.response(200, SitePolicySchema)
@blp.doc(security=SECURITY)
@api_auth("admin")
def update_site_policy(body, site_id):
    """Change only the fields sent; null puts a field back to the trust default. Audited with before and after."""
    policies.update_policy(site_id, body, actor=g.actor)
    return policies.describe(site_id)


@blp.post("/departments")
@blp.arguments(DepartmentSchema)
@blp.response(201, DepartmentSchema)
@blp.doc(security=SECURITY)
@api_auth("admin")
def create_department(body):
    dept = services.create_department(**body, actor=g.actor)
    return dept


@blp.get("/departments")
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200, list_schema(DepartmentSchema, "DepartmentList"))
@blp.doc(security=SECURITY)
@api_auth()
def list_departments(query):
    return keyset_page(db.session, db.select(Department), Department.id, **query)


@blp.post("/grades")
@blp.arguments(GradeSchema)
@blp.response(201, GradeSchema)
@blp.doc(security=SECURITY)
@api_auth("admin")
def create_grade(body):
    grade = services.create_grade(**body, actor=g.actor)
    return grade


@blp.get("/grades")
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200, list_schema(GradeSchema, "GradeList"))
@blp.doc(security=SECURITY)
@api_auth()
def list_grades(query):
    return keyset_page(db.session, db.select(Grade), Grade.id, **query)
