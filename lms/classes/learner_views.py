"""A learner's page in a class and what the teacher does there (reset, extra attempt, more time,
remove), and the essays waiting for a grade. Registered on the ``lms_classes`` blueprint."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lms.accounts.auth import current_user
from lms.accounts.forms import EmptyForm
from lms.accounts.recovery import may_give_password
from lms.classes import actions, services
from lms.classes.access import class_or_404, learner_or_404, teacher_required
from lms.classes.blueprint import bp
from lms.classes.forms import ExtraTimeForm, GradeForm
from lms.classes.models import Classroom
from lms.classes.progress import class_progress
from lms.courses.models import Course
from lms.i18n import _
from lms.quiz.presenting import render_text


def _course_of_class(classroom: Classroom, course_id: int) -> Course:
    course = next((c for c in services.class_courses(classroom) if c.id == course_id), None)
    if course is None:
        abort(404)
    return course


@bp.route("/classes/<int:class_id>/learners/<int:user_id>")
@teacher_required
def learner(class_id: int, user_id: int) -> ResponseReturnValue:
    classroom = class_or_404(class_id)
    person = learner_or_404(classroom, user_id)
    table = class_progress(classroom, user_id=user_id)
    course_ids = [c.id for c in table.courses]
    since = table.rows[0].enrolled_at
    return render_template(
        "lms/classes/learner.html",
        classroom=classroom,
        person=person,
        row=table.rows[0],
        courses=table.courses,
        attempts=actions.learner_attempts(user_id, course_ids, since),
        overrides=actions.overrides(user_id, course_ids),
        essays=actions.pending_essays(classroom, user_id=user_id),
        form=EmptyForm(),
        time_form=ExtraTimeForm(),
        # any member, whoever made the account (not staff accounts): lms.accounts.recovery
        can_give_password=may_give_password(current_user(), person),
    )


def _back(class_id: int, user_id: int) -> ResponseReturnValue:
    return redirect(url_for(".learner", class_id=class_id, user_id=user_id))


def _checked_form(form_class: type = EmptyForm) -> ResponseReturnValue:
    form = form_class()
    if not form.validate_on_submit():
        abort(400)
    return form


@bp.route("/classes/<int:class_id>/learners/<int:user_id>/attempts/<int:attempt_id>/reset", methods=["POST"])
@teacher_required
def reset_attempt(class_id: int, user_id: int, attempt_id: int) -> ResponseReturnValue:
    classroom = class_or_404(class_id)
    learner_or_404(classroom, user_id)
    attempt = actions.attempt_in_class(classroom, user_id, attempt_id)  # one made since they joined
    if attempt is None:
        abort(404)
    _checked_form()
    if actions.reset_attempt(attempt, current_user()):
        flash(_("Attempt %(n)d was reset. It no longer counts toward the limit.", n=attempt.number), "success")
    return _back(class_id, user_id)


@bp.route("/classes/<int:class_id>/learners/<int:user_id>/courses/<int:course_id>/attempt", methods=["POST"])
@teacher_required
def grant_attempt(class_id: int, user_id: int, course_id: int) -> ResponseReturnValue:
    classroom = class_or_404(class_id)
    learner_or_404(classroom, user_id)
    course = _course_of_class(classroom, course_id)
    _checked_form()
    actions.grant_attempt(user_id, course, current_user())
    flash(_("One more attempt granted."), "success")
    return _back(class_id, user_id)


@bp.route("/classes/<int:class_id>/learners/<int:user_id>/courses/<int:course_id>/time", methods=["POST"])
@teacher_required
def extend_time(class_id: int, user_id: int, course_id: int) -> ResponseReturnValue:
    classroom = class_or_404(class_id)
    learner_or_404(classroom, user_id)
    course = _course_of_class(classroom, course_id)
    form = ExtraTimeForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.minutes.errors) or _("Please check the number of minutes."), "error")
        return _back(class_id, user_id)
    since = services.active_enrollment(classroom.id, user_id).enrolled_at
    running = actions.extend_time(user_id, course, form.minutes.data, current_user(), since=since)
    if running is not None:
        flash(_("%(n)d more minutes, also for the attempt running now.", n=form.minutes.data), "success")
    else:
        flash(_("%(n)d more minutes for the next attempts.", n=form.minutes.data), "success")
    return _back(class_id, user_id)


@bp.route("/classes/<int:class_id>/learners/<int:user_id>/remove", methods=["POST"])
@teacher_required
def remove_learner(class_id: int, user_id: int) -> ResponseReturnValue:
    classroom = class_or_404(class_id)
    person = learner_or_404(classroom, user_id)
    _checked_form()
    services.remove_learner(classroom, user_id, current_user())
    flash(_("%(name)s was removed from the class. Their results are kept.", name=person.full_name), "success")
    return redirect(url_for(".progress", class_id=class_id))


@bp.route("/classes/<int:class_id>/essays")
@teacher_required
def essays(class_id: int) -> ResponseReturnValue:
    classroom = class_or_404(class_id)
    return render_template("lms/classes/essays.html", classroom=classroom, items=actions.pending_essays(classroom))


@bp.route("/classes/<int:class_id>/essays/<int:answer_id>", methods=["GET", "POST"])
@teacher_required
def grade_essay(class_id: int, answer_id: int) -> ResponseReturnValue:
    classroom = class_or_404(class_id)
    essay = actions.essay_in_class(classroom, answer_id)
    if essay is None:
        abort(404)
    form = GradeForm()
    if request.method == "GET" and essay.answer.fraction is not None:
        form.percent.data = round(essay.answer.fraction * 100, 2)
        form.feedback.data = essay.answer.feedback or ""
    if form.validate_on_submit():
        actions.grade_essay(essay, float(form.percent.data), form.feedback.data, current_user())
        flash(_("Grade saved."), "success")
        remaining = actions.pending_essays(classroom)
        if remaining:
            return redirect(url_for(".grade_essay", class_id=class_id, answer_id=remaining[0].answer.id))
        return redirect(url_for(".essays", class_id=class_id))
    config = essay.item["config"]
    question = render_text(config.get("text", ""), config.get("format", "moodle"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "lms/classes/essay.html", classroom=classroom, essay=essay, form=form, question=question
    ), status
