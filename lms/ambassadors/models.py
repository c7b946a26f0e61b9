"""Who an ambassador helps, the citizens' sign-in cards, and the help log.

An ambassador is an account with the ``ambassador`` role; their commune is their own account's
unit (an official grants the role only to someone of a commune of their unit).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import UTCDateTime, db, now_utc


class Helped(db.Model):
    """An ambassador looks after this citizen: they registered them, or the citizen proved it was
    them (their password typed on the ambassador's device). Only such people can be acted for."""

    __tablename__ = "lms_ambassador_people"

    ambassador_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), primary_key=True,
                                            index=True)
    #: True when the ambassador made the account; False when they were asked for help later
    registered: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_helped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    citizen = relationship("User", foreign_keys=[citizen_id], lazy="joined")


class SignInCard(db.Model):
    """A personal sign-in card: its QR code signs one citizen in, nothing else. Only the SHA-256 of
    its token is stored; a new card for the same person ends the old one."""

    __tablename__ = "lms_signin_cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HelpVisit(db.Model):
    """An ambassador acted as a citizen on the ambassador's device ("điểm học cộng đồng"): from
    ``started_at`` to ``ended_at`` the citizen's work on that device was helped by the ambassador."""

    __tablename__ = "lms_help_visits"
    __table_args__ = (Index("ix_lms_help_visits_ambassador_started", "ambassador_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ambassador_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"))
    citizen_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HelpAction(db.Model):
    """One piece of work recorded as the citizen's during a visit (a lesson done, a course passed):
    the "helped by" of that work."""

    __tablename__ = "lms_help_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("lms_help_visits.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: "lesson_done" (object: the lesson's id) or "course_passed" (the course's id)
    action: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int] = mapped_column()
