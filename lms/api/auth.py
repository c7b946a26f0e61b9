"""Bearer-token authentication and JSON errors for the API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, jsonify, request

from lms.accounts.services import user_for_token
from lms.i18n import _


def api_error(status: int, code: str, message: str):  # noqa: ANN201
    return jsonify({"error": {"code": code, "message": message}}), status


def bearer_user():  # noqa: ANN201
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    return user_for_token(header[7:].strip())


def token_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = bearer_user()
            if user is None:
                return api_error(401, "unauthorized", _("Send a valid token: Authorization: Bearer <token>."))
            if roles and not user.has_role(*roles):
                return api_error(403, "forbidden", _("Your account is not allowed to do this."))
            g.lms_user = user
            return view(*args, **kwargs)

        return wrapped

    return decorator
