"""API tokens: ``POST /auth/token`` exchanges a login and password for a bearer token (failed tries
limited per account and address); ``GET /auth/tokens`` lists the caller's tokens and
``DELETE /auth/tokens/<id>`` revokes one."""

from __future__ import annotations

from flask import current_app, g, jsonify, request
from flask.typing import ResponseReturnValue

from lms.accounts import services as accounts
from lms.accounts.throttle import SignInLimits, blocked_message
from lms.api.auth import api_error, api_user, bearer_token, token_required
from lms.api.blueprint import bp, json_body
from lms.db import db
from lms.i18n import _


@bp.post("/auth/token")
def token() -> ResponseReturnValue:
    body = json_body()
    if body is None or not isinstance(body.get("username"), str) or not isinstance(body.get("password"), str):
        return api_error(400, "bad_request", _("Send {\"username\": ..., \"password\": ...}."))
    try:
        user = accounts.sign_in(body["username"], body["password"], request.remote_addr or "unknown",
                                SignInLimits.from_config(current_app.config))
    except accounts.SignInBlocked as blocked:
        response, status = api_error(429, "too_many_attempts", blocked_message(blocked.retry_after))
        response.headers["Retry-After"] = str(blocked.retry_after)
        return response, status
    if user is None:
        return api_error(401, "invalid_credentials", _("Wrong phone number, username or password."))
    if user.must_change_password:
        return api_error(403, "password_change_required",
                         _("Please sign in on the website and choose your own password first."))
    label = body.get("label") if isinstance(body.get("label"), str) else request.headers.get("User-Agent", "")
    raw, row = accounts.issue_api_token(user, int(current_app.config["LMS_API_TOKEN_HOURS"]), label=label)
    return jsonify({"token": raw, "expires_at": row.expires_at.isoformat()})


@bp.get("/auth/tokens")
@token_required()
def token_list() -> ResponseReturnValue:
    """The caller's live tokens; ``current`` marks the one this request used."""
    current = accounts.token_id_for(bearer_token() or "")
    return jsonify([
        {"id": t.id, "label": t.label, "created_at": t.created_at.isoformat(),
         "expires_at": t.expires_at.isoformat(), "current": t.id == current}
        for t in accounts.list_tokens(g.lms_user_id)
    ])


@bp.delete("/auth/tokens/<int:token_id>")
@token_required()
def token_revoke(token_id: int) -> ResponseReturnValue:
    if not accounts.revoke_token(g.lms_user_id, token_id):
        return api_error(404, "not_found", _("No such token."))
    accounts.audit(api_user(), "revoke_token", "api_token", token_id, {"by": "owner"})
    db.session.commit()
    return "", 204
