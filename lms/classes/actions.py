"""What a teacher does for one learner: reset an attempt, grant an attempt, extend the time, grade
an essay. Nothing here deletes learner data; every action is written to the audit log.

A teacher sees and acts only on attempts at the class's courses started since the learner joined
the class (``Enrollment.enrolled_at``): an account's earlier history is not the class's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.accounts.services import audit
from lms.classes.models import Classroom, Enrollment
from lms.classes.services import class_courses
from lms.courses.models import Course
from lms.db import db, now_utc
from lms.quiz.grading import finalize_attempt, update_course_result
from lms.quiz.models import Answer, Attempt, QuizOverride

MAX_EXTRA_MINUTES = 600


def learner_attempts(user_id: int, course_ids: list[int], since: datetime) -> dict[int, list[Attempt]]:
    """The learner's attempts at these courses started since ``since`` (when they joined the class),
    by course, oldest first: what came before joining is not the teacher's to see or touch."""
    found: dict[int, list[Attempt]] = {cid: [] for cid in course_ids}
    if not course_ids:
        return found
    for attempt in db.session.scalars(
        select(Attempt)
        .where(Attempt.user_id == user_id, Attempt.course_id.in_(course_ids), Attempt.started_at >= since)
        .order_by(Attempt.course_id, Attempt.number)
    ):
        found[attempt.course_id].append(attempt)
    return found


def attempt_in_class(classroom: Classroom, user_id: int, attempt_id: int) -> Attempt | None:
    """The attempt if it is this active learner's, at one of the class's courses, and started since
    they joined the class; None otherwise (the teacher acts only on what was made in the class)."""
    enrollment = db.session.get(Enrollment, (classroom.id, user_id))
    attempt = db.session.get(Attempt, attempt_id)
    if enrollment is None or enrollment.removed_at is not None or attempt is None or attempt.user_id != user_id:
        return None
    if attempt.course_id not in {c.id for c in class_courses(classroom)}:
        return None
    return attempt if attempt.started_at >= enrollment.enrolled_at else None


def overrides(user_id: int, course_ids: list[int]) -> dict[int, QuizOverride]:
    if not course_ids:
        return {}
    return {
        o.course_id: o
        for o in db.session.scalars(
            select(QuizOverride).where(QuizOverride.user_id == user_id, QuizOverride.course_id.in_(course_ids))
        )
    }


def _override(user_id: int, course_id: int) -> QuizOverride:
    row = db.session.get(QuizOverride, (user_id, course_id))
    if row is None:
        row = QuizOverride(user_id=user_id, course_id=course_id, extra_attempts=0, extra_minutes=0)
        db.session.add(row)
    return row


def reset_attempt(attempt: Attempt, actor: User) -> bool:
    """Mark the attempt abandoned: it stops counting toward the limit; its answers stay."""
    if attempt.state == "abandoned":
        return False
    before = attempt.state
    attempt.state = "abandoned"
    db.session.flush()
    update_course_result(attempt.user_id, attempt.course_id)
    audit(
        actor,
        "attempt_reset",
        "attempt",
        attempt.id,
        {"user_id": attempt.user_id, "course_id": attempt.course_id, "state_before": before},
    )
    db.session.commit()
    return True


def grant_attempt(user_id: int, course: Course, actor: User) -> int:
    """One more attempt for this learner at this course; return their extra attempts in total."""
    row = _override(user_id, course.id)
    row.extra_attempts = (row.extra_attempts or 0) + 1
    audit(
        actor,
        "attempt_granted",
        "user",
        user_id,
        {"course_id": course.id, "extra_attempts": row.extra_attempts},
    )
    db.session.commit()
    return row.extra_attempts


def extend_time(
    user_id: int, course: Course, minutes: int, actor: User, *, since: datetime, now: datetime | None = None
) -> Attempt | None:
    """More minutes for future attempts and for the one running now if it started ``since`` (the
    learner joined the class); return that running attempt."""
    if not 1 <= minutes <= MAX_EXTRA_MINUTES:
        raise ValueError(f"minutes must be 1..{MAX_EXTRA_MINUTES}")
    row = _override(user_id, course.id)
    row.extra_minutes = (row.extra_minutes or 0) + minutes
    running = db.session.scalar(
        select(Attempt).where(
            Attempt.user_id == user_id,
            Attempt.course_id == course.id,
            Attempt.state == "in_progress",
            Attempt.started_at >= since,
        )
    )
    if running is not None and running.deadline is not None:
        # a deadline already past: count the extra minutes from now, or they would be lost
        base = max(running.deadline, now or now_utc())
        running.deadline = base + timedelta(minutes=minutes)
    audit(
        actor,
        "time_extended",
        "user",
        user_id,
        {"course_id": course.id, "minutes": minutes, "attempt_id": running.id if running else None},
    )
    db.session.commit()
    return running


