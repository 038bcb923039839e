"""Installable and offline-tolerant: the manifest, the service worker at the root, the offline page, the icons,
and logging out clearing what a shared phone kept. (The offline board itself: tests/browser/test_phone.py.)"""
import struct

import pytest

from bankapp import icons
from tests.factories import PASSWORD


def test_manifest_names_the_app_its_icons_and_standalone_display(client):
    resp = client.get("/manifest.webmanifest")
    assert resp.status_code == 200 and resp.mimetype == "application/manifest+json"
    manifest = resp.get_json(force=True)
    assert manifest["name"] == "Staff Bank" and manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#005eb8" and manifest["start_url"] == "/"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_every_page_links_the_manifest(client):
    assert '<link rel="manifest" href="/manifest.webmanifest">' in client.get("/login").get_data(as_text=True)


def test_the_service_worker_is_served_from_the_root_and_always_revalidated(client):
    resp = client.get("/sw.js")
    assert resp.status_code == 200 and resp.mimetype in ("text/javascript", "application/javascript")
    assert resp.headers["Cache-Control"] == "no-cache" and resp.headers["Service-Worker-Allowed"] == "/"
    script = resp.get_data(as_text=True)
    for path in ("/offline", "/static/app.css", "/static/icons/icon-192.png"):
        assert f'"{path}"' in script
        if path.startswith("/static"):
            assert client.get(path).status_code == 200


def test_the_offline_page_names_nobody(client, world):
    client.post("/login", data={"email": world.doctor.email, "password": PASSWORD})
    html = client.get("/offline").get_data(as_text=True)
    assert "You're offline" in html or "You&#39;re offline" in html
    assert world.doctor.name not in html and "Log out" not in html


def test_logging_out_tells_the_browser_to_clear_what_it_kept(client, world):
    client.post("/login", data={"email": world.doctor.email, "password": PASSWORD})
    resp = client.post("/logout")
    assert resp.headers["Clear-Site-Data"] == '"cache", "storage"'


@pytest.mark.clock("2026-11-25T10:00:00+00:00")
def test_pages_carry_the_offline_notice_for_the_worker_to_show(client, world):
    client.post("/login", data={"email": world.doctor.email, "password": PASSWORD})
    html = client.get("/").get_data(as_text=True)
    assert 'data-served="network"' in html and 'id="app-offline"' in html
    assert "last updated 10:00" in html  # London time the page was made


def test_the_committed_icons_are_what_the_generator_draws():
    for size in icons.SIZES:
        png = icons.icon_path(size).read_bytes()
        assert png == icons.draw(size)
        assert struct.unpack(">II", png[16:24]) == (size, size)
