"""Read-only quiz look-ups for other packages' pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.courses.models import Course, CourseResult
from lms.db import db, now_utc
from lms.quiz.attempts import attempts_used, is_past_grace
from lms.quiz.models import Attempt, Question, QuestionBank


@dataclass
class QuizOverview:
    has_quiz: bool
    question_count: int
    settings: dict
    attempts_used: int
    open_attempt: Attempt | None
    result: CourseResult | None


def gradable_question_count(course: Course) -> int:
    """Active questions of the course's bank that a learner answers (descriptions excluded)."""
    return db.session.scalar(
        select(func.count(Question.id))
        .join(QuestionBank, QuestionBank.id == Question.bank_id)
        .where(QuestionBank.course_id == course.id, Question.active.is_(True), Question.qtype != "description")
    ) or 0


def quiz_overview(course: Course, user: User | None) -> QuizOverview:
    count = gradable_question_count(course)
    used, open_attempt, result = 0, None, None
    if user is not None:
        used = attempts_used(user.id, course)
        open_attempt = db.session.scalar(
            select(Attempt).where(
                Attempt.user_id == user.id, Attempt.course_id == course.id, Attempt.state == "in_progress"
            )
        )
        result = db.session.get(CourseResult, (user.id, course.id))
    return QuizOverview(count > 0, count, course.quiz_settings or {}, used, open_attempt, result)


def running_attempt(user_id: int, course_ids: list[int]) -> Attempt | None:
    """The learner's newest attempt still running in one of these courses (one whose time is up is
    not: opening it would only show its result)."""
    if not course_ids:
        return None
    attempt = db.session.scalar(
        select(Attempt)
        .where(Attempt.user_id == user_id, Attempt.course_id.in_(course_ids), Attempt.state == "in_progress")
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())
        .limit(1)
    )
    if attempt is None or is_past_grace(attempt, now_utc()):
        return None
    return attempt
