"""Quiz pages: start, one question per page (works without JavaScript), submit, result."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from lms.accounts.auth import current_user, login_required, signed_in, signed_in_user_id
from lms.accounts.forms import EmptyForm
from lms.courses import services as courses
from lms.courses.models import Course
from lms.db import db
from lms.i18n import _
from lms.quiz import answers, attempts, offline
from lms.quiz.blueprint import bp
from lms.quiz.fastpage import TIMER, question_variant
from lms.quiz.models import Attempt
from lms.quiz.presenting import render_text, response_from_form
from lms.quiz.queries import quiz_overview
from lms.quiz.review import review_items
from lms.signals import gather, page_context
from lms.web.inputs import read_json
from lms.web.pagecache import cached_page, rendering_for_cache, slot_placeholder


def _registry() -> ResponseReturnValue:
    return current_app.extensions["lms"].question_types


def _grace() -> int:
    return int(current_app.config["LMS_SUBMIT_GRACE_SECONDS"])


def _own_attempt(attempt_id: int) -> Attempt:
    """The signed-in learner's attempt; anyone else's is a 404 (its existence is not revealed)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.user_id != signed_in_user_id():
        abort(404)
    attempts.finish_if_overdue(attempt, _registry(), grace=_grace())
    return attempt


@bp.route("/courses/<slug>/quiz")
def overview(slug: str) -> ResponseReturnValue:
    course = courses.get_course(slug)
    if course is None:
        abort(404)
    user = current_user()
    history = []
    if user is not None:
        history = list(db.session.scalars(
            select(Attempt).where(Attempt.user_id == user.id, Attempt.course_id == course.id).order_by(Attempt.number)
        ))
    limit = attempts.allowed_attempts(user.id, course) if user else course.quiz_settings.get("max_attempts")
    return render_template("lms/quiz/overview.html", course=course, quiz=quiz_overview(course, user),
                           history=history, limit=limit, form=EmptyForm())


@bp.route("/courses/<slug>/quiz/start", methods=["POST"])
@login_required
def start(slug: str) -> ResponseReturnValue:
    course = courses.get_course(slug)
    if course is None:
        abort(404)
    try:
        attempt = attempts.start_attempt(current_user().id, course, _registry())
    except attempts.QuizError as error:
        flash(error.message, "error")
        return redirect(url_for(".overview", slug=slug))
    return redirect(url_for(".question", attempt_id=attempt.id, position=attempt.current_position))


@bp.route("/attempts/<int:attempt_id>/")
@login_required
def resume(attempt_id: int) -> ResponseReturnValue:
    attempt = _own_attempt(attempt_id)
    if attempt.state != "in_progress":
        return redirect(url_for(".result", attempt_id=attempt.id))
    return redirect(url_for(".question", attempt_id=attempt.id, position=attempt.current_position))


