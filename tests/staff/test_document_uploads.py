"""A doctor's own documents: uploads checked from their bytes, verification, who sees the file, what counts."""
import io
from datetime import date, timedelta
from pathlib import Path

import pytest

from bankapp.extensions import db
from bankapp.notifications.models import OutboxMessage
from bankapp.staff import storage
from bankapp.staff.documents import expiry_status, kind_state
from bankapp.staff.models import ComplianceDocument
from bankapp.staff.services import latest_documents
from bankapp.timeutil import london_date, now_utc

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


def today():
    return london_date(now_utc())


def upload(api_client, content=PDF, *, kind="dbs", expires_on=None, filename="scan.pdf"):
    data = {"kind": kind, "expires_on": (expires_on or today() + timedelta(days=400)).isoformat()}
    if content is not None:
        data["file"] = (io.BytesIO(content), filename)
    return api_client.client.post("/api/v1/me/documents", data=data, content_type="multipart/form-data",
                                  headers=api_client._headers(None))


def stored_files(app):
    root = Path(app.config["DOCUMENT_STORAGE_PATH"])
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def by_kind(resp):
    return {row["kind"]: row for row in resp.get_json()["items"]}


def test_an_upload_waits_for_verification_and_does_not_count_yet(api, world):
    before = latest_documents(world.doctor.id)["dbs"]
    resp = upload(api(world.doctor), expires_on=today() + timedelta(days=800))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "awaiting_verification" and body["content_type"] == "application/pdf"
    mine = by_kind(api(world.doctor).get("/api/v1/me/documents"))
    assert mine["dbs"]["status"] == "awaiting_verification" and mine["dbs"]["verified_at"] is None
    assert mine["dbs"]["valid_until"] == before.isoformat()
    assert mine["gmc_licence"]["status"] == "valid" and mine["gmc_licence"]["verified_at"]
    assert latest_documents(world.doctor.id)["dbs"] == before  # only verified documents count


@pytest.mark.parametrize("content,filename", [(b"#!/bin/sh\necho hello\n", "scan.pdf"),
                                              (b"GIF89a" + b"\x00" * 20, "photo.png"),
                                              (b"", "empty.pdf")])
def test_a_file_that_is_not_what_it_says_is_422_naming_the_field_and_nothing_is_stored(app, api, world, content,
                                                                                      filename):
    files_before = stored_files(app)
    resp = upload(api(world.doctor), content, filename=filename)
    assert resp.status_code == 422
    assert list(resp.get_json()["errors"]) == ["file"]
    assert db.session.execute(db.select(ComplianceDocument).filter_by(status="awaiting_verification")).first() is None
    assert stored_files(app) == files_before


def test_every_bad_field_is_named_at_once(api, world):
    resp = api(world.doctor).client.post("/api/v1/me/documents", data={"kind": "passport", "expires_on": "31/02"},
                                         content_type="multipart/form-data", headers=api(world.doctor)._headers(None))
    assert resp.status_code == 422
    assert set(resp.get_json()["errors"]) == {"kind", "expires_on", "file"}
    past = upload(api(world.doctor), expires_on=today() - timedelta(days=1))
    assert past.status_code == 422 and list(past.get_json()["errors"]) == ["expires_on"]


def test_an_upload_over_10_mb_is_413_before_it_is_read(api, world):
    resp = upload(api(world.doctor), PDF + b"0" * (10 * 1024 * 1024))
    assert resp.status_code == 413


def test_jpeg_and_png_are_taken(api, world):
    assert upload(api(world.doctor), JPEG, filename="x.bin").get_json()["content_type"] == "image/jpeg"
    assert upload(api(world.doctor), PNG, kind="right_to_work").get_json()["content_type"] == "image/png"


