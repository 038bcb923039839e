"""Agencies and the agency cascade."""
from ..audit.services import record_audit
from ..errors import Conflict
from ..extensions import db
from .models import Agency


def create_agency(*, name, tier, on_framework, actor) -> Agency:
    if db.session.execute(db.select(Agency.id).filter_by(name=name)).first():
        raise Conflict(f"An agency called {name} already exists.", errors={"name": ["Already in use."]})
    agency = Agency(name=name, tier=tier, on_framework=on_framework)
    db.session.add(agency)
    db.session.flush()
    record_audit("agency.created", "agency", agency.id, actor=actor,
                 after={"name": name, "tier": tier, "on_framework": on_framework})
    return agency
