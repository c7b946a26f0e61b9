"""Classes a teacher runs, who is enrolled in them, roster uploads and one-time password sheets."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import UTCDateTime, db, now_utc

ORGANISATION_KINDS: tuple[str, ...] = ("school", "agency", "enterprise")
ENROLLMENT_SOURCES: tuple[str, ...] = ("roster", "join")


class Classroom(db.Model):
    __tablename__ = "lms_classes"
    __table_args__ = (
        CheckConstraint(
            "organisation_kind IS NULL OR organisation_kind IN ('school', 'agency', 'enterprise')",
            name="organisation_kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id"), index=True)
    audience: Mapped[str | None] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("lms_units.id"))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    #: school, agency (a commune office is one) or enterprise
    organisation_kind: Mapped[str | None] = mapped_column(String(16))
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

    class_id: Mapped[int] = mapped_column(ForeignKey("lms_classes.id", ondelete="CASCADE"), primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)


class Enrollment(db.Model):
    __tablename__ = "lms_enrollments"
    __table_args__ = (CheckConstraint("source IN ('roster', 'join')", name="source_known"),)

    class_id: Mapped[int] = mapped_column(ForeignKey("lms_classes.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id"), primary_key=True, index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: removing a learner keeps their records; only the link is closed
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: how the learner came in: the teacher's roster or the join code
    source: Mapped[str] = mapped_column(String(8), default="roster", server_default="roster")
    #: the account was created by this class's roster: only then may the teacher issue it a new
    #: one-time password (and only while the learner has not chosen their own)
    created_account: Mapped[bool] = mapped_column(default=False, server_default=false())

    user = relationship("User")


class RosterUpload(db.Model):
    """An uploaded roster, checked row by row, waiting for the teacher to import its valid rows.

    ``rows`` keeps the normalised values and problem *codes* (not messages), so the preview
    speaks the language of whoever looks at it.
    """

    __tablename__ = "lms_roster_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("lms_classes.id", ondelete="CASCADE"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id"))
    filename: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: file-level notes, e.g. [{"code": "unknown_column", "column": "Lớp"}]
    notes: Mapped[list] = mapped_column(db.JSON, default=list)
    rows: Mapped[list] = mapped_column(db.JSON, default=list)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: what the import did: {"created": n, "linked": n, "already": n, "sheet_id": id}
    outcome: Mapped[dict | None] = mapped_column(db.JSON)


class PasswordSheet(db.Model):
    """One-time passwords to print and hand out, encrypted with a key derived from SECRET_KEY.

    Kept only until ``expires_at`` (or until the teacher deletes it): the passwords exist
    nowhere else, and each learner must replace theirs at first sign-in.
    """

    __tablename__ = "lms_password_sheets"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("lms_classes.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    #: Fernet token of a JSON list [{"name", "login", "password"}]
    secret: Mapped[str] = mapped_column(Text)



class ClassInvitation(db.Model):
    """A roster named an existing account whose details did not agree (or a staff account): the
    person is asked, at their next sign-in, whether to join. The teacher sees nothing of the
    account until it says yes (then it is an ordinary enrollment, source "join").

    ``answered_at`` is None while pending; ``accepted`` says what the person answered (joining
    with the class's code also answers yes).
    """

    __tablename__ = "lms_class_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("lms_classes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted: Mapped[bool | None] = mapped_column()

    classroom = relationship("Classroom")
