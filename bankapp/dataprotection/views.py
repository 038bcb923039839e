"""Pages: download your own data; confirm anonymising a departed person (admin)."""
import json
import logging

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from ..auth.models import User
from ..auth.permissions import page_roles
from ..errors import DomainError
from ..extensions import db
from ..nav import register_nav
from ..timeutil import london_date, now_utc
from ..transactions import attempt
from . import services

log = logging.getLogger(__name__)
bp = Blueprint("dataprotection", __name__)

register_nav("Your data", "dataprotection.my_data", "doctor", order=95)

MAX_REASON = 500


@bp.get("/me/data")
@page_roles()
def my_data():
    data = services.personal_data(g.actor)
    counts = {"documents": len(data["documents"]), "bookings": len(data["bookings"]),
              "timesheets": len(data["timesheets"]), "messages": len(data["messages"]),
              "audit_events": len(data["audit_events"])}
    return render_template("dataprotection/my_data.html", data=data, counts=counts)


@bp.get("/me/data/download")
@page_roles()
def download_my_data():
    data = services.personal_data(g.actor)
    services.record_export(g.actor, actor=g.actor)
    filename = f"staff-bank-my-data-{london_date(now_utc()).isoformat()}.json"
    body = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _person(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/admin/users/<int:user_id>/anonymise", methods=["GET", "POST"])
@page_roles("admin")
def anonymise(user_id):
    user = _person(user_id)
    errors = {}
    reason = ""
    if request.method == "POST":
        reason = request.form.get("reason", "").strip()
        if len(reason) > MAX_REASON:
            errors["reason"] = [f"Use {MAX_REASON} characters or fewer."]
        else:
            try:
                with attempt():
                    services.anonymise_user(user, actor=g.actor, reason=reason or None)
            except DomainError as exc:
                user = _person(user_id)
                message = "Cancel or reassign the future bookings listed below first." if exc.reasons else exc.detail
                return render_template("dataprotection/anonymise.html", person=user, errors={"_form": [message]},
                                       reason=reason, future=services.future_bookings(user)), exc.status
            flash(f"User {user.id} has been anonymised. Their ESR number, bookings and pay are kept.", "success")
            return redirect(url_for("dataprotection.anonymise", user_id=user.id))
    return render_template("dataprotection/anonymise.html", person=user, errors=errors, reason=reason,
                           future=services.future_bookings(user) if user.anonymised_at is None else []), \
        (422 if errors else 200)
