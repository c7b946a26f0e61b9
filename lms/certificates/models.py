"""Issued certificates. The signed token is the source of truth a verifier checks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import UTCDateTime, db, now_utc


class Certificate(db.Model):
    __tablename__ = "lms_certificates"
    __table_args__ = (
        CheckConstraint("kind IN ('course', 'path')", name="kind_known"),
        CheckConstraint("status IN ('valid', 'revoked')", name="status_known"),
        # one valid certificate per person per course (or per audience path)
        Index(
            "uq_lms_certificates_one_valid",
            "user_id",
            "kind",
            "subject",
            unique=True,
            sqlite_where=text("status = 'valid'"),
            postgresql_where=text("status = 'valid'"),
        ),
        Index("ix_lms_certificates_coverage", "kind", "status", "audience", "issued_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Crockford base32, grouped, e.g. "7KQ4-M2XD-9RTE-H3"; unique and unguessable
    code: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    #: course slug for a course certificate, audience code for a path certificate
    subject: Mapped[str] = mapped_column(String(80))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("lms_courses.id"))
    audience: Mapped[str | None] = mapped_column(String(16))
    full_name: Mapped[str] = mapped_column(String(120))
    masked_name: Mapped[str] = mapped_column(String(120))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("lms_units.id"))
    unit_code: Mapped[str | None] = mapped_column(String(12))
    unit_name: Mapped[str | None] = mapped_column(String(160))
    unit_list_version: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    issued_on: Mapped[date] = mapped_column(Date)
    key_id: Mapped[str] = mapped_column(String(32))
    token: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default="valid")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id"))

    user = relationship("User", foreign_keys=[user_id])
    course = relationship("Course")
    #: the commune or ward at issuance (its parent, the province, is loaded with it)
    unit = relationship("AdminUnit")
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])
