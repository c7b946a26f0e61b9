"""The class table: learner x course (lessons done, best grade, passed, certificate), in a fixed
number of queries whatever the class size (one per kind of fact, grouped by learner and course).

Attempts count only when made since the learner joined the class (``Enrollment.enrolled_at``):
the best grade is the best of those; the course grade (which counts every attempt) shows only
when no finished attempt came before joining. Passed and the course's certificate show as they are.

Statuses of a cell: ``passed``; ``not_started`` (no lesson, no attempt); ``stuck`` (started, not
passed, and either out of attempts or idle for ``LMS_STUCK_DAYS`` days); ``in_progress``.
A course without a quiz is passed once every lesson is done (its course result says so:
``lms.courses.services.mark_lesson_done``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property

from flask import current_app, has_app_context
from sqlalchemy import Select, case, func, select

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.classes.models import Classroom, Enrollment
from lms.classes.roster import fold
from lms.classes.services import class_courses
from lms.courses.models import Course, CourseResult, Lesson, LessonProgress
from lms.courses.schema import QUIZ_DEFAULTS
from lms.courses.services import lesson_totals
from lms.db import db, now_utc
from lms.quiz.models import Attempt, Question, QuestionBank, QuizOverride

STATUSES: tuple[str, ...] = ("not_started", "in_progress", "stuck", "passed")
SORTS: tuple[str, ...] = ("name", "progress", "activity", "status")
STUCK_DAYS = 7


@dataclass
class Cell:
    course_id: int
    lessons_done: int = 0
    lessons_total: int = 0
    has_quiz: bool = False
    best_percent: float | None = None
    grade_percent: float | None = None
    passed: bool = False
    certificate: str | None = None
    attempts_used: int = 0
    attempts_allowed: int | None = None
    running: int = 0
    pending: int = 0
    last_activity: datetime | None = None
    status: str = "not_started"


@dataclass
class LearnerRow:
    user_id: int
    full_name: str
    login: str
    birth_year: int | None
    email: str | None
    enrolled_at: datetime
    source: str
    cells: list[Cell] = field(default_factory=list)
    status: str = "not_started"
    #: code of the learner's valid path certificate ("Chứng nhận phổ cập kỹ năng số"), if any
    path_certificate: str | None = None

    @cached_property
    def name_key(self) -> tuple[str, str]:
        return name_key(self.full_name)

    @property
    def passed_count(self) -> int:
        return sum(1 for c in self.cells if c.status == "passed")

    @property
    def lessons_done(self) -> int:
        return sum(c.lessons_done for c in self.cells)

    @property
    def lessons_total(self) -> int:
        return sum(c.lessons_total for c in self.cells)

    @property
    def last_activity(self) -> datetime | None:
        return max((c.last_activity for c in self.cells if c.last_activity), default=None)

    @property
    def pending(self) -> int:
        return sum(c.pending for c in self.cells)


@dataclass
class ClassProgress:
    courses: list[Course]
    rows: list[LearnerRow]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for row in self.rows:
            counts[row.status] += 1
        counts["all"] = len(self.rows)
        return counts


def _settings(course: Course) -> dict:
    return {**QUIZ_DEFAULTS, **(course.quiz_settings or {})}


def _cell_status(cell: Cell, now: datetime, stuck_after: timedelta) -> str:
    if cell.passed:
        return "passed"
    if cell.lessons_done == 0 and cell.attempts_used == 0 and not cell.running:
        return "not_started"
    if cell.pending:
        return "in_progress"  # waiting for the teacher, not for the learner
    out_of_attempts = (
        cell.has_quiz
        and cell.attempts_allowed is not None
        and not cell.running
        and cell.attempts_used >= cell.attempts_allowed
    )
    idle = cell.last_activity is not None and cell.last_activity < now - stuck_after
    return "stuck" if out_of_attempts or idle else "in_progress"


def _row_status(cells: list[Cell]) -> str:
    statuses = {c.status for c in cells}
    if not cells or statuses == {"not_started"}:
        return "not_started"
    if statuses == {"passed"}:
        return "passed"
    return "stuck" if "stuck" in statuses else "in_progress"


def _learners(class_id: int, user_id: int | None) -> Select:
    query = select(Enrollment.user_id).where(Enrollment.class_id == class_id, Enrollment.removed_at.is_(None))
    return query.where(Enrollment.user_id == user_id) if user_id is not None else query


def class_progress(classroom: Classroom, *, user_id: int | None = None, now: datetime | None = None) -> ClassProgress:
    """Progress of every active learner of the class (or only ``user_id``)."""
    now = now or now_utc()
    days = current_app.config.get("LMS_STUCK_DAYS", STUCK_DAYS) if has_app_context() else STUCK_DAYS
    stuck_after = timedelta(days=int(days))
    courses = class_courses(classroom)
    ids = [c.id for c in courses] or [-1]
    learners = _learners(classroom.id, user_id)
    totals = lesson_totals(ids)
    quizzes = dict(
        db.session.execute(
            select(QuestionBank.course_id, func.count(Question.id))
            .join(Question, Question.bank_id == QuestionBank.id)
            .where(QuestionBank.course_id.in_(ids), Question.active.is_(True), Question.qtype != "description")
            .group_by(QuestionBank.course_id)
        ).all()
    )
    people = db.session.execute(
        select(
            User.id,
            User.full_name,
            User.username,
            User.phone,
            User.birth_year,
            User.email,
            Enrollment.enrolled_at,
            Enrollment.source,
        )
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.class_id == classroom.id, Enrollment.removed_at.is_(None), User.id.in_(learners))
    ).all()
    lessons = {
        (u, c): (n, last)
        for u, c, n, last in db.session.execute(
            select(LessonProgress.user_id, Lesson.course_id, func.count(), func.max(LessonProgress.completed_at))
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .where(LessonProgress.user_id.in_(learners), Lesson.course_id.in_(ids), Lesson.archived.is_(False))
            .group_by(LessonProgress.user_id, Lesson.course_id)
        )
    }
    results: dict[tuple[int, int], tuple] = {}
    finished_all: dict[tuple[int, int], int] = {}
    for u, c, best, grade, passed, finished in db.session.execute(
        select(
            CourseResult.user_id,
            CourseResult.course_id,
            CourseResult.best_percent,
            CourseResult.grade_percent,
            CourseResult.passed,
            CourseResult.attempts_finished,
        ).where(CourseResult.user_id.in_(learners), CourseResult.course_id.in_(ids))
    ):
        results[(u, c)] = (best, grade, passed)
        finished_all[(u, c)] = finished or 0
    certificates = {
        (u, c): code
        for u, c, code in db.session.execute(
            select(Certificate.user_id, Certificate.course_id, Certificate.code).where(
                Certificate.user_id.in_(learners),
                Certificate.course_id.in_(ids),
                Certificate.kind == "course",
                Certificate.status == "valid",
            )
        )
    }
    paths = path_certificates(learners, classroom.audience)
    # only attempts made since the learner joined this class: what came before is not the teacher's
    graded = (Attempt.state == "finished") & Attempt.score_percent.is_not(None)
    attempts = {
        (u, c): (used, pending, running, last, finished, best)
        for u, c, used, pending, running, last, finished, best in db.session.execute(
            select(
                Attempt.user_id,
                Attempt.course_id,
                func.sum(case((Attempt.state != "abandoned", 1), else_=0)),
                func.sum(case((Attempt.state == "pending_review", 1), else_=0)),
                func.sum(case((Attempt.state == "in_progress", 1), else_=0)),
                func.max(func.coalesce(Attempt.submitted_at, Attempt.started_at)),
                func.sum(case((graded, 1), else_=0)),
                func.max(case((graded, Attempt.score_percent))),
            )
            .join(Enrollment, (Enrollment.user_id == Attempt.user_id) & (Enrollment.class_id == classroom.id))
            .where(
                Attempt.user_id.in_(learners),
                Attempt.course_id.in_(ids),
                Attempt.started_at >= Enrollment.enrolled_at,
            )
            .group_by(Attempt.user_id, Attempt.course_id)
        )
    }
    extra = {
        (u, c): n or 0
        for u, c, n in db.session.execute(
            select(QuizOverride.user_id, QuizOverride.course_id, QuizOverride.extra_attempts).where(
                QuizOverride.user_id.in_(learners), QuizOverride.course_id.in_(ids)
            )
        )
    }
    limits = {c.id: _settings(c).get("max_attempts") for c in courses}
    rows = []
    for uid, full_name, username, phone, birth_year, email, enrolled_at, source in people:
        # the birth year only when the teacher's roster gave it (and it agreed): never one learnt by
        # a join code or an accepted invitation
        shown_year = birth_year if source == "roster" else None
        row = LearnerRow(uid, full_name, phone or username, shown_year, email, enrolled_at, source)
        for course in courses:
            key = (uid, course.id)
            done, lesson_last = lessons.get(key, (0, None))
            used, pending, running, attempt_last, finished, best = attempts.get(key, (0, 0, 0, None, 0, None))
            result = results.get(key)
            cell = Cell(
                course.id,
                lessons_done=done,
                lessons_total=totals.get(course.id, 0),
                has_quiz=bool(quizzes.get(course.id)),
                certificate=certificates.get(key),
                attempts_used=int(used or 0),
                pending=int(pending or 0),
                running=int(running or 0),
            )
            if result is not None:
                cell.passed = bool(result[2])
                cell.best_percent = best
                # the course grade counts every attempt: shown only when none came before joining
                if int(finished or 0) == finished_all.get(key, 0):
                    cell.grade_percent = result[1]
            limit = limits[course.id]
            cell.attempts_allowed = None if limit is None else limit + extra.get(key, 0)
            stamps = [s for s in (lesson_last, attempt_last) if s is not None]
            cell.last_activity = max(_aware(s) for s in stamps) if stamps else None
            cell.status = _cell_status(cell, now, stuck_after)
            row.cells.append(cell)
        row.status = _row_status(row.cells)
        row.path_certificate = paths.get(uid)
        rows.append(row)
    return ClassProgress(courses, sort_rows(rows, "name"))


def path_certificates(learners: Select, audience: str | None) -> dict[int, str]:
    """user id -> code of their valid path certificate: the class's audience's if they hold it,
    else another audience's (one a person, in practice)."""
    found: dict[int, str] = {}
    for user_id, subject, code in db.session.execute(
        select(Certificate.user_id, Certificate.subject, Certificate.code)
        .where(Certificate.user_id.in_(learners), Certificate.kind == "path", Certificate.status == "valid")
        .order_by(Certificate.issued_at)
    ):
        if user_id not in found or subject == audience:
            found[user_id] = code
    return found


def _aware(stamp: datetime | str) -> datetime:
    # aggregates (max) come back without the column type's conversion on SQLite
    if isinstance(stamp, str):
        stamp = datetime.fromisoformat(stamp)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def name_key(full_name: str) -> tuple[str, str]:
    """Vietnamese lists go by the given name (the last word), then the whole name."""
    folded = fold(full_name)
    return (folded.rsplit(" ", 1)[-1], folded)


_EPOCH = datetime(1970, 1, 1).astimezone()


def sort_rows(rows: list[LearnerRow], key: str, descending: bool = False) -> list[LearnerRow]:
    order = {"not_started": 0, "stuck": 1, "in_progress": 2, "passed": 3}
    keys = {
        "name": lambda r: r.name_key,
        "progress": lambda r: (r.passed_count, r.lessons_done, r.name_key),
        "activity": lambda r: (r.last_activity or _EPOCH, r.name_key),
        "status": lambda r: (order[r.status], r.name_key),
    }
    return sorted(rows, key=keys.get(key, keys["name"]), reverse=descending)


def filter_rows(rows: list[LearnerRow], status: str | None) -> list[LearnerRow]:
    if status not in STATUSES:
        return rows
    return [r for r in rows if r.status == status]
