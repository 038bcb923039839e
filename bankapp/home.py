"""The home page: one per role, filled by the features' own sections; and the load balancer's health check."""
import os

from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required

from .features import FEATURES

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    return render_template("home/index.html", user=current_user, home_features=FEATURES)


def draining() -> bool:
    """Has an operator asked this server to drain (``DRAIN_FILE`` exists)?"""
    path = current_app.config.get("DRAIN_FILE")
    return bool(path) and os.path.exists(path)


@bp.get("/healthz")
def healthz():
    """200 while the server takes requests; 503 while it drains, so the load balancer sends it no more.

    It touches no database: a slow database must not take every server out of the pool at once.
    Draining a server before a restart (README, "Running at scale"): create ``DRAIN_FILE``, wait until
    the load balancer has seen the 503 and its requests have finished, stop or HUP gunicorn, start it,
    remove the file.
    """
    if draining():
        return {"status": "draining"}, 503
    return {"status": "ok"}
