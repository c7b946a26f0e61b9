"""Courses, their lessons, audience paths and a learner's progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import UTCDateTime, db, now_utc


class Course(db.Model):
    __tablename__ = "lms_courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    #: {"vi": "...", "en": "..."}
    title: Mapped[dict] = mapped_column(db.JSON)
    summary: Mapped[dict] = mapped_column(db.JSON, default=dict)
    audiences: Mapped[list] = mapped_column(db.JSON, default=list)
    #: the ``quiz:`` mapping of course.yaml, with defaults filled in
    quiz_settings: Mapped[dict] = mapped_column(db.JSON, default=dict)
    issues_certificate: Mapped[bool] = mapped_column(default=True)
    #: a course whose folder disappeared is archived, never deleted: attempts and certificates keep it
    archived: Mapped[bool] = mapped_column(default=False)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="course",
        order_by="Lesson.position",
        primaryjoin="and_(Course.id == Lesson.course_id, Lesson.archived == False)",
        viewonly=True,
    )

    def title_in(self, locale: str) -> str:
        return self.title.get(locale) or self.title.get("vi") or self.slug

    def summary_in(self, locale: str) -> str:
        return (self.summary or {}).get(locale) or (self.summary or {}).get("vi") or ""


class Lesson(db.Model):
    __tablename__ = "lms_lessons"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id"), index=True)
    #: the file name without its extension, e.g. "01-bat-may"
    slug: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[dict] = mapped_column(db.JSON)
    #: Markdown source per locale; rendered and sanitised on display
    body: Mapped[dict] = mapped_column(db.JSON)
    archived: Mapped[bool] = mapped_column(default=False)

    course: Mapped[Course] = relationship(back_populates="lessons")

    def title_in(self, locale: str) -> str:
        return self.title.get(locale) or self.title.get("vi") or self.slug

    def body_in(self, locale: str) -> tuple[str, str]:
        """Return the Markdown for ``locale`` and the locale it is actually in."""
        if self.body.get(locale):
            return self.body[locale], locale
        return self.body.get("vi", ""), "vi"


class PathStep(db.Model):
    """One course in an audience's "universal digital skills" path (courses/paths.yaml)."""

    __tablename__ = "lms_path_steps"
    __table_args__ = (
        UniqueConstraint("audience", "course_id"),
        CheckConstraint(
            "audience IN ('officials', 'students', 'workers', 'citizens')", name="audience_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audience: Mapped[str] = mapped_column(String(16), index=True)
    position: Mapped[int] = mapped_column(default=0)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id"))

    course: Mapped[Course] = relationship(lazy="joined")


class LessonProgress(db.Model):
    __tablename__ = "lms_lesson_progress"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("lms_users.id", ondelete="CASCADE"), primary_key=True
    )
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lms_lessons.id"), primary_key=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class CourseResult(db.Model):
    """A learner's standing in a course's quiz, kept up to date by the quiz engine."""

    __tablename__ = "lms_course_results"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("lms_users.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id"), primary_key=True)
    #: the course grade under the quiz's grading method (highest, last, first, average)
    grade_percent: Mapped[float | None] = mapped_column()
    best_percent: Mapped[float | None] = mapped_column()
    attempts_finished: Mapped[int] = mapped_column(default=0)
    passed: Mapped[bool] = mapped_column(default=False)
    passed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CourseSourceFile(db.Model):
    """Raw text kept from the course folder (the GIFT bank) so nothing in it is lost on import."""

    __tablename__ = "lms_course_files"
    __table_args__ = (UniqueConstraint("course_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    content: Mapped[str] = mapped_column(Text)
