"""Who is signed in. The cookie session holds only a random session id (``lms_sid``) and the user id,
under keys of our own so a host's own login is untouched (Flask-Login would claim
``app.login_manager`` for the whole host app). The id is checked against ``lms_user_sessions`` on
every request: signing out or changing the password ends the session on the server, and a copied
cookie stops working. Nothing derived from the password is in the cookie."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import abort, current_app, g, redirect, request, session, url_for

from lms.accounts.models import User
from lms.accounts.services import end_session, start_session, user_for_session
from lms.db import now_utc

SESSION_KEYS = ("lms_sid", "lms_user_id", "lms_pw")  # lms_pw: older cookies' password marker


def load_current_user() -> None:
    raw = session.get("lms_sid")
    user = user_for_session(raw) if isinstance(raw, str) and raw else None
    if user is None or session.get("lms_user_id") != user.id:
        user = None
        if any(key in session for key in SESSION_KEYS):
            # signed out, password changed, expired, or a cookie from before server-side sessions
            for key in SESSION_KEYS:
                session.pop(key, None)
    g.lms_user = user


def current_user() -> User | None:
    return g.get("lms_user")


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


def logout_user() -> None:
    """End this browser's session on the server too (the caller commits)."""
    raw = session.get("lms_sid")
    if isinstance(raw, str) and raw:
        end_session(raw)
    for key in SESSION_KEYS:
        session.pop(key, None)
    g.lms_user = None


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None:
            return redirect(url_for("lms_accounts.login", next=request.full_path.rstrip("?")))
        if user.must_change_password and request.endpoint not in (
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
