"""Who is signed in. The cookie session holds only a random session id (``lms_sid``) and the user id,
under keys of our own so a host's own login is untouched (Flask-Login would claim
``app.login_manager`` for the whole host app). The id is checked against ``lms_user_sessions`` on
every request: signing out or changing the password ends the session on the server, and a copied
cookie stops working. Nothing derived from the password is in the cookie."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache, wraps
from typing import Any

from flask import abort, current_app, g, redirect, request, session, url_for
from sqlalchemy import Select, bindparam, func, literal_column, select

from lms.accounts.models import User, UserRole, UserSession
from lms.accounts.services import end_session, secret_digest, start_session
from lms.changes import ChangeCounter
from lms.db import db, now_utc
from lms.fastread import read_one
from lms.pageversions import CONTENT, PageVersion

# lms_pw: older cookies' password marker; lms_acting: an ambassador acting for a citizen
# (lms.ambassadors.acting) keeps their own session id there, so it goes whenever the session does
SESSION_KEYS = ("lms_sid", "lms_user_id", "lms_pw", "lms_acting")


@dataclass(frozen=True, slots=True)
class SignedIn:
    """What every request of a signed-in browser needs, read in one query without the ORM.

    The full :class:`User` is loaded only when something asks for it (:func:`current_user`), so
    a page served from the page cache never builds one."""

    user_id: int
    locale: str | None
    must_change_password: bool
    page_version: int
    content_version: int
    roles: frozenset[str]


@lru_cache(maxsize=4)
def _session_read(dialect: str) -> Select:
    roles = UserRole.__table__
    joined = (func.string_agg(roles.c.role, literal_column("','")) if dialect == "postgresql"
              else func.group_concat(roles.c.role, literal_column("','")))
    return (
        select(UserSession.user_id, UserSession.expires_at, User.locale, User.must_change_password,
               func.coalesce(PageVersion.version, literal_column("0")),
               select(ChangeCounter.value).where(ChangeCounter.name == literal_column(f"'{CONTENT}'"))
               .scalar_subquery(),
               select(joined).where(roles.c.user_id == UserSession.user_id).scalar_subquery())
        .join(User, User.id == UserSession.user_id)
        .outerjoin(PageVersion, PageVersion.user_id == UserSession.user_id)
        .where(UserSession.sid_hash == bindparam("digest"))
    )


def _read_session(raw: str) -> SignedIn | None:
    dialect = db.engine.dialect.name
    row = read_one(f"accounts_session_read_{dialect}", _session_read(dialect), {"digest": secret_digest(raw)})
    if row is None or row[1] <= now_utc():
        return None
    roles = frozenset(row[6].split(",")) if row[6] else frozenset()
    return SignedIn(row[0], row[2], bool(row[3]), int(row[4]), int(row[5] or 0), roles)


def load_current_user() -> None:
    raw = session.get("lms_sid")
    signed_in = _read_session(raw) if isinstance(raw, str) and raw else None
    if signed_in is None or session.get("lms_user_id") != signed_in.user_id:
        signed_in = None
        if any(key in session for key in SESSION_KEYS):
            # signed out, password changed, expired, or a cookie from before server-side sessions
            for key in SESSION_KEYS:
                session.pop(key, None)
    g.lms_signed_in = signed_in
    g.lms_user_locale = signed_in.locale if signed_in is not None else None
    g.pop("lms_user", None)


def signed_in() -> SignedIn | None:
    """The signed-in browser's account id and versions (no ORM load), or None."""
    return g.get("lms_signed_in")


def signed_in_user_id() -> int | None:
    """The signed-in account's id without loading it."""
    if "lms_user" in g:
        return g.lms_user.id if g.lms_user is not None else None
    state = signed_in()
    return state.user_id if state is not None else None


def current_user() -> User | None:
    if "lms_user" not in g:
        state = g.get("lms_signed_in")
        g.lms_user = db.session.get(User, state.user_id) if state is not None else None
    return g.lms_user


class TemplateUser:
    """``current_user`` in templates: answers "signed in?" and "has this role?" from the session
    read, and loads the ORM user only when a template asks for anything else (a name, say)."""

    __slots__ = ()

    def __bool__(self) -> bool:
        if "lms_user" in g:
            return g.lms_user is not None
        return signed_in() is not None

    def has_role(self, *roles: str) -> bool:
        if "lms_user" in g:
            return g.lms_user is not None and g.lms_user.has_role(*roles)
        state = signed_in()
        return state is not None and bool(state.roles.intersection(roles))

    def __getattr__(self, name: str) -> Any:
        return getattr(current_user(), name)


TEMPLATE_USER = TemplateUser()


def session_lifetime() -> timedelta:
    return timedelta(hours=float(current_app.config["LMS_SESSION_HOURS"]))


def login_user(user: User) -> None:
    """Start a new server-side session (any earlier one of this browser ends; the caller commits)."""
    old = session.get("lms_sid")
    if isinstance(old, str) and old:
        end_session(old)
    for key in SESSION_KEYS:
        session.pop(key, None)
    session["lms_sid"] = start_session(user, session_lifetime())
    session["lms_user_id"] = user.id
    session["lms_locale"] = user.locale
    session.permanent = True
    user.last_login_at = now_utc()
    g.lms_user = user
    g.lms_user_locale = user.locale


def logout_user() -> None:
    """End this browser's session on the server too (the caller commits)."""
    raw = session.get("lms_sid")
    if isinstance(raw, str) and raw:
        end_session(raw)
    for key in SESSION_KEYS:
        session.pop(key, None)
    g.lms_user = None
    g.lms_signed_in = None


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        state = signed_in()
        if state is None and g.get("lms_user") is None:
            return redirect(url_for("lms_accounts.login", next=request.full_path.rstrip("?")))
        loaded = g.get("lms_user")  # the ORM user is the truth once loaded (it may have just changed)
        must_change = loaded.must_change_password if loaded is not None else state.must_change_password
        if must_change and request.endpoint not in (
            "lms_accounts.change_password",
            "lms_accounts.logout",
        ):
            return redirect(url_for("lms_accounts.change_password"))
        return view(*args, **kwargs)

    return wrapped


def roles_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user().has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
