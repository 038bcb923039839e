"""Password rules: at least 12 characters, not easy to guess (zxcvbn), not the email's name; one check on
every path that sets a password, with messages that say why."""
import pytest

from bankapp.auth.models import User
from bankapp.auth.rules import email_names, password_problems
from bankapp.auth.services import set_password
from bankapp.errors import ValidationFailed
from bankapp.extensions import db
from bankapp.seed import DEMO_PASSWORD
from tests.factories import PASSWORD

EMAIL = "alex.morgan@trust.nhs.uk"


@pytest.mark.parametrize("password", [DEMO_PASSWORD, PASSWORD, "violet-kettle-harbour-42", "Winter-wards-9x"])
def test_good_passwords_pass(password):
    assert password_problems(password, email=EMAIL) == []


def test_eleven_characters_are_too_few_and_twelve_are_counted():
    assert password_problems("Vk7#pq2!Lm9", email=EMAIL) == ["Use at least 12 characters."]
    assert password_problems("Vk7#pq2!Lm9z", email=EMAIL) == []


def test_a_very_long_password_is_refused_before_it_is_estimated():
    assert password_problems("x" * 129, email=EMAIL) == ["Use at most 128 characters."]


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "Password1234", "qwertyuiop12", "123456789012", "Staffbank2026"])
def test_weak_or_common_passwords_are_refused_saying_why(password):
    problems = password_problems(password, email=EMAIL)
    assert len(problems) == 1
    assert problems[0].startswith("This password is too easy to guess: ")
    assert len(problems[0]) > len("This password is too easy to guess: ") + 10


def test_repeats_are_named_as_the_reason():
    assert 'repeats like "aaa" are easy to guess.' in password_problems("aaaaaaaaaaaa", email=EMAIL)[0]


@pytest.mark.parametrize("password", [EMAIL, "alex.morgan-2026-kettle", "Kettle-Morgan-Violet", "ALEXMORGAN-violet-9"])
def test_the_name_from_the_email_is_refused(password):
    problems = password_problems(password, email=EMAIL)
    assert any(p.startswith("Do not use the name from the email address") for p in problems), problems


def test_email_names_are_the_whole_name_and_its_longer_parts():
    assert email_names("alex.morgan@trust.nhs.uk") == ["alexmorgan", "alex", "morgan"]
    assert email_names("jo.li@trust.nhs.uk") == ["joli"]
    assert email_names("Doctor@demo.staffbank.nhs.uk") == ["doctor"]


def test_every_problem_is_listed():
    problems = password_problems("morganmorgan", email=EMAIL)
    assert len(problems) == 2


# ---- every path that sets a password uses the one check ---------------------------------------

def test_cli_create_user_refuses_a_weak_password_saying_why(app):
    result = app.test_cli_runner().invoke(args=["bank", "create-user", "--email", "boss@trust.nhs.uk",
                                                "--password", "aaaaaaaaaaaa", "--role", "admin"])
    assert result.exit_code != 0
    assert "too easy to guess" in result.output


def test_api_user_create_refuses_a_weak_password_saying_why(world, api):
    resp = api(world.admin).post("/api/v1/users", json={"email": EMAIL, "name": "Alex Morgan", "roles": ["payroll"],
                                                        "password": "alex.morgan.pass"})
    assert resp.status_code == 422
    assert resp.get_json()["errors"]["password"][0].startswith("Do not use the name from the email address")


def test_admin_page_create_refuses_a_weak_password_saying_why(app, world):
    client = app.test_client()
    client.post("/login", data={"email": world.admin.email, "password": PASSWORD})
    resp = client.post("/admin/users", data={"email": EMAIL, "name": "Alex Morgan", "roles": ["payroll"],
                                             "password": "Password1234"})
    assert resp.status_code == 422
    assert "too easy to guess" in resp.get_data(as_text=True)
    assert db.session.execute(db.select(User).filter_by(email=EMAIL)).scalar_one_or_none() is None


def test_set_password_uses_the_same_check(world):
    with pytest.raises(ValidationFailed) as refused:
        set_password(world.doctor, "short", actor=world.doctor)
    assert refused.value.errors == {"password": ["Use at least 12 characters."]}
