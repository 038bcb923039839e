"""Users, passwords and API tokens."""
import hashlib
import re
import secrets
from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import bindparam
from sqlalchemy.orm import contains_eager, joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit.services import record_audit
from ..errors import Conflict, Unauthorized, ValidationFailed
from ..extensions import db
from ..staff.models import DoctorProfile
from ..timeutil import now_utc
from .models import ROLES, ApiToken, User, UserRole, UserSite

MIN_PASSWORD_LENGTH = 10
COMMON_PASSWORDS = {"password123", "1234567890", "qwertyuiop", "letmein123", "password1!", "nhspassword"}
E164 = re.compile(r"^\+[1-9]\d{7,14}$")
ESR = re.compile(r"^\d{8}-\d$")
# A fixed hash so that an unknown email costs the same as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0")


def password_problems(password: str, *, email: str | None = None) -> list[str]:
    problems = []
    if len(password or "") < MIN_PASSWORD_LENGTH:
        problems.append(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if (password or "").lower() in COMMON_PASSWORDS:
        problems.append("This password is too common.")
    if email and password and password.lower() == email.lower():
        problems.append("Do not use your email address as your password.")
    return problems


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(db.select(User).filter_by(email=normalise_email(email))).scalar_one_or_none()


def verify_credentials(email: str, password: str) -> User:
    """The user for these credentials, or Unauthorized that never says which part was wrong."""
    user = find_user_by_email(email)
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if not user or not ok or not user.active:
        raise Unauthorized("The email address or password is not right.")
    return user


def create_user(*, email, name, password, roles, site_ids=(), actor=None, mobile=None, sms_opt_in=False,
                agency_id=None, check_password=True, password_hash=None) -> User:
    email = normalise_email(email)
    errors = {}
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        errors["roles"] = [f"Unknown role: {', '.join(unknown)}. Roles are: {', '.join(ROLES)}."]
    if not roles:
        errors["roles"] = ["Give at least one role."]
    if check_password:
        problems = password_problems(password, email=email)
        if problems:
            errors["password"] = problems
    if mobile and not E164.match(mobile):
        errors["mobile"] = ["Give the mobile number in international form, e.g. +447700900123."]
    if errors:
        raise ValidationFailed("Some fields are not valid.", errors=errors)
    if find_user_by_email(email):
        raise Conflict(f"A user with the email {email} already exists.", errors={"email": ["Already in use."]})
    user = User(email=email, name=name.strip(), password_hash=password_hash or hash_password(password), mobile=mobile,
                sms_opt_in=bool(sms_opt_in), agency_id=agency_id)
    user.roles = [UserRole(role=r) for r in dict.fromkeys(roles)]
    user.site_links = [UserSite(site_id=s) for s in dict.fromkeys(site_ids or ())]
    db.session.add(user)
    db.session.flush()
    record_audit("user.created", "user", user.id, actor=actor,
                 after={"email": email, "roles": list(roles), "site_ids": list(site_ids or ())})
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    ttl = timedelta(hours=current_app.config["API_TOKEN_TTL_HOURS"])
    row = ApiToken(user_id=user.id, token_hash=_token_hash(token), expires_at=now_utc() + ttl)
    db.session.add(row)
    db.session.flush()
    record_audit("token.issued", "api_token", row.id, actor=user)
    return token, row


@cache
def _token_with_user():
    """The token (by ``:token_hash``) joined to its user, with everything a request asks of the user.

    Roles, site links and the doctor's profile (with its grade) are joined
    eagerly instead of the relationships' ``selectin`` default, which would
    cost one round trip each: permission checks, visibility and the claim
    checks read them on almost every request. The two collections are small (a
    few roles, a few sites), so the joined rows stay few. Built once: building
    a statement with loader options costs more Python than running it.
    """

    return (db.select(ApiToken).join(ApiToken.user).where(ApiToken.token_hash == bindparam("token_hash"))
            .options(contains_eager(ApiToken.user).options(
                joinedload(User.roles), joinedload(User.site_links),
                joinedload(User.doctor_profile).joinedload(DoctorProfile.grade))))


def find_live_token(token: str) -> ApiToken | None:
    """The live token row with its user (one query), or None when unknown, revoked, expired or inactive."""
    if not token:
        return None
    row = db.session.execute(_token_with_user(), {"token_hash": _token_hash(token)}).unique().scalar_one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= now_utc() or not row.user.active:
        return None
    return row


def revoke_token(row: ApiToken, *, actor) -> None:
    row.revoked_at = now_utc()
    record_audit("token.revoked", "api_token", row.id, actor=actor)
