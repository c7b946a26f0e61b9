"""Turn saved answers into a grade, and attempts into the learner's course result."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from lms.courses import results
from lms.courses.models import Course, CourseResult
from lms.db import db, now_utc
from lms.metrics import ATTEMPTS_GRADED
from lms.quiz.models import Answer, Attempt
from lms.quiz.registry import QuestionTypeRegistry


def grade_attempt(attempt: Attempt, registry: QuestionTypeRegistry) -> None:
    """Grade every question of the snapshot with its pure grader; essays wait for a teacher.

    Answers are written back in one bulk UPDATE (and one INSERT for unanswered questions)
    rather than a statement per question. Called inside the submit's claim of the attempt
    (:func:`lms.quiz.attempts.submit_attempt`): no answer of this attempt can be written until
    that transaction ends, so the answers read here are exactly the ones acknowledged.
    """
    saved = {
        row.position: row
        for row in db.session.execute(
            select(Answer.id, Answer.position, Answer.response, Answer.graded_by_id, Answer.fraction)
            .where(Answer.attempt_id == attempt.id)
        )
    }
    updates: list[dict] = []
    missing: list[dict] = []
    fractions: dict[int, float | None] = {}
    now = now_utc()
    for item in attempt.snapshot["questions"]:
        if item["qtype"] == "description":
            continue
        position = item["position"]
        row = saved.get(position)
        if row is not None and row.graded_by_id is not None:
            fractions[position] = row.fraction  # a teacher's grade is never overwritten
            continue
        if row is None or row.response is None:
            fraction, feedback = 0.0, None
        else:
            result = registry.get(item["qtype"]).grade(item["config"], row.response)
            fraction = None if result.fraction is None else min(1.0, max(0.0, float(result.fraction)))
            feedback = result.feedback or None
        fractions[position] = fraction
        if row is None:
            missing.append({"attempt_id": attempt.id, "position": position, "response": None,
                            "saved_at": now, "fraction": fraction, "feedback": feedback})
        else:
            updates.append({"id": row.id, "fraction": fraction, "feedback": feedback})
    if updates:
        db.session.execute(update(Answer), updates)
    if missing:
        db.session.execute(insert(Answer), missing)
    finalize_attempt(attempt, fractions)


def gradable_positions(attempt: Attempt) -> list[int]:
    return [i["position"] for i in attempt.snapshot["questions"] if i["qtype"] != "description"]


def finalize_attempt(attempt: Attempt, fractions: dict[int, float | None] | None = None) -> None:
    """Compute the score once no answer waits for a teacher; then update the course result."""
    positions = gradable_positions(attempt)
    if fractions is None:
        fractions = dict(
            db.session.execute(select(Answer.position, Answer.fraction).where(Answer.attempt_id == attempt.id)).all()
        )
    if any(fractions.get(p) is None for p in positions):
        attempt.state = "pending_review"
        attempt.score_percent = None
        attempt.passed = None
        return
    total = sum(fractions[p] for p in positions)
    attempt.score_percent = round(100.0 * total / len(positions), 2) if positions else 100.0
    pass_percent = float(attempt.snapshot["settings"].get("pass_percent", 80))
    attempt.passed = attempt.score_percent >= pass_percent - 1e-9
    attempt.state = "finished"
    db.session.flush()
    update_course_result(attempt.user_id, attempt.course_id)
    ATTEMPTS_GRADED.labels(result="passed" if attempt.passed else "failed").inc()


def course_grade(scores: list[float], method: str) -> float | None:
    """The course grade across finished attempts (oldest first) under Moodle's grading methods."""
    if not scores:
        return None
    if method == "last":
        return scores[-1]
    if method == "first":
        return scores[0]
    if method == "average":
        return round(sum(scores) / len(scores), 2)
    return max(scores)


def update_course_result(user_id: int, course_id: int) -> CourseResult:
    course = db.session.get(Course, course_id)
    settings = course.quiz_settings or {}
    scores = list(
        db.session.scalars(
            select(Attempt.score_percent)
            .where(Attempt.user_id == user_id, Attempt.course_id == course_id, Attempt.state == "finished",
                   Attempt.score_percent.is_not(None))
            .order_by(Attempt.number)
        )
    )
    return results.record_grade(
        user_id, course, attempts_finished=len(scores), best_percent=max(scores) if scores else None,
        grade_percent=course_grade(scores, settings.get("grading_method", "highest")),
        pass_percent=float(settings.get("pass_percent", 80)),
    )
