"""The demo trust: believable, complete enough for every role, and run once."""
from bankapp.auth.models import User
from bankapp.extensions import db
from bankapp.org.models import Department, Grade, Site
from bankapp.seed import DEMO_PASSWORD, seed_demo
from bankapp.shifts.models import Shift
from bankapp.staff.models import ComplianceDocument


def test_demo_trust_has_three_sites_grades_people_and_shifts(app):
    logins = seed_demo(doctors=25)
    db.session.commit()
    assert {s.code for s in db.session.execute(db.select(Site)).scalars()} == {"BRM", "BAS", "STH"}
    assert db.session.execute(db.select(db.func.count(Department.id))).scalar() == 30
    assert [g.code for g in db.session.execute(db.select(Grade).order_by(Grade.rank)).scalars()][0] == "FY1"
    doctors = db.session.execute(db.select(User).join(User.roles).where(db.text("user_roles.role = 'doctor'"))
                                 ).scalars().all()
    # The bank's own doctors; the staffing demo adds the applicants it approves (another email domain).
    assert len([d for d in doctors if d.email.endswith("@demo.staffbank.nhs.uk")]) == 25
    assert db.session.execute(db.select(db.func.count(ComplianceDocument.id))).scalar() >= 24 * 5
    assert db.session.execute(db.select(db.func.count(Shift.id))).scalar() > 50
    roles = {label for label, _ in logins}
    for expected in ("Administrator", "Payroll", "Chief executive"):
        assert any(expected in label for label in roles)
    assert all(email.endswith("@demo.staffbank.nhs.uk") for _, email in logins)


def test_every_demo_login_works_with_the_printed_password(app, client):
    logins = seed_demo(doctors=5)
    db.session.commit()
    for _, email in logins:
        resp = client.post("/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD})
        assert resp.status_code == 201, email


def test_seeding_twice_changes_nothing_and_lists_the_logins(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["bank", "seed-demo", "--doctors", "5"], catch_exceptions=False)
    assert "doctor@demo.staffbank.nhs.uk" in first.output
    users = db.session.execute(db.select(db.func.count(User.id))).scalar()
    second = runner.invoke(args=["bank", "seed-demo", "--doctors", "5"], catch_exceptions=False)
    assert "doctor@demo.staffbank.nhs.uk" in second.output
    assert db.session.execute(db.select(db.func.count(User.id))).scalar() == users


def test_create_user_command_makes_an_admin_and_refuses_a_weak_password(app):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["bank", "create-user", "--email", "boss@trust.nhs.uk", "--password",
                             "a-long-enough-password", "--role", "admin"])
    assert ok.exit_code == 0, ok.output
    assert db.session.execute(db.select(User).filter_by(email="boss@trust.nhs.uk")).scalar_one().role_names \
        == ["admin"]
    weak = runner.invoke(args=["bank", "create-user", "--email", "x@trust.nhs.uk", "--password", "short",
                               "--role", "admin"])
    assert weak.exit_code != 0 and "password" in weak.output
