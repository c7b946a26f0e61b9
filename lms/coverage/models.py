"""Populations, targets, externally reported figures, and the covered-persons table of coverage reports."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import UTCDateTime, db, now_utc

#: the four audiences plus "vneid" (adults confirmed on VNeID, reported from outside)
INDICATORS: tuple[str, ...] = ("officials", "students", "workers", "citizens", "vneid")
#: a population may be given for each audience, and for "adults": the denominator of "vneid"
POPULATIONS: tuple[str, ...] = ("officials", "students", "workers", "citizens", "adults")


class Baseline(db.Model):
    """How many people of an audience live or work in a unit in a year (the denominator)."""

    __tablename__ = "lms_baselines"
    __table_args__ = (UniqueConstraint("unit_id", "audience", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("lms_units.id"), index=True)
    audience: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column()
    population: Mapped[int] = mapped_column()
    #: where the headcount comes from (e.g. "Cục Thống kê 2025"), shown beside the figure
    source: Mapped[str] = mapped_column(String(120), default="", server_default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)

    unit = relationship("AdminUnit")


class Target(db.Model):
    """A target for an indicator in a year; unit None is the default for every unit."""

    __tablename__ = "lms_targets"
    __table_args__ = (
        UniqueConstraint("unit_id", "indicator", "year"),
        CheckConstraint("kind IN ('percent', 'count')", name="kind_known"),
        # NULLs are distinct in a UNIQUE constraint: the defaults need their own index
        Index(
            "uq_lms_targets_default", "indicator", "year", unique=True,
            sqlite_where=text("unit_id IS NULL"), postgresql_where=text("unit_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("lms_units.id"))
    indicator: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(8), default="percent")
    value: Mapped[float] = mapped_column()
    source: Mapped[str] = mapped_column(String(120), default="")

    unit = relationship("AdminUnit")


class ExternalFigure(db.Model):
    """A figure reported from outside the LMS, e.g. adults confirmed on VNeID."""

    __tablename__ = "lms_external_figures"
    __table_args__ = (UniqueConstraint("unit_id", "indicator", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("lms_units.id"), index=True)
    indicator: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column()
    value: Mapped[int] = mapped_column()
    reported_on: Mapped[date | None] = mapped_column(Date)

    unit = relationship("AdminUnit")


class CoveredPerson(db.Model):
    """One row per person who holds a valid path certificate for their own audience.

    Derived data, kept exact by database triggers on ``lms_certificates`` and ``lms_users``
    (see ``lms/coverage/triggers.py``) in the same transaction as every change, whichever
    code makes it. It exists for speed: counting 1,000,000 users joined to 700,000
    certificates takes over a second; counting this narrow table takes a fraction of that.
    ``lms coverage check`` compares it with the definition; ``lms coverage rebuild`` refills it.
    """

    __tablename__ = "lms_covered_people"
    __table_args__ = (
        # a province's figures: the rows of ~100 communes, read from the index alone
        Index("ix_lms_covered_people_unit", "unit_id", "audience", "covered_on"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id", ondelete="CASCADE"), primary_key=True)
    #: the person's registered unit (None: registered without one, counted in no unit)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("lms_units.id"))
    audience: Mapped[str] = mapped_column(String(16))
    #: the earliest issue date among the person's qualifying certificates
    covered_on: Mapped[date] = mapped_column(Date)
