"""Bearer-token authentication and JSON errors for the API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, g, jsonify, request

from lms.accounts.models import User
from lms.accounts.services import secret_digest, user_for_token, user_id_for_token
from lms.db import db
from lms.i18n import _


def api_error(status: int, code: str, message: str) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message}}), status


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return header[7:].strip() or None


def token_hash(token: str) -> str:
    return secret_digest(token)


def bearer_user() -> User | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return user_for_token(header[7:].strip())


def bearer_user_id() -> int | None:
    """The token's user id in one indexed query (answer saves need nothing more)."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return user_id_for_token(header[7:].strip())


def token_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Require a bearer token; with ``roles``, the account must hold one of them.

    Without roles only the user id is loaded (``g.lms_user_id``), which keeps the hot
    answer-saving path to a single look-up.
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if roles:
                user = bearer_user()
                user_id = user.id if user is not None else None
            else:
                user, user_id = None, bearer_user_id()
            if user_id is None:
                return api_error(401, "unauthorized", _("Send a valid token: Authorization: Bearer <token>."))
            if roles and not user.has_role(*roles):
                return api_error(403, "forbidden", _("Your account is not allowed to do this."))
            g.lms_user_id = user_id
            if user is not None:
                g.lms_user = user
            return view(*args, **kwargs)

        return wrapped

    return decorator


def api_user() -> User:
    """The token's full user (loaded on first use)."""
    user = g.get("lms_user")
    if user is None:
        user = g.lms_user = db.session.get(User, g.lms_user_id)
    return user
