"""Admin pages for sites, departments, grades and agencies (test client, CSRF off)."""
import pytest

from bankapp.audit.models import AuditEvent
from bankapp.extensions import db
from bankapp.org.models import Department, Grade, Site
from tests.factories import PASSWORD


def log_in(client, user):
    resp = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert resp.status_code == 302
    return client


@pytest.fixture
def admin(client, world):
    return log_in(client, world.admin)


def field_error(resp, field):
    """The text of the error message shown next to ``field``."""
    html = resp.get_data(as_text=True)
    marker = f'id="{field}-error"'
    assert marker in html, f"no error next to {field}"
    start = html.index(marker)
    return html[start:html.index("</span>\n", start) + 7]


@pytest.mark.parametrize("url", ["/admin/sites", "/admin/departments", "/admin/grades", "/admin/agencies"])
def test_admin_pages_list_reference_data(admin, url):
    resp = admin.get(url)
    assert resp.status_code == 200
    assert 'name="csrf_token"' in resp.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/admin/sites", "/admin/departments", "/admin/grades", "/admin/agencies"])
def test_non_admin_gets_403(client, world, url):
    log_in(client, world.coordinator_a)
    assert client.get(url).status_code == 403
    assert client.post(url, data={"code": "ZZZ", "name": "Zed"}).status_code == 403
    assert db.session.execute(db.select(Site).filter_by(code="ZZZ")).first() is None


def test_logged_out_visitor_is_sent_to_login(client, world):
    resp = client.get("/admin/sites")
    assert resp.status_code == 302 and "/login" in resp.location


def test_add_site_redirects_with_success_message_and_audits(admin, world):
    resp = admin.post("/admin/sites", data={"code": "gam", "name": "Gamma Hospital"})
    assert resp.status_code == 302 and resp.location.endswith("/admin/sites")
    site = db.session.execute(db.select(Site).filter_by(code="GAM")).scalar_one()
    assert site.name == "Gamma Hospital"
    audit = db.session.execute(db.select(AuditEvent).filter_by(action="site.created",
                                                               entity_id=str(site.id))).scalar_one()
    assert audit.actor_id == world.admin.id
    page = admin.get("/admin/sites").get_data(as_text=True)
    assert "Site GAM – Gamma Hospital added." in page and "Gamma Hospital" in page


def test_duplicate_site_code_shows_message_next_to_code(admin, world):
    resp = admin.post("/admin/sites", data={"code": "AAA", "name": "Another Alpha"})
    assert resp.status_code == 422
    assert "A site with code AAA already exists." in field_error(resp, "code")
    assert 'href="#code"' in resp.get_data(as_text=True)  # error summary links to the field
    assert db.session.execute(db.select(db.func.count(Site.id))).scalar() == 2


def test_blank_site_form_names_each_field(admin):
    resp = admin.post("/admin/sites", data={"code": "", "name": " "})
    assert resp.status_code == 422
    assert "Enter a site code." in field_error(resp, "code")
    assert "Enter the site" in field_error(resp, "name")


def test_site_code_with_spaces_is_refused(admin):
    resp = admin.post("/admin/sites", data={"code": "A B", "name": "Spaced Hospital"})
    assert resp.status_code == 422
    assert "capital letters" in field_error(resp, "code")
    assert 'value="Spaced Hospital"' in resp.get_data(as_text=True)  # typed values are kept


def test_add_department_at_a_site(admin, world):
    resp = admin.post("/admin/departments", data={"site_id": str(world.site_b.id), "name": "Paediatrics",
                                                  "specialty": "Paediatrics", "cost_centre": "BBB300"})
    assert resp.status_code == 302 and resp.location.endswith(f"/admin/departments?site_id={world.site_b.id}")
    dept = db.session.execute(db.select(Department).filter_by(name="Paediatrics")).scalar_one()
    assert (dept.site_id, dept.cost_centre) == (world.site_b.id, "BBB300")
    page = admin.get(f"/admin/departments?site_id={world.site_b.id}").get_data(as_text=True)
    assert "BBB300" in page and "<span>Emergency Department<" not in page  # only site B's departments
    assert "<span>Emergency Department<" in admin.get("/admin/departments").get_data(as_text=True)


