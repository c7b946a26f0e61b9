"""Learning without a signal: a course's offline package, and the actions a phone queued offline.

The package lists what a phone keeps of a course (its pages, images and the learner's quiz
attempt, whose frozen questions are shown as on any question page: never an accepted answer,
a weight or feedback; the server still grades). Its ``version`` changes with the course's
content and with the attempt, so the phone replaces its copy on its next connection.

Queued actions arrive in the order they were taken, each with an id the phone gave it. Each is
recorded with its outcome (:class:`OfflineOp`), so a replay (a lost reply, two flushes at once)
is answered from the record and never applied twice. The rules of time stay the server's: an
answer counts only if the server receives it before the attempt's deadline plus grace.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.courses import services as courses
from lms.courses.models import Course, CourseResult, CourseSourceFile
from lms.db import db, now_utc
from lms.quiz import answers, attempts
from lms.quiz.errors import QuizError
from lms.quiz.models import Attempt, OfflineOp
from lms.quiz.registry import QuestionTypeRegistry

KINDS = ("answer", "done", "submit")
#: never download a course: a page they see may carry other people's data (see lms.home.offline)
STAFF_ROLES = ("teacher", "official", "admin", "verifier")
MAX_OPS = 200  # one flush; the phone sends the rest in the next
#: outcomes that mean "this answer did not count"
LATE = ("time_up", "attempt_closed")


def is_timed(course: Course) -> bool:
    return bool((course.quiz_settings or {}).get("time_limit_minutes"))


def passed(user_id: int, course: Course) -> bool:
    result = db.session.get(CourseResult, (user_id, course.id))
    return bool(result and result.passed)


def prepare_attempt(user_id: int, course: Course, registry: QuestionTypeRegistry, *, grace: int) -> Attempt | None:
    """The attempt a download takes along: the one running, or (untimed quiz, course not passed,
    attempts left) a new one, since an untimed attempt has no clock to start. A timed quiz is
    never started by a download: its clock runs on the server from the moment it starts."""
    running = attempts.open_attempt(user_id, course)
    if running is not None:
        attempts.finish_if_overdue(running, registry, grace=grace)
        if running.state == "in_progress":
            return running
    if is_timed(course) or passed(user_id, course) or attempts.attempts_left(user_id, course) == 0:
        return None
    try:
        return attempts.start_attempt(user_id, course, registry)
    except QuizError:
        return None  # no quiz in this course


def image_sizes(course: Course) -> dict[str, int]:
    rows = db.session.execute(select(CourseSourceFile.name, CourseSourceFile.content).where(
        CourseSourceFile.course_id == course.id, CourseSourceFile.name.like("images/%")))
    return {name.removeprefix("images/"): len(content.encode()) for name, content in rows}


def version(course: Course, attempt: Attempt | None) -> str:
    """Changes when the course is re-imported, or the attempt kept on the phone changes."""
    state = f"{course.content_hash}:{attempt.id}:{attempt.state}" if attempt else f"{course.content_hash}:-"
    return hashlib.sha256(state.encode()).hexdigest()[:16]


def record(user_id: int, op_id: str, kind: str, attempt_id: int | None, position: int | None, status: str,
           now: datetime) -> str:
    """Keep the outcome; if the same op was recorded meanwhile (two flushes at once), its outcome wins."""
    db.session.add(OfflineOp(user_id=user_id, op_id=op_id, kind=kind, attempt_id=attempt_id, position=position,
                             status=status, received_at=now))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return db.session.get(OfflineOp, (user_id, op_id)).status
    return status


def _own_attempt(user_id: int, attempt_id: object) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id) if isinstance(attempt_id, int) else None
    if attempt is None or attempt.user_id != user_id:
        raise QuizError("not_found", "", 404)
    return attempt


def _apply(user_id: int, op: dict, registry: QuestionTypeRegistry, *, now: datetime, grace: int) -> dict:
    kind = op["kind"]
    if kind == "answer":
        answers.save_for(user_id, op.get("attempt"), op.get("position"), op.get("response"), registry,
                         now=now, grace=grace)
        return {"status": "saved"}
    if kind == "done":
        course = courses.get_course(str(op.get("course", "")))
        lesson = courses.get_lesson(course, str(op.get("lesson", ""))) if course else None
        if lesson is None:
            raise QuizError("not_found", "", 404)
        courses.mark_lesson_done(user_id, lesson)
        return {"status": "saved"}
    attempt = _own_attempt(user_id, op.get("attempt"))
    attempts.finish_if_overdue(attempt, registry, now=now, grace=grace)
    attempts.submit_attempt(attempt.id, registry, now=now)  # idempotent: a finished attempt stays as graded
    return {"status": "submitted"}


def apply_ops(user_id: int, ops: list, registry: QuestionTypeRegistry, *, grace: int,
              now: datetime | None = None) -> list[dict]:
    """Apply queued actions in order; one outcome per action, ``{"id", "status", "message"?}``."""
    results = []
    for op in ops[:MAX_OPS]:
        op_id = op.get("id") if isinstance(op, dict) else None
        if not isinstance(op_id, str) or not 0 < len(op_id) <= 64 or op.get("kind") not in KINDS:
            results.append({"id": op_id if isinstance(op_id, str) else None, "status": "bad_request"})
            continue
        done = db.session.get(OfflineOp, (user_id, op_id))
        if done is not None:
            results.append({"id": op_id, "status": done.status, "replay": True})
            continue
        when = now or now_utc()
        attempt_id = op.get("attempt") if isinstance(op.get("attempt"), int) else None
        position = op.get("position") if isinstance(op.get("position"), int) else None
        try:
            outcome = _apply(user_id, op, registry, now=when, grace=grace)
        except QuizError as error:
            db.session.rollback()
            outcome = {"status": error.code, "message": error.message}
            if error.code == "not_found":
                attempt_id = None  # another learner's attempt is not linked to this learner's record
        if attempt_id is not None and db.session.get(Attempt, attempt_id) is None:
            attempt_id = None
        outcome["status"] = record(user_id, op_id, op["kind"], attempt_id, position, outcome["status"], when)
        results.append({"id": op_id, **outcome})
    return results


def late_positions(attempt_id: int) -> list[int]:
    """Question positions whose offline answer reached the server too late to count."""
    return sorted(set(db.session.scalars(select(OfflineOp.position).where(
        OfflineOp.attempt_id == attempt_id, OfflineOp.kind == "answer", OfflineOp.status.in_(LATE),
        OfflineOp.position.is_not(None)))))
