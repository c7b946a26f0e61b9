"""Course catalogue, audience paths and lesson progress; no request objects here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from lms.courses.lesson_files import AUDIO_TYPES
from lms.courses.models import Course, CourseResult, CourseSourceFile, Lesson, LessonProgress, PathStep
from lms.db import db, now_utc
from lms.fastread import read_one
from lms.signals import lesson_completed, send


@dataclass
class CourseStanding:
    course: Course
    lessons_total: int
    lessons_done: int
    result: CourseResult | None

    @property
    def passed(self) -> bool:
        return bool(self.result and self.result.passed)

    @property
    def started(self) -> bool:
        return self.lessons_done > 0 or bool(self.result and self.result.attempts_finished)

    @property
    def shown_done(self) -> int:
        """The lessons a progress bar counts as done: all of them once the course is passed
        (a learner may pass the quiz without opening a lesson)."""
        return self.lessons_total if self.passed else self.lessons_done


def active_courses(audience: str | None = None) -> list[Course]:
    courses = db.session.scalars(select(Course).where(Course.archived.is_(False)).order_by(Course.slug)).all()
    if audience:
        courses = [c for c in courses if audience in (c.audiences or [])]
    return list(courses)


def path_courses(audience: str) -> list[Course]:
    return list(
        db.session.scalars(
            select(Course)
            .join(PathStep, PathStep.course_id == Course.id)
            .where(PathStep.audience == audience, Course.archived.is_(False))
            .order_by(PathStep.position)
        )
    )


def get_course(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug, Course.archived.is_(False)))


def get_lesson(course: Course, lesson_slug: str) -> Lesson | None:
    return db.session.scalar(
        select(Lesson).where(Lesson.course_id == course.id, Lesson.slug == lesson_slug, Lesson.archived.is_(False))
    )


def lesson_totals(course_ids: list[int]) -> dict[int, int]:
    """Number of current lessons per course, in one query."""
    return dict(
        db.session.execute(
            select(Lesson.course_id, func.count(Lesson.id))
            .where(Lesson.course_id.in_(course_ids), Lesson.archived.is_(False))
            .group_by(Lesson.course_id)
        ).all()
    )


def standings(user_id: int | None, courses: list[Course]) -> list[CourseStanding]:
    """Progress for many courses in three queries, whatever their number."""
    ids = [c.id for c in courses]
    if not ids:
        return []
    totals = lesson_totals(ids)
    done: dict[int, int] = {}
    results: dict[int, CourseResult] = {}
    if user_id is not None:
        done = dict(
            db.session.execute(
                select(Lesson.course_id, func.count(LessonProgress.lesson_id))
                .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
                .where(LessonProgress.user_id == user_id, Lesson.course_id.in_(ids), Lesson.archived.is_(False))
                .group_by(Lesson.course_id)
            ).all()
        )
        results = {
            r.course_id: r
            for r in db.session.scalars(
                select(CourseResult).where(CourseResult.user_id == user_id, CourseResult.course_id.in_(ids))
            )
        }
    return [CourseStanding(c, totals.get(c.id, 0), done.get(c.id, 0), results.get(c.id)) for c in courses]


def completed_lesson_ids(user_id: int, course: Course) -> set[int]:
    return set(
        db.session.scalars(
            select(LessonProgress.lesson_id)
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .where(LessonProgress.user_id == user_id, Lesson.course_id == course.id)
        )
    )


_LESSON_DONE = (
    select(LessonProgress.lesson_id)
    .join(Lesson, Lesson.id == LessonProgress.lesson_id)
    .join(Course, Course.id == Lesson.course_id)
    .where(LessonProgress.user_id == bindparam("user_id"), Course.slug == bindparam("course"),
           Lesson.slug == bindparam("lesson"))
)


def lesson_done(user_id: int, course_slug: str, lesson_slug: str) -> bool:
    """Whether the learner finished this lesson, in one indexed read (no ORM objects)."""
    row = read_one("courses_lesson_done", _LESSON_DONE, {"user_id": user_id, "course": course_slug,
                                                         "lesson": lesson_slug})
    return row is not None


def mark_lesson_done(user_id: int, lesson: Lesson) -> bool:
    """Record that the learner finished the lesson; return False if it was already done."""
    exists = db.session.get(LessonProgress, (user_id, lesson.id))
    if exists is not None:
        return False
    try:
        with db.session.begin_nested():  # a double tap sends two at once: the second finds it done
            db.session.add(LessonProgress(user_id=user_id, lesson_id=lesson.id, completed_at=now_utc()))
    except IntegrityError:
        return False
    send(lesson_completed, user_id=user_id, lesson=lesson)  # a course without a quiz may be passed now
    db.session.commit()
    return True


def neighbours(course: Course, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    lessons = course.lessons
    index = next((i for i, item in enumerate(lessons) if item.id == lesson.id), None)
    if index is None:
        return None, None
    previous = lessons[index - 1] if index > 0 else None
    following = lessons[index + 1] if index + 1 < len(lessons) else None
    return previous, following


def next_step(user_id: int, path: list[CourseStanding]) -> tuple[Course, Lesson | None] | None:
    """Where "Continue learning" leads: the first lesson not done of the first course not passed,
    or that course's quiz (no lesson) once its lessons are done; None when every course is passed."""
    for standing in path:
        if standing.passed:
            continue
        done = completed_lesson_ids(user_id, standing.course) if standing.lessons_done else set()
        following = next((lesson for lesson in standing.course.lessons if lesson.id not in done), None)
        return standing.course, following
    return None
def lesson_audio(course: Course, lesson: Lesson) -> list[tuple[str, str]]:
    """The lesson's recordings as (file name, MIME type), Ogg first (smaller at the same quality)."""
    names = [f"lessons/{lesson.slug}{suffix}" for suffix in AUDIO_TYPES]
    found = set(db.session.scalars(select(CourseSourceFile.name).where(
        CourseSourceFile.course_id == course.id, CourseSourceFile.name.in_(names))))
    return [(name.removeprefix("lessons/"), AUDIO_TYPES["." + name.rsplit(".", 1)[1]])
            for name in names if name in found]