def test_staffing_of_the_doctors_site_verifies_and_then_it_counts(api, world, factory):
    doctor = factory.doctor(sites=[world.site_a], mobile="+447700900444", sms_opt_in=True)
    db.session.commit()
    doc_id = upload(api(doctor), PNG, expires_on=today() + timedelta(days=900)).get_json()["id"]
    queue = api(world.staffing_a).get("/api/v1/documents").get_json()["items"]
    assert [d["id"] for d in queue] == [doc_id]
    resp = api(world.staffing_a).post(f"/api/v1/documents/{doc_id}/verify", json={"note": "Seen the original"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "verified"
    assert latest_documents(doctor.id)["dbs"] == today() + timedelta(days=900)
    assert by_kind(api(doctor).get("/api/v1/me/documents"))["dbs"]["status"] == "valid"
    texts = db.session.execute(db.select(OutboxMessage).filter_by(user_id=doctor.id,
                                                                  kind="document_decision")).scalars().all()
    assert len(texts) == 1 and "verified" in texts[0].body
    again = api(world.staffing_a).post(f"/api/v1/documents/{doc_id}/reject", json={"note": "x"})
    assert again.status_code == 409


def test_a_rejection_needs_a_note_and_the_doctor_sees_why(api, world):
    doc_id = upload(api(world.doctor)).get_json()["id"]
    assert api(world.admin).post(f"/api/v1/documents/{doc_id}/reject", json={}).status_code == 422
    resp = api(world.admin).post(f"/api/v1/documents/{doc_id}/reject", json={"note": "The scan is unreadable."})
    assert resp.status_code == 200
    row = by_kind(api(world.doctor).get("/api/v1/me/documents"))["dbs"]
    assert row["status"] == "rejected" and row["note"] == "The scan is unreadable."


def test_who_may_decide_and_see_the_file(api, world, factory):
    doctor_a = factory.doctor(sites=[world.site_a])
    other_doctor = factory.doctor()
    staffing_b = factory.user(("staffing",), sites=[world.site_b])
    db.session.commit()
    doc_id = upload(api(doctor_a), PNG).get_json()["id"]
    url = f"/api/v1/documents/{doc_id}"
    assert api(staffing_b).post(f"{url}/verify", json={}).status_code == 404  # not a doctor of its sites
    assert api(doctor_a).post(f"{url}/verify", json={}).status_code == 403  # doctors never decide
    assert api(world.coordinator_a).get(f"{url}/file").status_code == 403
    assert api(other_doctor).get(f"{url}/file").status_code == 404
    assert api(staffing_b).get(f"{url}/file").status_code == 404
    for reader in (doctor_a, world.staffing_a, world.admin):
        resp = api(reader).get(f"{url}/file")
        assert resp.status_code == 200 and resp.data == PNG and resp.mimetype == "image/png"
        assert resp.headers["X-Content-Type-Options"] == "nosniff" and "no-store" in resp.headers["Cache-Control"]


def test_nobody_verifies_their_own_document(api, world, factory):
    both = factory.user(("doctor", "staffing"), sites=[world.site_a], grade="ST3")
    db.session.commit()
    doc_id = upload(api(both)).get_json()["id"]
    resp = api(both).post(f"/api/v1/documents/{doc_id}/verify", json={})
    assert resp.status_code == 403 and resp.get_json()["reasons"][0]["code"] == "own_request"


def test_a_file_written_in_a_transaction_that_rolls_back_is_deleted(app):
    key = storage.store(PDF)
    assert storage.storage().read(key) == PDF
    db.session.rollback()
    with pytest.raises(FileNotFoundError):
        storage.storage().read(key)
    kept = storage.store(PNG)
    db.session.commit()
    assert storage.storage().read(kept) == PNG


# --- the rule per kind -------------------------------------------------------------------------


class Doc:
    def __init__(self, id, status, expires_on, created_at, verified_at=None, decision_note=None):
        self.id, self.status, self.expires_on, self.created_at = id, status, expires_on, created_at
        self.verified_at, self.decision_note = verified_at, decision_note


DAY = date(2026, 11, 25)


def test_kind_state_missing_valid_expiring_expired():
    assert kind_state([], DAY)["status"] == "missing"
    assert kind_state([Doc(1, "verified", DAY + timedelta(31), 1)], DAY)["status"] == "valid"
    assert kind_state([Doc(1, "verified", DAY + timedelta(30), 1)], DAY)["status"] == "expiring"
    assert kind_state([Doc(1, "verified", DAY, 1)], DAY)["status"] == "expiring"
    assert kind_state([Doc(1, "verified", DAY - timedelta(1), 1)], DAY)["status"] == "expired"
    assert expiry_status(DAY - timedelta(1), DAY) == "expired"


def test_kind_state_the_newest_upload_decides_until_something_newer_is_verified():
    old = Doc(1, "verified", DAY + timedelta(10), 1)
    waiting = Doc(2, "awaiting_verification", DAY + timedelta(400), 2)
    state = kind_state([old, waiting], DAY)
    assert state["status"] == "awaiting_verification" and state["valid_until"] == DAY + timedelta(10)
    rejected = Doc(2, "rejected", DAY + timedelta(400), 2, decision_note="Blurred")
    assert kind_state([old, rejected], DAY)["note"] == "Blurred"
    newer = Doc(3, "verified", DAY + timedelta(500), 3)
    assert kind_state([old, rejected, newer], DAY)["status"] == "valid"
    only_pending = kind_state([waiting], DAY)
    assert only_pending["status"] == "awaiting_verification" and only_pending["valid_until"] is None


def test_the_admins_person_page_says_an_upload_waits(api, client, world):
    from tests.factories import PASSWORD

    upload(api(world.doctor))
    client.post("/login", data={"email": world.admin.email, "password": PASSWORD})
    page = client.get(f"/admin/users/{world.doctor.id}").get_data(as_text=True)
    assert "Uploaded, awaiting verification" in page


def test_a_removed_document_takes_its_file_and_a_lost_file_is_a_clean_404(app, api, world):
    doc_id = upload(api(world.doctor)).get_json()["id"]
    doc = db.session.get(ComplianceDocument, doc_id)
    path = Path(app.config["DOCUMENT_STORAGE_PATH"]) / doc.file_key[:2] / doc.file_key
    path.unlink()  # a file lost outside the product (a restore that missed it)
    resp = api(world.admin).get(f"/api/v1/documents/{doc_id}/file")
    assert resp.status_code == 404 and "no longer kept" in resp.get_json()["detail"]

    other = db.session.get(ComplianceDocument, upload(api(world.doctor), PNG, kind="right_to_work").get_json()["id"])
    kept = Path(app.config["DOCUMENT_STORAGE_PATH"]) / other.file_key[:2] / other.file_key
    assert kept.exists()
    assert api(world.admin).delete(f"/api/v1/users/{world.doctor.id}/documents/{other.id}").status_code == 204
    assert not kept.exists()
