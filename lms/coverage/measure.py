"""The measure: how many distinct persons of each audience are covered, per unit.

Covered on date D = a person of audience A, registered in the unit or any unit below it, who
holds a certificate with kind 'path', subject A (their own audience), status 'valid' and
issued_on <= D. A person counts once however many certificates they hold; a revoked
certificate never counts (a revocation corrects the record: reports regenerated afterwards,
for any date, leave it out, so a series never counts someone the latest report drops).

Which unit: the person's *registered* unit (``lms_users.unit_id``), not the unit captured on
the certificate. The issue counts people "registered in the unit"; a learner who moves and
updates their commune is counted where they live now, and the figure matches the commune's
population baseline, which is about where people live now. The certificate keeps its own
unit and list version for the certificate's text, not for statistics.

Two ways to count, which must agree (``lms coverage check``; tests on both engines):

* :func:`live_counts` evaluates the definition on ``lms_users`` x ``lms_certificates``;
* :func:`counts` reads ``lms_covered_people`` (one row per covered person with the earliest
  qualifying issue date, kept by triggers), which is what the pages use because it is fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, exists, func, select, true
from sqlalchemy.sql import ColumnElement, Select

from lms.accounts.models import User
from lms.audiences import AUDIENCES
from lms.certificates.models import Certificate
from lms.coverage.models import CoveredPerson
from lms.db import db
from lms.units.models import AdminUnit

#: (unit_id, audience) -> covered persons; unit_id None = registered without a unit
UnitCounts = dict[tuple[int | None, str], int]


@dataclass(frozen=True)
class Scope:
    """The units a report covers: one unit and everything below it, or the whole country."""

    path: str | None  # "/79/" for province 79; None for the whole country

    def unit_filter(self, column: ColumnElement, with_unassigned: bool = False) -> ColumnElement:
        """A SQL condition on a unit id column; the country includes people without a unit on request."""
        if self.path is None:
            return true() if with_unassigned else column.is_not(None)
        return column.in_(select(AdminUnit.id).where(AdminUnit.path.startswith(self.path)))


def _per_audience() -> list:
    # one column per audience, grouped by a single integer or date key: hashing four short
    # strings per row made PostgreSQL's aggregate 2-3x slower on 700,000 rows
    return [func.sum(case((CoveredPerson.audience == a, 1), else_=0)) for a in AUDIENCES]


def counts(scope: Scope, on: date) -> UnitCounts:
    """Covered persons per registered unit and audience, on ``on`` (from lms_covered_people).

    For the whole country the key ``(None, audience)`` counts people registered without a unit.
    """
    query = (
        select(CoveredPerson.unit_id, *_per_audience())
        .where(CoveredPerson.covered_on <= on, scope.unit_filter(CoveredPerson.unit_id, with_unassigned=True))
        .group_by(CoveredPerson.unit_id)
    )
    result: UnitCounts = {}
    for unit_id, *per_audience in db.session.connection().execute(query).all():
        for audience, n in zip(AUDIENCES, per_audience, strict=True):
            if n:
                result[(unit_id, audience)] = int(n)
    return result


def monthly(scope: Scope, year: int, on: date) -> dict[tuple[str, int], int]:
    """Persons first covered in each month of ``year`` up to ``on`` (at most 31 December of
    ``year``); month 0 = before the year."""
    query = (
        select(CoveredPerson.covered_on, *_per_audience())
        .where(CoveredPerson.covered_on <= on, scope.unit_filter(CoveredPerson.unit_id))
        .group_by(CoveredPerson.covered_on)
    )
    result: dict[tuple[str, int], int] = {}
    for day, *per_audience in db.session.connection().execute(query).all():
        month = day.month if day.year == year else 0  # callers pass on <= 31 December of the year
        for audience, n in zip(AUDIENCES, per_audience, strict=True):
            result[(audience, month)] = result.get((audience, month), 0) + int(n)
    return result


def _live_query(on: date) -> Select:
    qualifying = exists().where(
        Certificate.user_id == User.id,
        Certificate.kind == "path",
        Certificate.status == "valid",
        Certificate.subject == User.audience,
        Certificate.issued_on <= on,
    )
    # counting rows of lms_users (one per person) filtered by EXISTS: distinct by construction
    return (
        select(User.unit_id, User.audience, func.count())
        .where(and_(User.audience.is_not(None), qualifying))
        .group_by(User.unit_id, User.audience)
    )


def live_counts(scope: Scope, on: date) -> UnitCounts:
    """The definition, evaluated on users and certificates (slow on a big database; for checks)."""
    query = _live_query(on).where(scope.unit_filter(User.unit_id, with_unassigned=True))
    return {(unit_id, audience): n for unit_id, audience, n in db.session.connection().execute(query).all()}
