"""Error pages in the user's language."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify, make_response, render_template
from flask.globals import request_ctx
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from lms.i18n import _
from lms.web.inputs import too_large_message
from lms.web.negotiation import api_request, wants_json

#: the errors the LMS renders itself, in the user's language (texts in ``_title``)
HANDLED_CODES: tuple[int, ...] = (400, 403, 404, 405, 413, 429)


def _title(code: int) -> str:
    messages = {
        400: _("Bad request"),
        403: _("You are not allowed to see this page."),
        404: _("We could not find this page."),
        405: _("This action is not allowed here."),
        413: _("What you sent is too large."),
        429: _("Too many requests. Please wait a minute and try again."),
    }
    return messages.get(code, _("Something went wrong."))


def render_error(error: HTTPException) -> ResponseReturnValue:
    response = make_response(_error_body(error))
    retry_after = getattr(error, "retry_after", None)  # a 429's or 503's hint
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    valid_methods = getattr(error, "valid_methods", None)  # a 405's
    if valid_methods:
        response.headers["Allow"] = ", ".join(valid_methods)
    return response


def _error_body(error: HTTPException) -> tuple:
    code = error.code or 500
    description = error.description if code in (400, 429) else None
    if code == 413:
        description = too_large_message()
    if api_request() or wants_json():
        message = description if description and description != type(error).description else _title(code)
        return jsonify({"error": {"code": error.name.lower().replace(" ", "_"), "message": message}}), code
    if description == type(error).description:
        description = None
    if request_ctx.url_adapter is None:
        # the request was refused before routing (a Host outside TRUSTED_HOSTS): no page links can be built
        return f"{code} {_title(code)}\n", code, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("lms/error.html", code=code, title=_title(code), description=description), code


def register_blueprint_error_pages(bp: Blueprint) -> None:
    for code in HANDLED_CODES:
        bp.register_error_handler(code, render_error)


def register_app_error_pages(app: Flask) -> None:
    for code in HANDLED_CODES:
        app.register_error_handler(code, render_error)
