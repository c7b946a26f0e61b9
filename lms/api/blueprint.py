"""The JSON API v1 blueprint (bearer tokens, no cookies, no CSRF), its error handler and body parsing.

One module per resource adds its routes: :mod:`lms.api.tokens`, :mod:`lms.api.courses`,
:mod:`lms.api.quiz`, :mod:`lms.api.certificates`, :mod:`lms.api.coverage`, :mod:`lms.api.openapi`.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from werkzeug.exceptions import HTTPException

from lms.quiz.registry import QuestionTypeRegistry
from lms.web.errors import render_error
from lms.web.inputs import read_json

bp = Blueprint("lms_api", __name__, url_prefix="/api/v1")


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response | tuple[Response, int]:
    return render_error(error)


def json_body() -> dict | None:
    """The JSON object sent, or None when it is missing or not an object; the body limit
    (LMS_API_MAX_BYTES) holds chunked bodies too (413), and bad JSON is refused (lms.web.inputs)."""
    body = read_json()
    return body if isinstance(body, dict) else None


def question_types() -> QuestionTypeRegistry:
    return current_app.extensions["lms"].question_types