@bp.route("/attempts/<int:attempt_id>/q/<int:position>", methods=["GET", "POST"])
@login_required
@cached_page(signed_in, variant=question_variant)  # a GET of a running attempt's current question
def question(attempt_id: int, position: int) -> ResponseReturnValue:
    attempt = _own_attempt(attempt_id)
    if attempt.state != "in_progress":
        flash(_("This attempt has been submitted."), "info")
        return redirect(url_for(".result", attempt_id=attempt.id))
    try:
        item = attempts.item_at(attempt, position)
    except attempts.QuizError:
        abort(404)
    qtype = _registry().get(item["qtype"])
    presented = qtype.present(item["config"], item["order"])
    total = len(attempt.snapshot["questions"])
    error = None
    if request.method == "POST":
        raw = response_from_form(qtype.widget, request.form, presented)
        try:
            if raw is not None:
                answers.save_answer(attempt, position, raw, _registry(), grace=_grace())
            else:
                attempt.current_position = position
                db.session.commit()
        except attempts.QuizError as problem:
            if problem.code in ("time_up", "attempt_closed"):
                flash(problem.message, "error")
                return redirect(url_for(".result", attempt_id=attempt.id))
            error = problem.message
        if error is None:
            move = request.form.get("go", "next")
            if move == "prev" and position > 1:
                return redirect(url_for(".question", attempt_id=attempt.id, position=position - 1))
            if move == "next" and position < total:
                return redirect(url_for(".question", attempt_id=attempt.id, position=position + 1))
            return redirect(url_for(".summary", attempt_id=attempt.id))
    elif attempt.current_position != position:
        attempt.current_position = position
        db.session.commit()
    saved = attempts.responses(attempt).get(position)
    return render_template(
        "lms/quiz/question.html", attempt=attempt, item=item, q=presented, widget=qtype.widget,
        text=render_text(presented.get("text", ""), presented.get("format", "moodle")),
        saved=saved, position=position, total=total, error=error, form=EmptyForm(),
        remaining=attempts.remaining_seconds(attempt), course=attempt_course(attempt),
        # cached pages get the remaining time per response (lms.quiz.fastpage), never a frozen one
        timer_slot=slot_placeholder(TIMER) if rendering_for_cache() else None,
    ), (400 if error else 200)


def attempt_course(attempt: Attempt) -> Course:
    return db.session.get(Course, attempt.course_id)


@bp.route("/attempts/<int:attempt_id>/answers/<int:position>", methods=["POST", "PUT"])
@login_required
def autosave(attempt_id: int, position: int) -> ResponseReturnValue:
    """The page's script saves each answer as soon as it is given (CSRF token in a header)."""
    attempt = _own_attempt(attempt_id)
    payload = read_json()
    if not isinstance(payload, dict) or "response" not in payload:
        return jsonify({"error": {"code": "bad_request", "message": _("Send {\"response\": ...}.")}}), 400
    try:
        answers.save_answer(attempt, position, payload["response"], _registry(), grace=_grace())
    except attempts.QuizError as error:
        return jsonify({"error": {"code": error.code, "message": error.message}}), error.status
    return jsonify({"saved": True, "remaining_seconds": attempts.remaining_seconds(attempt)})


@bp.route("/attempts/<int:attempt_id>/summary")
@login_required
def summary(attempt_id: int) -> ResponseReturnValue:
    attempt = _own_attempt(attempt_id)
    if attempt.state != "in_progress":
        return redirect(url_for(".result", attempt_id=attempt.id))
    saved = attempts.responses(attempt)
    rows = [
        (item["position"], item["qtype"], item["position"] in saved)
        for item in attempt.snapshot["questions"] if item["qtype"] != "description"
    ]
    return render_template("lms/quiz/summary.html", attempt=attempt, rows=rows, form=EmptyForm(),
                           remaining=attempts.remaining_seconds(attempt), course=attempt_course(attempt))


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@login_required
def submit(attempt_id: int) -> ResponseReturnValue:
    attempt = _own_attempt(attempt_id)
    attempts.submit_attempt(attempt.id, _registry())
    return redirect(url_for(".result", attempt_id=attempt.id))


@bp.route("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int) -> ResponseReturnValue:
    attempt = _own_attempt(attempt_id)
    if attempt.state == "in_progress":
        return redirect(url_for(".question", attempt_id=attempt.id, position=attempt.current_position))
    course = attempt_course(attempt)
    left = attempts.attempts_left(attempt.user_id, course)
    running = attempts.open_attempt(attempt.user_id, course)
    return render_template(
        "lms/quiz/result.html", attempt=attempt, course=course,
        review=review_items(attempt, _registry(), attempts_left=left), settings=attempt.snapshot["settings"],
        can_retry=running is None and left != 0, attempts_left=left, form=EmptyForm(),
        late=offline.late_positions(attempt.id),  # offline answers that arrived past the deadline
        # the certificate just earned, from lms.certificates
        **gather(page_context, page="quiz_result", user_id=attempt.user_id, course=course, passed=attempt.passed),
    )
