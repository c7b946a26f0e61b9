"""Catalogue, course page, lesson reader."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from lms.accounts.auth import SignedIn, current_user, login_required, signed_in
from lms.accounts.forms import EmptyForm
from lms.audiences import AUDIENCES
from lms.courses import services
from lms.courses.blueprint import bp
from lms.courses.lesson_files import AUDIO_TYPES, audio_bytes
from lms.courses.models import CourseSourceFile
from lms.db import db
from lms.i18n import _
from lms.signals import gather, page_context
from lms.web.formatting import current_locale
from lms.web.pagecache import cached_page


def _course_or_404(slug: str) -> ResponseReturnValue:
    course = services.get_course(slug)
    if course is None:
        abort(404)
    return course


@bp.route("/")
@cached_page(signed_in)
def catalogue() -> ResponseReturnValue:
    audience = request.args.get("audience")
    if audience not in AUDIENCES:
        audience = None
    courses = services.active_courses(audience)
    user = current_user()
    return render_template(
        "lms/courses/catalogue.html", audience=audience, audiences=AUDIENCES,
        standings=services.standings(user.id if user else None, courses),
    )


@bp.route("/<slug>/")
@cached_page(signed_in)
def course(slug: str) -> ResponseReturnValue:
    course = _course_or_404(slug)
    user = current_user()
    done = services.completed_lesson_ids(user.id, course) if user else set()
    standing = services.standings(user.id if user else None, [course])[0]
    return render_template(
        "lms/courses/course.html", course=course, done=done, standing=standing,
        **gather(page_context, page="course", course=course, user=user),  # the quiz box, from lms.quiz
    )


def _lesson_variant(state: SignedIn, slug: str, lesson_slug: str) -> tuple:
    """All a lesson page shows of its reader (besides the roles' menu): whether they finished it."""
    return (services.lesson_done(state.user_id, slug, lesson_slug),)


@bp.route("/<slug>/lessons/<lesson_slug>")
@cached_page(signed_in, variant=_lesson_variant)
def lesson(slug: str, lesson_slug: str) -> ResponseReturnValue:
    course = _course_or_404(slug)
    lesson = services.get_lesson(course, lesson_slug)
    if lesson is None:
        abort(404)
    user = current_user()
    body, body_locale = lesson.body_in(current_locale())
    previous, following = services.neighbours(course, lesson)
    done = user is not None and lesson.id in services.completed_lesson_ids(user.id, course)
    return render_template(
        "lms/courses/lesson.html", course=course, lesson=lesson, body=body, body_locale=body_locale,
        previous=previous, following=following, done=done, form=EmptyForm(),
        audio=services.lesson_audio(course, lesson),
        position=course.lessons.index(lesson) + 1 if lesson in course.lessons else None,
    )


@bp.route("/<slug>/lessons/<lesson_slug>/done", methods=["POST"])
@login_required
def mark_done(slug: str, lesson_slug: str) -> ResponseReturnValue:
    course = _course_or_404(slug)
    lesson = services.get_lesson(course, lesson_slug)
    if lesson is None:
        abort(404)
    services.mark_lesson_done(current_user().id, lesson)
    flash(_("Lesson done. Well done!"), "success")
    _previous, following = services.neighbours(course, lesson)
    if following is not None:
        return redirect(url_for(".lesson", slug=slug, lesson_slug=following.slug))
    return redirect(url_for(".course", slug=slug))


@bp.route("/<slug>/audio/<name>")
def audio(slug: str, name: str) -> ResponseReturnValue:
    """A lesson's recording (``lessons/NN-name.ogg`` or ``.mp3`` of the course folder), with ranges for seeking."""
    course = _course_or_404(slug)
    mimetype = AUDIO_TYPES.get("." + name.rsplit(".", 1)[-1].lower())
    row = db.session.scalar(select(CourseSourceFile).where(
        CourseSourceFile.course_id == course.id, CourseSourceFile.name == f"lessons/{name}"))
    if row is None or mimetype is None:
        abort(404)
    data = audio_bytes(row.content)
    response = Response(data, mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    response.add_etag()
    return response.make_conditional(request, accept_ranges=True, complete_length=len(data))


@bp.route("/<slug>/images/<name>")
def image(slug: str, name: str) -> ResponseReturnValue:
    course = _course_or_404(slug)
    row = db.session.scalar(
        select(CourseSourceFile).where(
            CourseSourceFile.course_id == course.id, CourseSourceFile.name == f"images/{name}"
        )
    )
    if row is None or not name.endswith(".svg"):
        abort(404)
    response = Response(row.content, mimetype="image/svg+xml")
    # an SVG opened on its own must not run anything it carries
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
