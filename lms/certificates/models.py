"""Issued certificates. The signed token is the source of truth a verifier checks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, text
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
        Index("uq_lms_certificates_status_index", "status_index", unique=True),
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
    #: the certificate's bit in the W3C Bitstring Status List (list ``index // 131072``), chosen
    #: at random at issuance (:func:`lms.certificates.statuslists.allocate_index`)
    status_index: Mapped[int | None] = mapped_column(Integer)

    user = relationship("User", foreign_keys=[user_id])
    course = relationship("Course")
    #: the commune or ward at issuance (its parent, the province, is loaded with it)
    unit = relationship("AdminUnit")
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])


class StatusList(db.Model):
    """A signed W3C ``BitstringStatusListCredential`` as published: rewritten, in the same
    transaction, whenever a certificate of its range changes status (:mod:`.statuslists`)."""

    __tablename__ = "lms_status_lists"

    #: list n covers status indexes n * 131072 .. (n + 1) * 131072 - 1
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    purpose: Mapped[str] = mapped_column(String(16), default="revocation")
    #: the signed credential, JSON text, served byte for byte
    credential: Mapped[str] = mapped_column(Text)
    revoked: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class SigningKey(db.Model):
    """A certificate signing key, shared by every server on the database (:mod:`.keyring`).

    The public half in clear (it is published); the private half sealed with AES-256-GCM under
    the key-encryption key (:mod:`.sealing`), or NULL for a key kept only to verify. One key is
    active: new certificates are signed with it.
    """

    __tablename__ = "lms_signing_keys"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'retired')", name="status_known"),
        Index("uq_lms_signing_keys_one_active", "status", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
    )

    kid: Mapped[str] = mapped_column(String(16), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_private: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: fingerprint of the key-encryption key that sealed it (sealing.fingerprint)
    kek_id: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(8), default="retired")
    #: "generated" here, or "folder" (carried over from an instance folder's keys/)
    origin: Mapped[str] = mapped_column(String(12), default="generated")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
