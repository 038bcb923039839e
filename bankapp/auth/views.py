"""Login and logout pages, changing one's own password, and resetting a forgotten one by a texted code."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from ..errors import Unauthorized, ValidationFailed
from ..extensions import db, login_manager
from ..forms import load_form
from ..nav import register_nav
from ..transactions import attempt, keep_on_error
from . import reset
from .models import User
from .permissions import page_roles
from .rules import MIN_LENGTH
from .schemas import PasswordResetConfirmSchema, PasswordResetRequestSchema
from .services import set_password, verify_credentials
from .sessions import end_sessions, session_is_current, start_session
from .throttle import throttled_login, throttled_reset

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Log in to see this page."
login_manager.login_message_category = "info"
# "basic": a session seen from a new address or browser is marked not fresh
# rather than dropped — doctors' phones move between hospital Wi-Fi and 4G.
login_manager.session_protection = "basic"

register_nav("Change password", "auth.change_password", order=99)
WRONG_LOGIN = "_credentials"  # an error summary key without a field


@login_manager.user_loader
def load_user(user_id):
    """The session's user, unless they were deactivated or the session was ended since (auth/sessions.py)."""
    user = db.session.get(User, int(user_id))
    return user if user and user.active and session_is_current(user) else None


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
                # One message, in the summary only: it is not one field's fault (which one is never told).
                errors[WRONG_LOGIN] = [exc.detail]
            else:
                start_session(user)  # a fresh session at every login
                return redirect(_safe_next(request.args.get("next")) or url_for("home.index"))
        status = 401 if WRONG_LOGIN in errors else 422
        return render_template("auth/login.html", errors=errors, email=email), status
    return render_template("auth/login.html", errors=errors, email=email)


@bp.post("/logout")
def logout():
    """Ends every session of the user, on every server (a copied cookie stops working too)."""
    if current_user.is_authenticated:
        end_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash("You have logged out.", "success")
    response = redirect(url_for("auth.login"))
    # Nothing of this person stays readable on a shared phone: pages kept for offline use go too (bankapp/pwa.py).
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@page_roles()
def change_password():
    """Change one's own password: the current one first. Every other session ends and API tokens are revoked."""
    errors = {}
    if request.method == "POST":
        current, new = request.form.get("current_password", ""), request.form.get("new_password", "")
        try:
            verify_credentials(g.actor.email, current)
        except Unauthorized:
            errors["current_password"] = ["Enter your current password as it is now."]
        else:
            try:
                with attempt():
                    set_password(g.actor, new, actor=g.actor)
            except ValidationFailed as exc:
                errors["new_password"] = exc.errors["password"]
        if not errors:
            start_session(g.actor)  # this browser stays logged in, with a new session
            flash("Your password is changed. You have been logged out everywhere else.", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", errors=errors, min_length=MIN_LENGTH), 422 if errors else 200


# --- a forgotten password ------------------------------------------------------------------------


@bp.route("/password-reset", methods=["GET", "POST"])
@throttled_reset(count_every_request=True)
def password_reset():
    """Ask for a code by text; the answer is the same whether or not an account uses the email."""
    errors, email = {}, request.values.get("email", "").strip()
    if request.method == "POST":
        body, errors = load_form(PasswordResetRequestSchema(), request.form)
        if not errors:
            reset.request_reset(body["email"])
            flash(reset.ASKED, "info")
            return redirect(url_for("auth.password_reset_code", email=body["email"]))
    return render_template("auth/password_reset.html", errors=errors, email=email), 422 if errors else 200


@bp.route("/password-reset/code", methods=["GET", "POST"])
@throttled_reset(count_every_request=False)
def password_reset_code():
    """Enter the texted code and a new password. A wrong code counts as a try even though the page answers 422."""
    errors, email = {}, request.values.get("email", "").strip()
    if request.method == "POST":
        body, errors = load_form(PasswordResetConfirmSchema(), request.form)
        if not errors:
            keep_on_error()
            try:
                reset.confirm_reset(body["email"], body["code"].strip(), body["new_password"])
            except ValidationFailed as exc:
                errors = exc.errors
            else:
                flash("Your password is changed and you are logged out everywhere. Log in with your new password.",
                      "success")
                return redirect(url_for("auth.login"))
    return render_template("auth/password_reset_code.html", errors=errors, email=email, min_length=MIN_LENGTH,
                           minutes=reset.CODE_MINUTES), 422 if errors else 200
