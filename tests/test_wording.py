"""Field errors read as plain English in forms and in the API's ``errors`` (bankapp/wording.py)."""
import marshmallow as ma
import pytest
from marshmallow import validate


class Sample(ma.Schema):
    count = ma.fields.Integer(validate=validate.Range(min=1, max=9))
    code = ma.fields.String(validate=validate.Length(min=2, max=4))
    note = ma.fields.String(validate=validate.Length(max=3))
    day = ma.fields.Date()
    email = ma.fields.Email()
    kind = ma.fields.String(validate=validate.OneOf(("a", "b")))
    flag = ma.fields.Boolean()
    name = ma.fields.String(allow_none=False)


@pytest.mark.parametrize("data, message", [
    ({"count": "x"}, "Enter a whole number."),
    ({"count": 0}, "Enter a number from 1 to 9."),
    ({"code": "a"}, "Enter between 2 and 4 characters."),
    ({"note": "abcd"}, "Enter 3 characters or fewer."),
    ({"day": "31/02/2027"}, "Enter a real date, for example 2027-03-31."),
    ({"email": "nobody"}, "Enter an email address in the right form, like name@nhs.net."),
    ({"kind": "c"}, "Choose one of: a, b."),
    ({"flag": "perhaps"}, "Enter true or false."),
    ({"name": None}, "This cannot be empty."),
])
def test_messages_are_plain_english(data, message):
    with pytest.raises(ma.ValidationError) as exc:
        Sample().load(data)
    assert exc.value.messages == {next(iter(data)): [message]}


def test_an_error_given_to_a_validator_is_kept():
    schema = ma.Schema.from_dict({"n": ma.fields.Integer(validate=validate.Range(min=1, error="Pick one or more."))})
    with pytest.raises(ma.ValidationError) as exc:
        schema().load({"n": 0})
    assert exc.value.messages == {"n": ["Pick one or more."]}


def test_the_api_names_the_field_in_plain_english(world, api):
    resp = api(world.admin).post("/api/v1/grades", json={"code": "ST9", "name": "Senior", "rank": "high"})
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == {"rank": ["Enter a whole number."]}
