"""Gia đình số per commune, for the coverage pages and exports (lms.coverage imports this).

Which commune: a household has none of its own; it is counted in the commune where most of its
members are registered (``lms_users.unit_id``, as the coverage measure counts a person). A tie goes
to the commune of the member who joined first among the tied ones; members registered without a
unit do not vote, and a household none of whose members has a unit counts under ``None`` (the
whole country's "without a unit", like the persons). So each household counts once, in one place.

When: the membership is today's (it keeps no history); the certificates count as of the report's
date (issued on or before it, as the coverage measure), and adulthood by the report's year.

How: one aggregate query decides which households are gia đình số (:mod:`lms.households.rules`
in SQL) and returns one row per such household with its members' lowest and highest unit; the
usual household, all in one commune, is counted from that row; only households whose members are
registered in different communes are read member by member to find their commune. Measured:
20,000 households (60,000 members) in 0.2 s on SQLite, 1.0-1.5 s on PostgreSQL (most of it JIT
(compiling the query) on a busy 2-core machine); unlike the persons (lms_covered_people,
kept by triggers) nothing is precomputed, so a whole country of millions of households is a
known cost of the country-wide report.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.sql import Select

from lms.accounts.models import User
from lms.db import db
from lms.households.models import HouseholdMember
from lms.households.rules import MIN_MEMBERS, adult, certified
from lms.units.models import AdminUnit


def _commune(units: list[int | None]) -> int | None:
    """``units``: the members' units in the order they joined."""
    votes = Counter(u for u in units if u is not None)
    if not votes:
        return None
    most = max(votes.values())
    return next(u for u in units if u is not None and votes[u] == most)


def _digital(on: date, within: str | None) -> Select:
    """One row per gia đình số (with a member in scope): its id and the lowest and highest unit id
    of its members (equal, or both NULL, when they all share one)."""
    is_adult = adult(on.year)
    query = (
        select(HouseholdMember.household_id.label("household_id"), func.min(User.unit_id).label("lo"),
               func.max(User.unit_id).label("hi"))
        .join(User, User.id == HouseholdMember.user_id)
        .group_by(HouseholdMember.household_id)
        .having(and_(
            func.count() >= MIN_MEMBERS,
            func.sum(case((is_adult, 1), else_=0)) > 0,
            # every adult holds the certificate: no adult without it
            func.sum(case((and_(is_adult, ~certified(on)), 1), else_=0)) == 0,
        ))
    )
    if within is not None:
        touching = (
            select(HouseholdMember.household_id).join(User, User.id == HouseholdMember.user_id)
            .where(User.unit_id.in_(select(AdminUnit.id).where(AdminUnit.path.startswith(within))))
        )
        query = query.where(HouseholdMember.household_id.in_(touching))
    return query


def digital_households(on: date, within: str | None = None) -> dict[int | None, int]:
    """Gia đình số per commune (unit id) on ``on``; ``within``: a unit path ("/79/") or the country.

    A household with one member in scope may count there (its commune is where most members are),
    so the query starts from the households that touch the scope and keeps those counted in it."""
    connection = db.session.connection()
    result: dict[int | None, int] = {}
    spread: list[int] = []
    for household_id, lo, hi in connection.execute(_digital(on, within)).all():
        if lo == hi:  # one commune (or none: both NULL)
            result[lo] = result.get(lo, 0) + 1
        else:
            spread.append(household_id)
    for start in range(0, len(spread), 500):  # bounded IN lists
        members: dict[int, list[int | None]] = {}
        rows = connection.execute(
            select(HouseholdMember.household_id, User.unit_id).join(User, User.id == HouseholdMember.user_id)
            .where(HouseholdMember.household_id.in_(spread[start:start + 500]))
            .order_by(HouseholdMember.household_id, HouseholdMember.joined_at, HouseholdMember.user_id)
        ).all()
        for household_id, unit_id in rows:
            members.setdefault(household_id, []).append(unit_id)
        for units in members.values():
            unit = _commune(units)
            result[unit] = result.get(unit, 0) + 1
    if within is not None:
        allowed = set(db.session.scalars(select(AdminUnit.id).where(AdminUnit.path.startswith(within))))
        result = {unit: n for unit, n in result.items() if unit in allowed}
    return result
