"""Login and logout pages."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import login_user, logout_user

from ..errors import Unauthorized
from ..extensions import db, login_manager
from .models import User
from .services import verify_credentials
from .throttle import throttled_login

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Log in to see this page."
login_manager.login_message_category = "info"
# "basic": a session seen from a new address or browser is marked not fresh
# rather than dropped — doctors' phones move between hospital Wi-Fi and 4G.
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id):
    user = db.session.get(User, int(user_id))
    return user if user and user.active else None


def _safe_next(target):
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@throttled_login
def login():
    errors = {}
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "").strip()
        password = request.form.get("password", "")
        if not email:
            errors["email"] = ["Enter your email address."]
        if not password:
            errors["password"] = ["Enter your password."]
        if not errors:
            try:
                user = verify_credentials(email, password)
            except Unauthorized as exc:
                errors["password"] = [exc.detail]
            else:
                session.clear()  # a fresh session at every login
                login_user(user)
                return redirect(_safe_next(request.args.get("next")) or url_for("home.index"))
        status = 401 if "password" in errors and email and request.form.get("password") else 422
        return render_template("auth/login.html", errors=errors, email=email), status
    return render_template("auth/login.html", errors=errors, email=email)


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    flash("You have logged out.", "success")
    return redirect(url_for("auth.login"))
