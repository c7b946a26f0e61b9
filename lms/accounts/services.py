"""Account operations: plain functions that views and the CLI share."""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta

from sqlalchemy import delete, insert, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from lms.accounts.models import ROLES, ApiToken, AuditLog, User, UserRole, UserSession
from lms.accounts.throttle import SignInLimits, client_key, throttle_for_app
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


@functools.cache
def _dummy_hash() -> str:
    """A hash to compare against when the user does not exist, so timing does not reveal who has an
    account. Made on a worker's first sign-in, not at import (a password hash is a noticeable part of
    a worker's start); every sign-in asks for it first, so the first one costs the same for anyone."""
    return generate_password_hash("not-a-real-password")


class SignInBlocked(Exception):
    """Too many failed sign-ins from this client or for this account: wait ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


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
        personal=(username, phone or "", str(reg.birth_year or "")), name=reg.full_name,
    )
    if problem:
        raise AccountError("password", problem)
    return username, phone, unit


@dataclass(frozen=True)
class NewAccount:
    """An account to create, already checked by its caller (registration, the CLI, a roster)."""

    username: str
    full_name: str
    password_hash: str
    phone: str | None = None
    email: str | None = None
    birth_year: int | None = None
    audience: str | None = None
    unit_id: int | None = None
    locale: str = "vi"
    must_change_password: bool = False


def create_accounts(accounts: Sequence[NewAccount]) -> list[int]:
    """Insert the accounts and return their ids in order; the one place accounts are created.

    One Core INSERT for all of them, not the ORM's bulk insert: the ORM groups consecutive rows
    by which values are None (phone, email), which splits a 10,000-row roster into thousands of
    small INSERT ... RETURNING batches. The caller commits.
    """
    if not accounts:
        return []
    now = now_utc()
    users = User.__table__
    return list(
        db.session.execute(
            insert(users).returning(users.c.id, sort_by_parameter_order=True),
            [{**asdict(account), "created_at": now} for account in accounts],
        ).scalars()
    )


def register(reg: Registration, *, min_length: int = 8) -> User:
    username, phone, unit = validate_registration(reg, min_length=min_length)
    [user_id] = create_accounts([NewAccount(
        username=username, phone=phone, full_name=" ".join(reg.full_name.split()),
        birth_year=reg.birth_year, audience=reg.audience, unit_id=unit.id if unit else None,
        locale=reg.locale if reg.locale in ("vi", "en") else "vi", email=reg.email or None,
        password_hash=generate_password_hash(reg.password),
    )])
    db.session.commit()
    return db.session.get(User, user_id)


def authenticate(login: str, password: str) -> User | None:
    dummy = _dummy_hash()
    user = find_by_login(login)
    if user is None:
        check_password_hash(dummy, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user


def sign_in(login: str, password: str, address: str, limits: SignInLimits) -> User | None:
    """``authenticate`` behind the failed-sign-in limits (see :mod:`lms.accounts.throttle`).

    Raises :class:`SignInBlocked` before the password is even looked at when this client must wait.
    An unknown login is counted like a known one, under what was typed, so the limits do not tell
    who has an account.
    """
    dummy = _dummy_hash()
    user = find_by_login(login)
    account = f"user:{user.id}" if user is not None else "login:" + (login or "").strip().lower()[:64]
    address = client_key(address)
    throttle = throttle_for_app()
    wait = throttle.wait_seconds(account, address, limits)
    if wait:
        raise SignInBlocked(wait)
    if user is None:
        check_password_hash(dummy, password or "")
    if user is None or not check_password_hash(user.password_hash, password or ""):
        throttle.failed(account, address, limits)
        return None
    throttle.succeeded(account, address, limits)
    return user


def personal_words(user: User) -> tuple[str, ...]:
    """What this account's password must not contain (besides its name)."""
    return (user.username, user.phone or "", str(user.birth_year or ""))


def set_password(user: User, new_password: str, *, min_length: int = 8, must_change: bool = False) -> None:
    """Set a new password; every session and API token of the account ends (the caller commits)."""
    problem = password_problem(new_password, min_length=min_length, personal=personal_words(user),
                               name=user.full_name or "")
    if problem:
        raise AccountError("new_password", problem)
    user.password_hash = generate_password_hash(new_password)
    user.must_change_password = must_change
    revoke_credentials(user.id)


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


def secret_digest(raw: str) -> str:
    """What is stored of a bearer token or a session id: its SHA-256, never the secret itself."""
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_api_token(user: User, hours: int, label: str = "") -> tuple[str, ApiToken]:
    """A new bearer token (shown once; only its SHA-256 is kept). The owner's expired tokens go."""
    token = secrets.token_urlsafe(32)
    now = now_utc()
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.expires_at <= now))
    row = ApiToken(
        user_id=user.id, token_hash=secret_digest(token), expires_at=now + timedelta(hours=hours),
        label=" ".join((label or "").split())[:120],
    )
    db.session.add(row)
    db.session.commit()
    return token, row


def list_tokens(user_id: int) -> list[ApiToken]:
    """The account's tokens that still work, newest first."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.expires_at > now_utc())
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ))


def token_id_for(token: str) -> int | None:
    return db.session.scalar(select(ApiToken.id).where(ApiToken.token_hash == secret_digest(token)))


def revoke_token(user_id: int, token_id: int) -> bool:
    """End one of the account's tokens; False when it has no such token (the caller commits)."""
    result = db.session.execute(delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id))
    return bool(result.rowcount)


def revoke_all_tokens(user_id: int) -> int:
    return db.session.execute(delete(ApiToken).where(ApiToken.user_id == user_id)).rowcount or 0


def start_session(user: User, lifetime: timedelta) -> str:
    """A server-side session for a browser; returns the random id its cookie carries."""
    raw = secrets.token_urlsafe(32)
    now = now_utc()
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now))
    db.session.add(UserSession(user_id=user.id, sid_hash=secret_digest(raw), created_at=now, expires_at=now + lifetime))
    return raw


def end_session(raw: str) -> None:
    db.session.execute(delete(UserSession).where(UserSession.sid_hash == secret_digest(raw)))


def revoke_credentials(user_id: int) -> None:
    """End every browser session and every API token of the account (password change or reset)."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    revoke_all_tokens(user_id)


def user_for_token(token: str) -> User | None:
    digest = secret_digest(token)
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if row is None or row.expires_at <= now_utc():
        return None
    return row.user


def user_id_for_token(token: str) -> int | None:
    digest = secret_digest(token)
    row = db.session.execute(
        select(ApiToken.user_id, ApiToken.expires_at).where(ApiToken.token_hash == digest)
    ).first()
    if row is None or row.expires_at <= now_utc():
        return None
    return row.user_id
