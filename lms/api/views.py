"""JSON API v1 (bearer tokens), mirroring the HTML flow."""

from __future__ import annotations

import importlib

from flask import Blueprint, current_app, g, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from lms.accounts import services as accounts
from lms.api.auth import api_error, bearer_token, bearer_user_id, token_hash, token_required
from lms.audiences import AUDIENCES
from lms.courses import services as courses
from lms.db import db, now_utc
from lms.i18n import _
from lms.quiz import answers, attempts
from lms.quiz.models import Attempt
from lms.web.inputs import read_json

bp = Blueprint("lms_api", __name__, url_prefix="/api/v1")


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):  # noqa: ANN202
    from lms.web.errors import render_error

    return render_error(error)


def _json_body() -> dict | None:
    """The JSON object sent; the body limit (LMS_API_MAX_BYTES) holds chunked bodies too (413)."""
    body = read_json()
    return body if isinstance(body, dict) else None


def _registry():  # noqa: ANN202
    return current_app.extensions["lms"].question_types


@bp.post("/auth/token")
def token():  # noqa: ANN201
    body = _json_body()
    if body is None or not isinstance(body.get("username"), str) or not isinstance(body.get("password"), str):
        return api_error(400, "bad_request", _("Send {\"username\": ..., \"password\": ...}."))
    user = accounts.authenticate(body["username"], body["password"])
    if user is None:
        return api_error(401, "invalid_credentials", _("Wrong phone number, username or password."))
    raw, row = accounts.issue_api_token(user, int(current_app.config["LMS_API_TOKEN_HOURS"]))
    return jsonify({"token": raw, "expires_at": row.expires_at.isoformat()})


@bp.get("/courses")
def course_list():  # noqa: ANN201
    audience = request.args.get("audience")
    if audience is not None and audience not in AUDIENCES:
        return api_error(400, "unknown_audience", _("Unknown audience. Use one of: %(options)s.",
                                                    options=", ".join(AUDIENCES)))
    return jsonify([
        {"slug": c.slug, "title": c.title, "summary": c.summary, "audiences": c.audiences,
         "url": url_for("lms_courses.course", slug=c.slug, _external=True)}
        for c in courses.active_courses(audience)
    ])


def attempt_payload(attempt: Attempt, with_questions: bool = True) -> dict:
    registry = _registry()
    payload = {
        "id": attempt.id, "course": attempt.snapshot.get("course_slug") or _course_slug(attempt),
        "state": attempt.state, "number": attempt.number,
        "started_at": attempt.started_at.isoformat(),
        "deadline": attempt.deadline.isoformat() if attempt.deadline else None,
        "remaining_seconds": attempts.remaining_seconds(attempt) if attempt.state == "in_progress" else None,
    }
    if with_questions:
        questions = []
        for item in attempt.snapshot["questions"]:
            presented = registry.get(item["qtype"]).present(item["config"], item["order"])
            questions.append({"position": item["position"], **presented})
        payload["questions"] = questions
    return payload


def _course_slug(attempt: Attempt) -> str:
    from lms.courses.models import Course

    return db.session.get(Course, attempt.course_id).slug


@bp.post("/courses/<slug>/attempts")
@token_required()
def start_attempt(slug: str):  # noqa: ANN201
    course = courses.get_course(slug)
    if course is None:
        return api_error(404, "not_found", _("No such course."))
    try:
        attempt = attempts.start_attempt(g.lms_user_id, course, _registry())
    except attempts.QuizError as error:
        return api_error(error.status, error.code, error.message)
    return jsonify(attempt_payload(attempt)), 201


def _own(attempt_id: int) -> Attempt | None:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != g.lms_user_id:
        return None
    return attempt


@bp.put("/attempts/<int:attempt_id>/answers/<int:position>")
def save_answer(attempt_id: int, position: int):  # noqa: ANN201
    """The hottest endpoint: token, owner, state and deadline are checked in one query."""
    token = bearer_token()
    if token is None:
        return api_error(401, "unauthorized", _("Send a valid token: Authorization: Bearer <token>."))
    now = now_utc()
    grace = int(current_app.config["LMS_SUBMIT_GRACE_SECONDS"])
    body = _json_body()
    if body is not None and "response" in body:
        fast = answers.save_with_token(token_hash(token), attempt_id, position, body["response"], _registry(),
                                       now=now, grace=grace)
        if fast is not None:
            response, state = fast
            return jsonify({"position": position, "response": response, "saved": True,
                            "remaining_seconds": answers.remaining(state, now)})
    state = answers.attempt_state_for_token(attempt_id, token_hash(token), now)
    if state is None:
        if bearer_user_id() is None:
            return api_error(401, "unauthorized", _("Send a valid token: Authorization: Bearer <token>."))
        return api_error(404, "not_found", _("No such attempt."))
    if body is None or "response" not in body:
        return api_error(400, "bad_request", _("Send {\"response\": ...}."))
    try:
        response = answers.save_checked(state, position, body["response"], _registry(), now=now, grace=grace)
    except attempts.QuizError as error:
        return api_error(error.status, error.code, error.message)
    return jsonify({"position": position, "response": response, "saved": True,
                    "remaining_seconds": answers.remaining(state, now)})


@bp.get("/attempts/<int:attempt_id>")
@token_required()
def get_attempt(attempt_id: int):  # noqa: ANN201
    attempt = _own(attempt_id)
    if attempt is None:
        return api_error(404, "not_found", _("No such attempt."))
    attempts.finish_if_overdue(attempt, _registry(), grace=int(current_app.config["LMS_SUBMIT_GRACE_SECONDS"]))
    payload = attempt_payload(attempt)
    payload["responses"] = {str(k): v for k, v in attempts.responses(attempt).items()}
    payload["current_position"] = attempt.current_position
    if attempt.state != "in_progress":
        payload["score_percent"] = attempt.score_percent
        payload["passed"] = attempt.passed
    return jsonify(payload)


@bp.post("/attempts/<int:attempt_id>/submit")
@token_required()
def submit(attempt_id: int):  # noqa: ANN201
    attempt = _own(attempt_id)
    if attempt is None:
        return api_error(404, "not_found", _("No such attempt."))
    result = attempts.submit_attempt(attempt.id, _registry())
    attempt = result.attempt
    certificate = None
    if attempt.passed:
        from lms.certificates.queries import certificate_for_course
        from lms.courses.models import Course

        cert = certificate_for_course(attempt.user_id, db.session.get(Course, attempt.course_id))
        if cert is not None:
            from lms.certificates.urls import verify_url

            certificate = {"code": cert.code, "verify_url": verify_url(cert)}
    return jsonify({"id": attempt.id, "score_percent": attempt.score_percent, "passed": attempt.passed,
                    "state": attempt.state, "certificate": certificate})


@bp.get("/openapi.json")
def openapi():  # noqa: ANN201
    from lms.api.openapi import document

    return jsonify(document())


# other packages add their endpoints to this blueprint (and to the OpenAPI document)
for _module in ("lms.certificates.api", "lms.coverage.api", "lms.classes.api"):
    importlib.import_module(_module)
