"""Home page and language switch."""

from __future__ import annotations

from typing import Any

from flask import Response, redirect, render_template, request, session, url_for

from lms.accounts.auth import current_user, signed_in
from lms.accounts.models import User
from lms.audiences import AUDIENCES
from lms.courses import services
from lms.db import db
from lms.home.blueprint import bp
from lms.i18n import LOCALES
from lms.signals import gather, page_context
from lms.web.pagecache import cached_page
from lms.web.urls import safe_next


@bp.route("/")
@cached_page(signed_in)
def home() -> str | Response:
    user = current_user()
    if user is not None and user.audience:
        path = services.standings(user.id, services.path_courses(user.audience))
        # the path certificate (lms.certificates) and a quiz left running (lms.quiz)
        extra = gather(page_context, page="path", user=user, courses=[s.course for s in path])
        return render_template(
            "lms/home.html", path=path, audience=user.audience, audiences=AUDIENCES,
            continue_url=_continue_url(user.id, path, extra.get("running_attempt")), **extra,
        )
    if user is not None:
        # staff accounts without an audience have no path: their own work is their home
        return redirect(staff_home(user))
    return render_template("lms/welcome.html", audiences=AUDIENCES)


def staff_home(user: User) -> str:
    """A teacher's classes, an official's unit, an ambassador's people, a verifier's look-up; the
    catalogue otherwise."""
    if user.has_role("teacher"):
        return url_for("lms_classes.index")
    if user.has_role("official"):
        return url_for("lms_coverage.dashboard", unit=user.unit.code if user.unit is not None else None)
    if user.has_role("ambassador"):
        return url_for("lms_ambassadors.home")
    if user.has_role("verifier"):
        return url_for("lms_certificates.verify_code")
    return url_for("lms_courses.catalogue")
def _continue_url(user_id: int, path: list[services.CourseStanding], running: Any) -> str | None:
    """Where "Continue learning" leads: back into a running quiz, else the next lesson or quiz."""
    if running is not None:
        return url_for("lms_quiz.question", attempt_id=running.id, position=running.current_position)
    step = services.next_step(user_id, path)
    if step is None:
        return None
    course, lesson = step
    if lesson is None:
        return url_for("lms_quiz.overview", slug=course.slug)
    return url_for("lms_courses.lesson", slug=course.slug, lesson_slug=lesson.slug)


@bp.route("/language", methods=["POST"])
def set_language() -> Response:
    locale = request.form.get("locale")
    if locale in LOCALES:
        session["lms_locale"] = locale
        user = current_user()
        if user is not None:
            user.locale = locale
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) if request.form.get("next") else url_for(".home"))