@dataclass
class EssayItem:
    answer: Answer
    attempt: Attempt
    learner: User
    course: Course
    item: dict


def _essay_item(attempt: Attempt, position: int) -> dict | None:
    for item in attempt.snapshot.get("questions", []):
        if item["position"] == position and item["qtype"] == "essay":
            return item
    return None


def _waiting_for_grade(course_ids: list[int]) -> tuple:
    """Conditions for an essay answer that waits for a grade from one of the class's active members.

    The query joins Answer, Attempt and the class's Enrollment; attempts started before the learner joined
    the class belong to another teacher's watch, so they are left out.
    """
    return (
        Enrollment.removed_at.is_(None),
        Attempt.started_at >= Enrollment.enrolled_at,
        Attempt.state == "pending_review",
        Answer.fraction.is_(None),
        Attempt.course_id.in_(course_ids),
    )


def pending_essays(classroom: Classroom, *, user_id: int | None = None) -> list[EssayItem]:
    """Essay answers of the class's active learners that wait for a grade, oldest submission first."""
    course_ids = [c.id for c in class_courses(classroom)]
    if not course_ids:
        return []
    query = (
        select(Answer, Attempt, User, Course)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(User, User.id == Attempt.user_id)
        .join(Course, Course.id == Attempt.course_id)
        .join(Enrollment, (Enrollment.user_id == User.id) & (Enrollment.class_id == classroom.id))
        .where(*_waiting_for_grade(course_ids))
        .order_by(Attempt.submitted_at, Answer.position)
    )
    if user_id is not None:
        query = query.where(User.id == user_id)
    items = []
    for answer, attempt, learner, course in db.session.execute(query):
        item = _essay_item(attempt, answer.position)
        if item is not None:
            items.append(EssayItem(answer, attempt, learner, course, item))
    return items


def pending_essay_count(classroom: Classroom) -> int:
    """How many answers of the class's active learners wait for a teacher (one COUNT query)."""
    course_ids = [c.id for c in class_courses(classroom)]
    if not course_ids:
        return 0
    return (
        db.session.scalar(
            select(func.count(Answer.id))
            .join(Attempt, Attempt.id == Answer.attempt_id)
            .join(Enrollment, (Enrollment.user_id == Attempt.user_id) & (Enrollment.class_id == classroom.id))
            .where(*_waiting_for_grade(course_ids))
        )
        or 0
    )


def essay_in_class(classroom: Classroom, answer_id: int) -> EssayItem | None:
    """The essay answer if it belongs to an active learner of the class in one of its courses."""
    answer = db.session.get(Answer, answer_id)
    if answer is None:
        return None
    attempt = answer.attempt
    if attempt.state not in ("pending_review", "finished"):
        return None
    if attempt.course_id not in {c.id for c in class_courses(classroom)}:
        return None
    enrollment = db.session.get(Enrollment, (classroom.id, attempt.user_id))
    if enrollment is None or enrollment.removed_at is not None or attempt.started_at < enrollment.enrolled_at:
        return None
    item = _essay_item(attempt, answer.position)
    if item is None:
        return None
    return EssayItem(
        answer,
        attempt,
        db.session.get(User, attempt.user_id),
        db.session.get(Course, attempt.course_id),
        item,
    )


def grade_essay(essay: EssayItem, percent: float, feedback: str | None, actor: User) -> Attempt:
    """Record the teacher's grade; the attempt is scored once no answer waits any more."""
    if not 0 <= percent <= 100:
        raise ValueError("percent must be 0..100")
    answer, attempt = essay.answer, essay.attempt
    before = answer.fraction
    answer.fraction = round(percent / 100.0, 4)
    answer.feedback = (feedback or "").strip() or None
    answer.graded_by_id = actor.id
    db.session.flush()
    finalize_attempt(attempt)
    audit(
        actor,
        "essay_graded",
        "answer",
        answer.id,
        {"attempt_id": attempt.id, "user_id": attempt.user_id, "before": before, "after": answer.fraction},
    )
    db.session.commit()
    return attempt
