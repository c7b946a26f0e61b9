"""A learner's course result: the one place that writes it, and that says a course was passed.

Two things pass a course: a graded quiz (:mod:`lms.quiz.grading` computes the grade) and, for a
course without a quiz, its last lesson done (:mod:`lms.quiz.completion`). Both land here, so the
"first pass" rule and the :data:`lms.signals.course_passed` event exist once. Nothing commits
here: the caller's transaction holds the result and whatever the signal's receivers add.
"""

from __future__ import annotations

from lms.courses.models import Course, CourseResult
from lms.db import db, now_utc
from lms.signals import course_passed, send


def result_row(user_id: int, course_id: int) -> CourseResult:
    """The learner's result row for the course, added to the session if it did not exist."""
    result = db.session.get(CourseResult, (user_id, course_id))
    if result is None:
        result = CourseResult(user_id=user_id, course_id=course_id)
        db.session.add(result)
    return result


def record_grade(user_id: int, course: Course, *, attempts_finished: int, best_percent: float | None,
                 grade_percent: float | None, pass_percent: float) -> CourseResult:
    """Store the quiz's course grade; a grade at or above ``pass_percent`` passes the course (once)."""
    result = result_row(user_id, course.id)
    result.attempts_finished = attempts_finished
    result.best_percent = best_percent
    result.grade_percent = grade_percent
    passes = grade_percent is not None and grade_percent >= pass_percent - 1e-9
    return _finish(result, course, passes)


def record_pass(user_id: int, course: Course) -> CourseResult:
    """Pass the course without a grade (a course with no quiz whose lessons are all done)."""
    return _finish(result_row(user_id, course.id), course, True)


def _finish(result: CourseResult, course: Course, passes: bool) -> CourseResult:
    newly_passed = passes and not result.passed
    if passes:
        result.passed = True
        result.passed_at = result.passed_at or now_utc()
    db.session.flush()
    if newly_passed:
        send(course_passed, user_id=result.user_id, course=course)
    return result
