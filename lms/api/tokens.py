"""API tokens: ``POST /auth/token`` exchanges a login and password for a bearer token."""

from __future__ import annotations

from flask import Response, current_app, jsonify

from lms.accounts import services as accounts
from lms.api.auth import api_error
from lms.api.blueprint import bp, json_body
from lms.i18n import _


@bp.post("/auth/token")
def token() -> Response | tuple[Response, int]:
    body = json_body()
    if body is None or not isinstance(body.get("username"), str) or not isinstance(body.get("password"), str):
        return api_error(400, "bad_request", _("Send {\"username\": ..., \"password\": ...}."))
    user = accounts.authenticate(body["username"], body["password"])
    if user is None:
        return api_error(401, "invalid_credentials", _("Wrong phone number, username or password."))
    raw, row = accounts.issue_api_token(user, int(current_app.config["LMS_API_TOKEN_HOURS"]))
    return jsonify({"token": raw, "expires_at": row.expires_at.isoformat()})
