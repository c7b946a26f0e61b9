"""An outreach activity a unit carried out: its kind, dates, the people it reached and a note."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import UTCDateTime, db, now_utc


class OutreachActivity(db.Model):
    __tablename__ = "lms_outreach_activities"
    __table_args__ = (
        CheckConstraint("kind IN ('meeting', 'talk', 'broadcast', 'post', 'visual', 'community', 'day_1010')",
                        name="kind_known"),
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        CheckConstraint("reached >= 0", name="reached_not_negative"),
        # the report reads a scope's activities of a period: by unit, then by first day
        Index("ix_lms_outreach_activities_unit_start", "unit_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("lms_units.id"))
    kind: Mapped[str] = mapped_column(String(16))
    #: first and last day, both included (local dates); a report counts an activity in the period
    #: of its first day, so that reports of consecutive periods never count it twice
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: audience reached (people, as the unit estimates it)
    reached: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    unit = relationship("AdminUnit", lazy="joined")
