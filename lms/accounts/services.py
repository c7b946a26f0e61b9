"""Account operations: plain functions that views and the CLI share."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from lms.accounts.models import ROLES, ApiToken, AuditLog, User, UserRole
from lms.accounts.validators import (
    birth_year_problem,
    looks_like_phone,
    normalize_phone,
    password_problem,
    username_problem,
)
from lms.audiences import AUDIENCES
from lms.db import db, now_utc
from lms.i18n import _
from lms.textcheck import name_problem
from lms.units.models import AdminUnit

# a hash to compare against when the user does not exist, so timing does not reveal who has an account
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class AccountError(ValueError):
    """Bad input for an account; ``field`` names the form field the message belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class Registration:
    login: str
    password: str
    full_name: str
    birth_year: int | None
    audience: str
    unit_code: str | None
    locale: str = "vi"
    email: str | None = None


def find_by_login(login: str) -> User | None:
    login = (login or "").strip()
    phone = normalize_phone(login)
    if phone:
        return db.session.scalar(select(User).where(or_(User.phone == phone, User.username == phone)))
    return db.session.scalar(select(User).where(User.username == login.lower()))


def resolve_login(login: str) -> tuple[str, str | None]:
    """Split what the person typed into (username, phone); raise AccountError if it is neither."""
    login = (login or "").strip()
    phone = normalize_phone(login)
    if phone:
        return phone, phone
    if looks_like_phone(login):
        raise AccountError("login", _("This is not a Vietnamese mobile number (10 digits, e.g. 0912345678)."))
    username = login.lower()
    problem = username_problem(username)
    if problem:
        raise AccountError("login", problem)
    return username, None


def find_unit(code: str | None) -> AdminUnit | None:
    if not code:
        return None
    return db.session.scalar(select(AdminUnit).where(AdminUnit.code == code.strip()))


def validate_registration(reg: Registration, *, min_length: int = 8) -> tuple[str, str | None, AdminUnit | None]:
    username, phone = resolve_login(reg.login)
    if find_by_login(username) is not None or (phone and find_by_login(phone) is not None):
        raise AccountError("login", _("This username or phone number is already registered."))
    if not reg.full_name.strip():
        raise AccountError("full_name", _("Please enter your full name."))
    problem = name_problem(" ".join(reg.full_name.split()))  # line breaks and tabs become spaces
    if problem:
        raise AccountError("full_name", problem)
    problem = birth_year_problem(reg.birth_year)
    if problem:
        raise AccountError("birth_year", problem)
    if reg.audience not in AUDIENCES:
        raise AccountError("audience", _("Choose who you are."))
    unit = find_unit(reg.unit_code)
    if reg.unit_code and unit is None:
        raise AccountError("commune", _("We do not know this administrative unit. Choose it from the list."))
    problem = password_problem(
        reg.password, min_length=min_length,
        personal=(username, phone or "", str(reg.birth_year or "")),
    )
    if problem:
        raise AccountError("password", problem)
    return username, phone, unit


def register(reg: Registration, *, min_length: int = 8) -> User:
    username, phone, unit = validate_registration(reg, min_length=min_length)
    user = User(
        username=username, phone=phone, full_name=" ".join(reg.full_name.split()),
        birth_year=reg.birth_year, audience=reg.audience, unit_id=unit.id if unit else None,
        locale=reg.locale if reg.locale in ("vi", "en") else "vi", email=reg.email or None,
        password_hash=generate_password_hash(reg.password),
    )
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(login: str, password: str) -> User | None:
    user = find_by_login(login)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user


def set_password(user: User, new_password: str, *, min_length: int = 8, must_change: bool = False) -> None:
    problem = password_problem(
        new_password, min_length=min_length,
        personal=(user.username, user.phone or "", str(user.birth_year or "")),
    )
    if problem:
        raise AccountError("new_password", problem)
    user.password_hash = generate_password_hash(new_password)
    user.must_change_password = must_change


def change_password(user: User, old_password: str, new_password: str, *, min_length: int = 8) -> None:
    if not check_password_hash(user.password_hash, old_password or ""):
        raise AccountError("old_password", _("The current password is not right."))
    if old_password == new_password:
        raise AccountError("new_password", _("Choose a password different from the current one."))
    set_password(user, new_password, min_length=min_length)
    db.session.commit()


def set_roles(user: User, roles: set[str], actor: User | None = None) -> None:
    unknown = roles - set(ROLES)
    if unknown:
        raise AccountError("role", _("Unknown role: %(role)s", role=", ".join(sorted(unknown))))
    before = sorted(user.roles)
    user.role_rows = [UserRole(role=r) for r in sorted(roles) if r != "learner"]
    audit(actor, "set_roles", "user", user.id, {"before": before, "after": sorted(roles | {"learner"})})


def audit(actor: User | None, action: str, object_type: str, object_id: object, detail: dict) -> None:
    db.session.add(
        AuditLog(
            actor_id=actor.id if actor else None,
            actor_label=actor.username if actor else "cli",
            action=action, object_type=object_type, object_id=str(object_id), detail=detail,
        )
    )


def issue_api_token(user: User, hours: int) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id, token_hash=hashlib.sha256(token.encode()).hexdigest(),
        expires_at=now_utc() + timedelta(hours=hours),
    )
    db.session.add(row)
    db.session.commit()
    return token, row


def user_for_token(token: str) -> User | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if row is None or row.expires_at <= now_utc():
        return None
    return row.user


def user_id_for_token(token: str) -> int | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = db.session.execute(
        select(ApiToken.user_id, ApiToken.expires_at).where(ApiToken.token_hash == digest)
    ).first()
    if row is None or row.expires_at <= now_utc():
        return None
    return row.user_id


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0
