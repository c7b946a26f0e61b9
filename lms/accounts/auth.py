"""Who is signed in. Kept in the session under ``lms_user_id`` so a host's own login is untouched
(Flask-Login would claim ``app.login_manager`` for the whole host app)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g, redirect, request, session, url_for

from lms.accounts.models import User
from lms.db import db, now_utc


def load_current_user() -> None:
    user_id = session.get("lms_user_id")
    user = db.session.get(User, user_id) if user_id else None
    if user is not None and session.get("lms_pw") != _password_marker(user):
        # the password changed elsewhere: every other session ends
        user = None
        session.pop("lms_user_id", None)
    g.lms_user = user


def current_user() -> User | None:
    return g.get("lms_user")


def _password_marker(user: User) -> str:
    return user.password_hash[-12:]


def login_user(user: User) -> None:
    session.pop("lms_user_id", None)
    session["lms_user_id"] = user.id
    session["lms_pw"] = _password_marker(user)
    session["lms_locale"] = user.locale
    session.permanent = True
    user.last_login_at = now_utc()
    g.lms_user = user


def logout_user() -> None:
    for key in ("lms_user_id", "lms_pw"):
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
