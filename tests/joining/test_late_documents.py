"""An applicant adds a document after applying: from the status page, or through the API with the application's
secret; checked as a doctor's own upload is, replacing one of the same kind, only until staffing decides."""
import io
from datetime import timedelta

from bankapp.audit.models import AuditEvent
from bankapp.extensions import db
from bankapp.joining.models import Application
from bankapp.staff.models import ComplianceDocument
from bankapp.timeutil import london_date, now_utc

from ..staff.test_document_uploads import PDF, PNG, stored_files
from .conftest import last_code
from .test_applications import CHECKS, MOBILE


def _valid_until(days=400):
    return (london_date(now_utc()) + timedelta(days=days)).isoformat()


def _form(token, content=PDF, *, kind="dbs", expires_on=None, filename="scan.pdf"):
    data = {"kind": kind, "expires_on": expires_on or _valid_until()}
    if token is not None:
        data["token"] = token
    if content is not None:
        data["file"] = (io.BytesIO(content), filename)
    return data


def _apply(client, application_body, **changes):
    resp = client.post("/api/v1/applications", json=application_body(**changes))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _upload(client, app_id, data):
    return client.post(f"/api/v1/applications/{app_id}/documents", data=data, content_type="multipart/form-data")


def test_applying_answers_the_secret_and_the_status_page(client, application_body, app):
    body = _apply(client, application_body)
    application = db.session.get(Application, body["id"])
    assert body["token"] == application.token
    assert body["status_url"] == app.config["PUBLIC_BASE_URL"].rstrip("/") + f"/join/{application.token}"
    # Only the answer to applying carries it: asking for a new code by id must not hand it out.
    again = client.post(f"/api/v1/applications/{body['id']}/code")
    assert again.status_code == 202 and "token" not in again.get_json()


def test_a_document_added_through_the_api_waits_with_the_application(client, application_body, app):
    body = _apply(client, application_body)
    resp = _upload(client, body["id"], _form(body["token"], PNG, kind="right_to_work", filename="passport.png"))
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["kind"] == "right_to_work" and resp.get_json()["content_type"] == "image/png"
    application = db.session.get(Application, body["id"])
    assert [d.kind for d in application.documents] == ["right_to_work"]
    event = db.session.execute(db.select(AuditEvent).filter_by(action="application.document_added")).scalar_one()
    assert event.entity_id == str(body["id"]) and event.after["kind"] == "right_to_work" and not event.after["replaced"]


def test_a_wrong_or_missing_token_is_the_same_404_and_nothing_is_stored(client, application_body, app):
    body = _apply(client, application_body)
    other = _apply(client, application_body, email="sam.okafor@nhs.net", gmc_number="7654321",
                   mobile="07700 900666")
    before = stored_files(app)
    answers = [_upload(client, body["id"], _form(token)) for token in (None, "", "x" * 43, other["token"])]
    answers.append(_upload(client, 999999, _form(body["token"])))
    assert {r.status_code for r in answers} == {404}
    assert len({r.get_json()["detail"] for r in answers}) == 1
    assert stored_files(app) == before and db.session.get(Application, body["id"]).documents == []


def test_a_bad_file_is_422_naming_each_field_and_nothing_is_stored(client, application_body, app):
    body = _apply(client, application_body)
    before = stored_files(app)
    resp = _upload(client, body["id"], _form(body["token"], b"#!/bin/sh\n", kind="passport",
                                             expires_on=_valid_until(-1)))
    assert resp.status_code == 422
    assert set(resp.get_json()["errors"]) == {"kind", "file"}
    past = _upload(client, body["id"], _form(body["token"], expires_on=_valid_until(-1)))
    assert past.status_code == 422 and set(past.get_json()["errors"]) == {"expires_on"}
    assert stored_files(app) == before and db.session.get(Application, body["id"]).documents == []


