"""Learning without a signal: a course's offline package, its offline quiz page, and the queue's flush.

Only the page's script uses these (a phone without JavaScript learns online exactly as before).
"""

from __future__ import annotations

from flask import Response, abort, current_app, jsonify, render_template, session, url_for
from flask.typing import ResponseReturnValue

from lms.accounts.auth import current_user, login_required
from lms.courses import services as courses
from lms.courses.models import Course
from lms.i18n import _
from lms.quiz import attempts, offline
from lms.quiz.blueprint import bp
from lms.quiz.models import Attempt
from lms.quiz.presenting import render_text
from lms.web.inputs import read_json

#: what a page weighs besides its lesson text, uncompressed (header, footer, forms): for the
#: size shown before a download; the phone counts the real bytes as they arrive
PAGE_CHROME = 5000


def _registry():
    return current_app.extensions["lms"].question_types


def _grace() -> int:
    return int(current_app.config["LMS_SUBMIT_GRACE_SECONDS"])


def _course(slug: str) -> Course:
    """The course to download; staff never download (their pages may carry other people's data,
    the same rule as the pages the service worker keeps), nor a phone acting for someone else."""
    if current_user().has_role(*offline.STAFF_ROLES):
        abort(403)
    if "lms_acting" in session:  # an ambassador's phone acting for a citizen keeps none of their pages
        abort(403)
    course = courses.get_course(slug)
    if course is None:
        abort(404)
    return course


def _no_store(response: Response) -> Response:
    response.cache_control.no_store = True  # the phone's download keeps it, never the HTTP cache
    return response


def _package(course: Course, attempt: Attempt | None) -> dict:
    files = [{"url": url_for("lms_courses.course", slug=course.slug), "size": PAGE_CHROME}]
    for lesson in course.lessons:
        body, _locale = lesson.body_in("vi")
        files.append({"url": url_for("lms_courses.lesson", slug=course.slug, lesson_slug=lesson.slug),
                      "size": PAGE_CHROME + len(body.encode())})
    for name, size in sorted(offline.image_sizes(course).items()):
        files.append({"url": url_for("lms_courses.image", slug=course.slug, name=name), "size": size})
    if attempt is not None:
        texts = sum(len(str(item["config"].get("text", ""))) for item in attempt.snapshot["questions"])
        files.append({"url": url_for(".offline_quiz", slug=course.slug), "size": PAGE_CHROME + 2 * texts})
    return {
        "course": course.slug, "title": course.title_in("vi"), "version": offline.version(course, attempt),
        "files": files, "size": sum(f["size"] for f in files), "timed": offline.is_timed(course),
        "attempt": attempt.id if attempt else None,
        "quiz": url_for(".offline_quiz", slug=course.slug) if attempt else None,
    }


@bp.get("/courses/<slug>/offline.json")
@login_required
def offline_package(slug: str) -> ResponseReturnValue:
    """What a download of this course keeps (no side effect: the phone asks it to see if its copy is current)."""
    course = _course(slug)
    running = attempts.open_attempt(current_user().id, course)
    return _no_store(jsonify(_package(course, running)))


@bp.post("/courses/<slug>/offline")
@login_required
def prepare_download(slug: str) -> ResponseReturnValue:
    """The download itself begins here: an untimed quiz's attempt is started so it can be answered offline."""
    course = _course(slug)
    attempt = offline.prepare_attempt(current_user().id, course, _registry(), grace=_grace())
    return _no_store(jsonify(_package(course, attempt)))


@bp.get("/courses/<slug>/offline/quiz")
@login_required
def offline_quiz(slug: str) -> ResponseReturnValue:
    """The learner's running attempt, every question on one page (the script shows one at a time)."""
    course = _course(slug)
    attempt = attempts.open_attempt(current_user().id, course)
    if attempt is not None:
        attempts.finish_if_overdue(attempt, _registry(), grace=_grace())
        if attempt.state != "in_progress":
            attempt = None
    items = []
    saved = attempts.responses(attempt) if attempt else {}
    for item in attempt.snapshot["questions"] if attempt else []:
        qtype = _registry().get(item["qtype"])
        presented = qtype.present(item["config"], item["order"])  # never the key or feedback
        items.append({"position": item["position"], "widget": qtype.widget, "q": presented,
                      "saved": saved.get(item["position"]),
                      "text": render_text(presented.get("text", ""), presented.get("format", "moodle"))})
    settings = attempt.snapshot["settings"] if attempt else course.quiz_settings or {}
    return _no_store(Response(render_template(
        "lms/quiz/offline_quiz.html", course=course, attempt=attempt, items=items, settings=settings,
        grace=_grace(), timed=offline.is_timed(course),
    )))


@bp.post("/offline/sync")
@login_required
def sync() -> ResponseReturnValue:
    """Apply the phone's queued actions in order (CSRF token in a header); a replay is answered, not redone."""
    payload = read_json()
    ops = payload.get("ops") if isinstance(payload, dict) else None
    if not isinstance(ops, list):
        return jsonify({"error": {"code": "bad_request", "message": _("Send {\"ops\": [...]}.")}}), 400
    user_id = current_user().id
    results = offline.apply_ops(user_id, ops, _registry(), grace=_grace())
    for result in results:
        if result["status"] == "submitted":
            op = next(o for o in ops if isinstance(o, dict) and o.get("id") == result["id"])
            result["result"] = url_for(".result", attempt_id=op["attempt"])
    return _no_store(jsonify({"results": results}))