def test_department_without_site_and_duplicate_name_show_messages(admin, world):
    resp = admin.post("/admin/departments", data={"site_id": "", "name": "Wards", "specialty": "Medicine",
                                                  "cost_centre": "CC9"})
    assert resp.status_code == 422 and "Choose a site." in field_error(resp, "site_id")
    resp = admin.post("/admin/departments", data={"site_id": str(world.site_a.id), "name": "Emergency Department",
                                                  "specialty": "Emergency medicine", "cost_centre": "CC9"})
    assert resp.status_code == 422
    assert "already exists at this site" in field_error(resp, "name")


def test_department_at_unknown_site_is_refused(admin):
    resp = admin.post("/admin/departments", data={"site_id": "999", "name": "Wards", "specialty": "Medicine",
                                                  "cost_centre": "CC9"})
    assert resp.status_code == 422 and "No site has this id." in field_error(resp, "site_id")


def test_add_grade_and_refuse_duplicate_or_bad_rank(admin, world):
    resp = admin.post("/admin/grades", data={"code": "st6", "name": "Specialty Registrar ST6-8", "rank": "50"})
    assert resp.status_code == 302
    assert db.session.execute(db.select(Grade).filter_by(code="ST6")).scalar_one().rank == 50
    resp = admin.post("/admin/grades", data={"code": "FY1", "name": "Foundation again", "rank": "10"})
    assert resp.status_code == 422 and "A grade with code FY1 already exists." in field_error(resp, "code")
    resp = admin.post("/admin/grades", data={"code": "XX1", "name": "Odd grade", "rank": "senior"})
    assert resp.status_code == 422 and "Enter a whole number." in field_error(resp, "rank")


def test_grades_are_listed_most_junior_first(admin, world):
    page = admin.get("/admin/grades").get_data(as_text=True)
    assert page.index("Foundation Year 1") < page.index("Specialty Registrar") < page.index("Consultant")


def test_admin_nav_lists_the_admin_pages(admin):
    page = admin.get("/").get_data(as_text=True)
    for label in ("Sites", "Departments", "Grades", "People", "Agencies"):
        assert f">{label}<" in page or f">{label}</a>" in page


def test_admin_sets_a_sites_staffing_phone_on_its_page(admin, world):
    page = admin.get(f"/admin/sites/{world.site_a.id}").get_data(as_text=True)
    assert 'name="staffing_phone"' in page and "Site code AAA" in page
    resp = admin.post(f"/admin/sites/{world.site_a.id}", data={"name": "Alpha Hospital", "staffing_phone": "12"})
    assert resp.status_code == 422 and "Enter a phone number like" in field_error(resp, "staffing_phone")
    resp = admin.post(f"/admin/sites/{world.site_a.id}", data={"name": "Alpha General Hospital",
                                                               "staffing_phone": "01245 362000"})
    assert resp.status_code == 302
    site = db.session.get(Site, world.site_a.id)
    assert (site.name, site.staffing_phone) == ("Alpha General Hospital", "01245 362000")
    assert "01245 362000" in admin.get("/admin/sites").get_data(as_text=True)
    admin.post(f"/admin/sites/{world.site_a.id}", data={"name": "Alpha General Hospital", "staffing_phone": ""})
    db.session.expire_all()
    assert db.session.get(Site, world.site_a.id).staffing_phone is None
    resp = admin.post(f"/admin/sites/{world.site_a.id}", data={"name": "", "staffing_phone": ""})
    assert resp.status_code == 422 and "Enter the site" in field_error(resp, "name")
