"""The admin page for agencies (tier, framework)."""
import pytest

from bankapp.cascade.models import Agency
from bankapp.extensions import db
from tests.org.test_views import field_error, log_in


@pytest.fixture
def admin(client, world):
    return log_in(client, world.admin)


def test_add_agency_off_framework(admin, world):
    resp = admin.post("/admin/agencies", data={"name": "Locums Direct", "tier": "2"})
    assert resp.status_code == 302
    agency = db.session.execute(db.select(Agency).filter_by(name="Locums Direct")).scalar_one()
    assert (agency.tier, agency.on_framework) == (2, False)
    resp = admin.post("/admin/agencies", data={"name": "Framework Medics", "tier": "1", "on_framework": "y"})
    assert db.session.execute(db.select(Agency).filter_by(name="Framework Medics")).scalar_one().on_framework


def test_agency_with_bad_tier_or_duplicate_name_shows_messages(admin, world):
    resp = admin.post("/admin/agencies", data={"name": "Tier Three Ltd", "tier": "3"})
    assert resp.status_code == 422 and "Choose tier 1 or tier 2." in field_error(resp, "tier")
    resp = admin.post("/admin/agencies", data={"name": world.agency1.name, "tier": "1"})
    assert resp.status_code == 422 and "already exists" in field_error(resp, "name")
