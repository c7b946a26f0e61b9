"""A course without a quiz is passed when every lesson is done.

Listens to :data:`lms.signals.lesson_completed` (inside the lesson's transaction) and passes the
course through :func:`lms.courses.results.record_pass`, which feeds the same course result, and
so the certificates and the audience path, as a passed quiz does. It lives in the quiz package
because only the quiz knows whether a course has a quiz.
"""

from __future__ import annotations

from flask import Flask

from lms.courses import results
from lms.courses.models import Lesson
from lms.courses.services import completed_lesson_ids
from lms.quiz.queries import gradable_question_count
from lms.signals import lesson_completed


@lesson_completed.connect
def pass_course_without_quiz(_app: Flask, *, user_id: int, lesson: Lesson) -> None:
    course = lesson.course
    if gradable_question_count(course) or len(completed_lesson_ids(user_id, course)) < len(course.lessons):
        return
    results.record_pass(user_id, course)
