"""Classes a teacher runs and who is enrolled in them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import UTCDateTime, db, now_utc


class Classroom(db.Model):
    __tablename__ = "lms_classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id"), index=True)
    audience: Mapped[str | None] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("lms_units.id"))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    #: the audience's whole path instead of hand-picked courses
    uses_path: Mapped[bool] = mapped_column(default=False)
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    teacher = relationship("User")
    unit = relationship("AdminUnit")


class ClassCourse(db.Model):
    __tablename__ = "lms_class_courses"

    class_id: Mapped[int] = mapped_column(
        ForeignKey("lms_classes.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)


class Enrollment(db.Model):
    __tablename__ = "lms_enrollments"

    class_id: Mapped[int] = mapped_column(
        ForeignKey("lms_classes.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id"), primary_key=True, index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: removing a learner keeps their records; only the link is closed
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
