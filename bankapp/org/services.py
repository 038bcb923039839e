"""Reference data: sites, departments, grades."""
from ..audit.services import record_audit
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from .models import Department, Grade, Site


def create_site(*, code, name, staffing_phone=None, actor) -> Site:
    if db.session.execute(db.select(Site.id).filter_by(code=code)).first():
        raise Conflict(f"A site with code {code} already exists.", errors={"code": ["Already in use."]})
    site = Site(code=code, name=name, staffing_phone=_phone(staffing_phone))
    db.session.add(site)
    db.session.flush()
    record_audit("site.created", "site", site.id, actor=actor,
                 after={"code": code, "name": name, "staffing_phone": site.staffing_phone})
    return site


SITE_FIELDS = ("name", "staffing_phone")


def _phone(value):
    return " ".join(value.split()) if value and value.strip() else None


def update_site(site, changes: dict, *, actor) -> Site:
    """Change a site's name or medical staffing phone (only the fields given); audited with before and after."""
    before = {name: getattr(site, name) for name in SITE_FIELDS}
    for name, value in changes.items():
        setattr(site, name, _phone(value) if name == "staffing_phone" else value.strip())
    db.session.flush()
    after = {name: getattr(site, name) for name in SITE_FIELDS}
    changed = sorted(name for name in SITE_FIELDS if before[name] != after[name])
    if changed:
        record_audit("site.updated", "site", site.id, actor=actor, before={k: before[k] for k in changed},
                     after={k: after[k] for k in changed})
    return site


def create_department(*, site_id, name, specialty, cost_centre, actor) -> Department:
    if db.session.get(Site, site_id) is None:
        raise ValidationFailed("Unknown site.", errors={"site_id": ["No site has this id."]})
    if db.session.execute(db.select(Department.id).filter_by(site_id=site_id, name=name)).first():
        raise Conflict(f"{name} already exists at this site.", errors={"name": ["Already in use at this site."]})
    dept = Department(site_id=site_id, name=name, specialty=specialty, cost_centre=cost_centre)
    db.session.add(dept)
    db.session.flush()
    record_audit("department.created", "department", dept.id, actor=actor,
                 after={"site_id": site_id, "name": name, "specialty": specialty, "cost_centre": cost_centre})
    return dept


def create_grade(*, code, name, rank, actor) -> Grade:
    if db.session.execute(db.select(Grade.id).filter_by(code=code)).first():
        raise Conflict(f"A grade with code {code} already exists.", errors={"code": ["Already in use."]})
    grade = Grade(code=code, name=name, rank=rank)
    db.session.add(grade)
    db.session.flush()
    record_audit("grade.created", "grade", grade.id, actor=actor, after={"code": code, "name": name, "rank": rank})
    return grade


def all_sites():
    return db.session.execute(db.select(Site).order_by(Site.name)).scalars().all()


def all_grades():
    return db.session.execute(db.select(Grade).order_by(Grade.rank)).scalars().all()


def departments_for(site_ids=None):
    stmt = db.select(Department).order_by(Department.site_id, Department.name)
    if site_ids is not None:
        stmt = stmt.where(Department.site_id.in_(site_ids))
    return db.session.execute(stmt).scalars().all()


def grade_by_code(code) -> Grade | None:
    return db.session.execute(db.select(Grade).filter_by(code=code)).scalar_one_or_none()
