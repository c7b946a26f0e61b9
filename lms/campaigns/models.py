"""A campaign: a window of local (Vietnam) dates, the units it covers and the audiences it addresses."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import UTCDateTime, db, now_utc


class Campaign(db.Model):
    __tablename__ = "lms_campaigns"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="window_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    #: first and last day of the window, both included, as dates in Vietnam
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: comma-separated audience codes, e.g. "citizens,workers"
    audiences: Mapped[str] = mapped_column(String(80))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=now_utc)

    units = relationship("AdminUnit", secondary="lms_campaign_units", order_by="AdminUnit.name", lazy="selectin")

    @property
    def audience_list(self) -> list[str]:
        return [a for a in self.audiences.split(",") if a]


class CampaignUnit(db.Model):
    """A unit a campaign covers; a province's campaign covers its communes too."""

    __tablename__ = "lms_campaign_units"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("lms_campaigns.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("lms_units.id"), primary_key=True)
