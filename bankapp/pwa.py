"""Installable and offline-tolerant: the web app manifest, the service worker and the offline page.

Served from the site root so that the service worker's scope covers the whole app. What the worker
keeps (``static/sw.js``):

* the app's own static files (styles, scripts, icons) and the offline page, so a page opens without signal;
* the doctor's pages as last loaded — the home page, My shifts (upcoming bookings), the last board
  (``/shifts``, whatever its filters) and shift pages opened — in a cache of their own. Offline they are
  shown with "You're offline — last updated HH:MM" (``app.js``), and anything that needs the network
  (a claim, a form, a page never opened) says so instead of failing.

Nothing of one person stays readable after logout on a shared phone: the worker empties the pages' cache
before it sends a logout on (with or without signal), the logout answer carries ``Clear-Site-Data:
"cache", "storage"``, and the worker empties the cache whenever the server sends the browser to the login
page (a session ended elsewhere).
"""
import json

from flask import Blueprint, current_app, render_template, url_for

from .icons import SIZES

bp = Blueprint("pwa", __name__)

NHS_BLUE = "#005eb8"


@bp.get("/manifest.webmanifest")
def manifest():
    body = {
        "name": "Staff Bank",
        "short_name": "Staff Bank",
        "description": "The merged trust's medical staff bank: find, claim and keep track of bank shifts.",
        "start_url": url_for("home.index"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f0f4f5",
        "theme_color": NHS_BLUE,
        "icons": [{"src": url_for("static", filename=f"icons/icon-{size}.png"), "sizes": f"{size}x{size}",
                   "type": "image/png", "purpose": "any maskable"} for size in SIZES],
    }
    return current_app.response_class(json.dumps(body, indent=2), mimetype="application/manifest+json",
                                      headers={"Cache-Control": "no-cache"})


@bp.get("/sw.js")
def service_worker():
    """The worker itself, from the root (its scope is the path it is served from); always checked for updates."""
    response = current_app.send_static_file("sw.js")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
def offline():
    """What the worker shows for a page that needs the network when there is none."""
    return render_template("offline.html", minimal_layout=True)
