"""Attempts: start (freeze a snapshot), save answers, submit (idempotent), overdue handling.

Graders are pure (``lms.quiz.types``); this module owns the transaction boundaries.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from lms.courses.models import Course
from lms.courses.schema import QUIZ_DEFAULTS
from lms.db import db, now_utc
from lms.i18n import _
from lms.quiz.errors import QuizError
from lms.quiz.grading import grade_attempt
from lms.quiz.models import Answer, Attempt, Question, QuestionBank, QuizOverride
from lms.quiz.registry import QuestionTypeRegistry

GRACE_SECONDS = 30


@dataclass
class SubmitResult:
    attempt: Attempt
    newly_graded: bool


def _settings(course: Course) -> dict:
    return {**QUIZ_DEFAULTS, **(course.quiz_settings or {})}


def active_questions(course: Course) -> list[Question]:
    return list(
        db.session.scalars(
            select(Question)
            .join(QuestionBank, QuestionBank.id == Question.bank_id)
            .where(QuestionBank.course_id == course.id, Question.active.is_(True))
            .order_by(Question.position)
        )
    )


def _draw(questions: list[Question], settings: dict, rng: random.Random) -> list[Question]:
    """Pick the questions of one attempt: all in file order, or N at random (optionally per category)."""
    count = settings.get("questions")
    gradable = [q for q in questions if q.qtype != "description"]
    if not count or count >= len(gradable):
        return questions
    if settings.get("draw_by_category"):
        by_category: dict[str, list[Question]] = {}
        for question in gradable:
            by_category.setdefault(question.category, []).append(question)
        pools = [rng.sample(pool, len(pool)) for pool in by_category.values()]
        chosen: list[Question] = []
        while len(chosen) < count:
            for pool in pools:
                if pool and len(chosen) < count:
                    chosen.append(pool.pop())
    else:
        chosen = rng.sample(gradable, count)
    rng.shuffle(chosen)
    return chosen


def allowed_attempts(user_id: int, course: Course) -> int | None:
    limit = _settings(course).get("max_attempts")
    if limit is None:
        return None
    override = db.session.get(QuizOverride, (user_id, course.id))
    return limit + (override.extra_attempts if override else 0)


def attempts_used(user_id: int, course: Course) -> int:
    """Attempts that count toward the limit (a teacher's reset marks one "abandoned")."""
    return db.session.scalar(
        select(func.count(Attempt.id)).where(
            Attempt.user_id == user_id, Attempt.course_id == course.id, Attempt.state != "abandoned"
        )
    ) or 0


def attempts_left(user_id: int, course: Course) -> int | None:
    """How many more attempts the learner may start (None: no limit)."""
    limit = allowed_attempts(user_id, course)
    return None if limit is None else max(0, limit - attempts_used(user_id, course))


def open_attempt(user_id: int, course: Course) -> Attempt | None:
    return db.session.scalar(
        select(Attempt).where(
            Attempt.user_id == user_id, Attempt.course_id == course.id, Attempt.state == "in_progress"
        )
    )


def start_attempt(user_id: int, course: Course, registry: QuestionTypeRegistry, *, now: datetime | None = None,
                  rng: random.Random | None = None) -> Attempt:
    """Start an attempt, or return the one already running (a double click starts only one)."""
    now = now or now_utc()
    running = open_attempt(user_id, course)
    if running is not None:
        finish_if_overdue(running, registry, now=now)
        if running.state == "in_progress":
            return running
    questions = active_questions(course)
    if not questions:
        raise QuizError("no_quiz", _("This course has no quiz."), 404)
    used = attempts_used(user_id, course)
    last_number = db.session.scalar(
        select(func.max(Attempt.number)).where(Attempt.user_id == user_id, Attempt.course_id == course.id)
    ) or 0
    limit = allowed_attempts(user_id, course)
    if limit is not None and used >= limit:
        raise QuizError("no_attempts_left", _("You have used all %(n)d attempts for this quiz.", n=limit), 403)
    settings = _settings(course)
    rng = rng or random.SystemRandom()
    items = []
    for position, question in enumerate(_draw(questions, settings, rng), start=1):
        qtype = registry.get(question.qtype)
        items.append(
            {
                "position": position, "question_id": question.id, "qtype": question.qtype,
                "title": question.title, "config": question.config,
                "order": qtype.answer_order(question.config, rng, bool(settings.get("shuffle_answers", True))),
            }
        )
    deadline = None
    if settings.get("time_limit_minutes"):
        override = db.session.get(QuizOverride, (user_id, course.id))
        extra = override.extra_minutes if override else 0
        deadline = now + timedelta(minutes=settings["time_limit_minutes"] + extra)
    attempt = Attempt(
        user_id=user_id, course_id=course.id, number=last_number + 1, state="in_progress", started_at=now,
        deadline=deadline, snapshot={"settings": settings, "questions": items}, current_position=1,
    )
    db.session.add(attempt)
    try:
        db.session.commit()
    except IntegrityError:
        # another request started the same attempt number a moment ago: use that one
        db.session.rollback()
        running = open_attempt(user_id, course)
        if running is None:
            raise
        return running
    return attempt


def item_at(attempt: Attempt, position: int) -> dict:
    for item in attempt.snapshot["questions"]:
        if item["position"] == position:
            return item
    raise QuizError("unknown_position", _("This attempt has no question %(n)d.", n=position), 404)


def remaining_seconds(attempt: Attempt, now: datetime | None = None) -> int | None:
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - (now or now_utc())).total_seconds()))


def is_past_grace(attempt: Attempt, now: datetime, grace: int = GRACE_SECONDS) -> bool:
    return attempt.deadline is not None and now > attempt.deadline + timedelta(seconds=grace)


def responses(attempt: Attempt) -> dict[int, object]:
    return {
        position: response
        for position, response in db.session.execute(
            select(Answer.position, Answer.response).where(Answer.attempt_id == attempt.id)
        )
    }


def finish_if_overdue(attempt: Attempt, registry: QuestionTypeRegistry, *, now: datetime | None = None,
                      grace: int = GRACE_SECONDS) -> bool:
    now = now or now_utc()
    if attempt.state == "in_progress" and is_past_grace(attempt, now, grace):
        submit_attempt(attempt.id, registry, now=now)
        db.session.refresh(attempt)
        return True
    return False


def submit_attempt(attempt_id: int, registry: QuestionTypeRegistry, *, now: datetime | None = None) -> SubmitResult:
    """Grade once. A double click, two tabs or a retried request find the attempt already graded."""
    now = now or now_utc()
    # Claim the attempt under the row's strongest lock (PostgreSQL: the subquery's FOR UPDATE;
    # SQLite: the write lock, taken by the UPDATE): it waits for the saves already writing (they
    # hold FOR KEY SHARE, see lms.quiz.answers) and makes later ones wait until this transaction
    # has graded and committed, after which they find the attempt finished. So the grade below
    # counts every save that was acknowledged, and none is acknowledged after it.
    running = aliased(Attempt)
    claim = (
        select(running.id)
        .where(running.id == attempt_id, running.state == "in_progress")
        .with_for_update()
        .scalar_subquery()
    )
    claimed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == claim)
        .values(state="finished", submitted_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        attempt = db.session.get(Attempt, attempt_id)
        db.session.refresh(attempt)
        return SubmitResult(attempt, False)
    attempt = db.session.get(Attempt, attempt_id)
    grade_attempt(attempt, registry)
    db.session.commit()
    return SubmitResult(attempt, True)
