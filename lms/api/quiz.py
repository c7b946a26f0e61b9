"""Quiz attempts over the API: start, save an answer (the hottest endpoint), read, submit."""

from __future__ import annotations

from flask import current_app, g, jsonify
from flask.typing import ResponseReturnValue

from lms.api.auth import api_error, api_user, bearer_token, bearer_user_id, token_hash, token_required
from lms.api.blueprint import bp, json_body, question_types
from lms.certificates.queries import certificate_for_course
from lms.certificates.urls import verify_url
from lms.courses import services as courses
from lms.courses.models import Course
from lms.db import db, now_utc
from lms.i18n import _
from lms.quiz import answers, attempts
from lms.quiz.models import Attempt


def attempt_payload(attempt: Attempt, with_questions: bool = True) -> dict:
    registry = question_types()
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
    return db.session.get(Course, attempt.course_id).slug


@bp.post("/courses/<slug>/attempts")
@token_required()
def start_attempt(slug: str) -> ResponseReturnValue:
    if api_user().must_change_password:
        return api_error(403, "password_change_required",
                         _("Please sign in on the website and choose your own password first."))
    course = courses.get_course(slug)
    if course is None:
        return api_error(404, "not_found", _("No such course."))
    try:
        attempt = attempts.start_attempt(g.lms_user_id, course, question_types())
    except attempts.QuizError as error:
        return api_error(error.status, error.code, error.message)
    return jsonify(attempt_payload(attempt)), 201


def _own(attempt_id: int) -> Attempt | None:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != g.lms_user_id:
        return None
    return attempt


@bp.put("/attempts/<int:attempt_id>/answers/<int:position>")
def save_answer(attempt_id: int, position: int) -> ResponseReturnValue:
    """The hottest endpoint: token, owner, state and deadline are checked in one query."""
    token = bearer_token()
    if token is None:
        return api_error(401, "unauthorized", _("Send a valid token: Authorization: Bearer <token>."))
    now = now_utc()
    grace = int(current_app.config["LMS_SUBMIT_GRACE_SECONDS"])
    body = json_body()
    if body is not None and "response" in body:
        fast = answers.save_with_token(token_hash(token), attempt_id, position, body["response"], question_types(),
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
        response = answers.save_checked(state, position, body["response"], question_types(), now=now, grace=grace)
    except attempts.QuizError as error:
        return api_error(error.status, error.code, error.message)
    return jsonify({"position": position, "response": response, "saved": True,
                    "remaining_seconds": answers.remaining(state, now)})


@bp.get("/attempts/<int:attempt_id>")
@token_required()
def get_attempt(attempt_id: int) -> ResponseReturnValue:
    attempt = _own(attempt_id)
    if attempt is None:
        return api_error(404, "not_found", _("No such attempt."))
    attempts.finish_if_overdue(attempt, question_types(), grace=int(current_app.config["LMS_SUBMIT_GRACE_SECONDS"]))
    payload = attempt_payload(attempt)
    payload["responses"] = {str(k): v for k, v in attempts.responses(attempt).items()}
    payload["current_position"] = attempt.current_position
    if attempt.state != "in_progress":
        payload["score_percent"] = attempt.score_percent
        payload["passed"] = attempt.passed
    return jsonify(payload)


@bp.post("/attempts/<int:attempt_id>/submit")
@token_required()
def submit(attempt_id: int) -> ResponseReturnValue:
    attempt = _own(attempt_id)
    if attempt is None:
        return api_error(404, "not_found", _("No such attempt."))
    result = attempts.submit_attempt(attempt.id, question_types())
    attempt = result.attempt
    certificate = None
    if attempt.passed:
        cert = certificate_for_course(attempt.user_id, db.session.get(Course, attempt.course_id))
        if cert is not None:
            certificate = {"code": cert.code, "verify_url": verify_url(cert)}
    return jsonify({"id": attempt.id, "score_percent": attempt.score_percent, "passed": attempt.passed,
                    "state": attempt.state, "certificate": certificate})
