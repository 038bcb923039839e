"""The home page: one per role, filled by the features' own sections."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from .features import FEATURES

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    return render_template("home/index.html", user=current_user, home_features=FEATURES)


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}