def test_a_newer_document_replaces_the_old_and_takes_the_verified_tick_off(api, client, application_body, app,
                                                                          world):
    body = _apply(client, application_body)
    assert _upload(client, body["id"], _form(body["token"])).status_code == 201
    first_files = stored_files(app)
    client.post(f"/api/v1/applications/{body['id']}/confirm", json={"code": last_code(MOBILE)})
    assert api(world.staffing_a).patch(f"/api/v1/applications/{body['id']}", json=CHECKS).status_code == 200

    newer = _form(body["token"], PNG, expires_on=_valid_until(900), filename="dbs.png")
    assert _upload(client, body["id"], newer).status_code == 201
    application = db.session.get(Application, body["id"])
    db.session.refresh(application)
    assert [(d.kind, d.content_type) for d in application.documents] == [("dbs", "image/png")]
    assert application.documents_verified is False  # approval would count the new one as verified unseen
    assert len(stored_files(app)) == len(first_files)  # the old file is gone, the new one kept

    refused = api(world.staffing_a).post(f"/api/v1/applications/{body['id']}/approve", json={})
    assert refused.status_code == 422 and "documents_verified" in str(refused.get_json())
    api(world.staffing_a).patch(f"/api/v1/applications/{body['id']}", json={"documents_verified": True})
    user_id = api(world.staffing_a).post(f"/api/v1/applications/{body['id']}/approve", json={}).get_json()["user_id"]
    doc = db.session.execute(db.select(ComplianceDocument).filter_by(user_id=user_id)).scalar_one()
    assert doc.kind == "dbs" and doc.expires_on.isoformat() == _valid_until(900)


def test_no_document_is_added_once_the_application_is_decided(api, client, application_body, world):
    body = _apply(client, application_body)
    client.post(f"/api/v1/applications/{body['id']}/confirm", json={"code": last_code(MOBILE)})
    api(world.staffing_a).post(f"/api/v1/applications/{body['id']}/reject", json={"note": "No current licence"})
    resp = _upload(client, body["id"], _form(body["token"]))
    assert resp.status_code == 409 and "until the staffing team decides" in resp.get_json()["detail"]


def test_the_status_page_adds_a_document_with_messages_beside_the_fields(client, application_body, app):
    body = _apply(client, application_body)
    page = client.get(f"/join/{body['token']}")
    assert page.status_code == 200 and b"Add a document" in page.data and b"None yet" in page.data
    path = f"/join/{body['token']}/documents"

    bad = client.post(path, data={"kind": "dbs", "expires_on": _valid_until(),
                                  "file": (io.BytesIO(b"GIF89a" + b"\0" * 20), "scan.pdf")},
                      content_type="multipart/form-data")
    assert bad.status_code == 422
    assert b'id="file-error"' in bad.data and b"whatever its name says" in bad.data
    assert b'<option value="dbs" selected' in bad.data  # what was chosen is kept

    ok = client.post(path, data={"kind": "dbs", "expires_on": _valid_until(),
                                 "file": (io.BytesIO(PDF), "scan.pdf")}, content_type="multipart/form-data")
    assert ok.status_code == 302 and ok.headers["Location"].endswith(f"/join/{body['token']}")
    shown = client.get(f"/join/{body['token']}")
    assert b"DBS check" in shown.data and b"is uploaded" in shown.data


def test_the_status_page_offers_no_upload_once_decided(api, client, application_body, world):
    body = _apply(client, application_body)
    client.post(f"/api/v1/applications/{body['id']}/confirm", json={"code": last_code(MOBILE)})
    api(world.staffing_a).post(f"/api/v1/applications/{body['id']}/reject", json={"note": "No current licence"})
    page = client.get(f"/join/{body['token']}")
    assert b"Add a document" not in page.data
    resp = client.post(f"/join/{body['token']}/documents", data=_form(None), content_type="multipart/form-data")
    assert resp.status_code == 409 and b"until the staffing team decides" in resp.data
