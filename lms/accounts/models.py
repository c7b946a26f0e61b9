"""People and their credentials."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import UTCDateTime, db, now_utc

#: "ambassador": a volunteer of a commune who registers and helps citizens (lms.ambassadors)
ROLES: tuple[str, ...] = ("learner", "teacher", "verifier", "official", "admin", "ambassador")


class User(db.Model):
    __tablename__ = "lms_users"
    __table_args__ = (
        CheckConstraint(
            "audience IS NULL OR audience IN ('officials', 'students', 'workers', 'citizens')",
            name="audience_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: lower-case login name; a learner who registers with a phone number gets it here too
    username: Mapped[str] = mapped_column(String(64), unique=True)
    #: Vietnamese mobile number in national form (0xxxxxxxxx), unique when present
    phone: Mapped[str | None] = mapped_column(String(16), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    #: when the owner proved the address theirs (a link sent to it); only then do reset links go there
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_hash: Mapped[str] = mapped_column(String(256))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    #: SHA-256 of the account's recovery code (lms.accounts.onetime); None until one is made
    recovery_code_hash: Mapped[str | None] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(120))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    audience: Mapped[str | None] = mapped_column(String(16), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("lms_units.id"), index=True)
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit = relationship("AdminUnit", lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows} | {"learner"}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UserRole(db.Model):
    __tablename__ = "lms_user_roles"
    __table_args__ = (
        CheckConstraint(
            "role IN ('learner', 'teacher', 'verifier', 'official', 'admin', 'ambassador')", name="role_known"
        ),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("lms_users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "lms_api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: what the owner sees in the token list: the "label" sent for it, else the client's User-Agent
    label: Mapped[str] = mapped_column(String(120), default="", server_default="")

    user: Mapped[User] = relationship(lazy="joined")


class UserSession(db.Model):
    """A signed-in browser. The cookie holds a random id; only its SHA-256 is stored here, so
    signing out (or a password change) ends the session on the server, whatever the cookie says."""

    __tablename__ = "lms_user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    sid_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditLog(db.Model):
    """Who did what to which object, and why (revocations, role changes, grade changes)."""

    __tablename__ = "lms_audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id"))
    actor_label: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(db.JSON, default=dict)


class PasswordResetLink(db.Model):
    """A single-use link e-mailed to an account: to choose a new password (``reset``), or to prove
    an e-mail address the owner's (``confirm_email``, for that ``email``). Only the SHA-256 of its
    token is stored."""

    __tablename__ = "lms_password_reset_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16), default="reset", server_default="reset")
    email: Mapped[str | None] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")
