"""Populations, targets and externally reported figures for coverage reports."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import db

#: the four audiences plus "vneid" (adults confirmed on VNeID, reported from outside)
INDICATORS: tuple[str, ...] = ("officials", "students", "workers", "citizens", "vneid")


class Baseline(db.Model):
    """How many people of an audience live or work in a unit in a year (the denominator)."""

    __tablename__ = "lms_baselines"
    __table_args__ = (UniqueConstraint("unit_id", "audience", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("lms_units.id"), index=True)
    audience: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column()
    population: Mapped[int] = mapped_column()

    unit = relationship("AdminUnit")


class Target(db.Model):
    """A target for an indicator in a year; unit None is the default for every unit."""

    __tablename__ = "lms_targets"
    __table_args__ = (
        UniqueConstraint("unit_id", "indicator", "year"),
        CheckConstraint("kind IN ('percent', 'count')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("lms_units.id"))
    indicator: Mapped[str] = mapped_column(String(16))
    year: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(8), default="percent")
    value: Mapped[float] = mapped_column()
    source: Mapped[str] = mapped_column(String(120), default="")


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
