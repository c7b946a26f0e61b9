"""Gia đình số per commune, for the coverage pages and exports (lms.coverage imports this).

Which commune: a household has none of its own; it is counted in the commune where most of its
members are registered (``lms_users.unit_id``, as the coverage measure counts a person). A tie goes
to the commune of the member who joined first among the tied ones; members registered without a
unit do not vote, and a household none of whose members has a unit counts under ``None`` (the
whole country's "without a unit", like the persons). So each household counts once, in one place.

When: the membership is today's (it keeps no history); the certificates count as of the report's
date (issued on or before it, as the coverage measure), and adulthood by the report's year.

How: the database decides which households are gia đình số (:mod:`lms.households.rules` in SQL,
one row per household) and counts those whose members all share one commune, the usual case,
per commune; only households whose members are registered in different communes are read
member by member to find their commune.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import and_, case, func, or_, select
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
    digital = _digital(on, within).subquery()
    in_scope = select(AdminUnit.id).where(AdminUnit.path.startswith(within)) if within is not None else None
    one_commune = select(digital.c.lo, func.count()).where(
        or_(digital.c.lo == digital.c.hi, digital.c.lo.is_(None))).group_by(digital.c.lo)
    if in_scope is not None:
        one_commune = one_commune.where(digital.c.lo.in_(in_scope))
    connection = db.session.connection()
    result: dict[int | None, int] = {unit: n for unit, n in connection.execute(one_commune).all()}
    mixed = (
        select(HouseholdMember.household_id, User.unit_id)
        .join(User, User.id == HouseholdMember.user_id)
        .where(HouseholdMember.household_id.in_(select(digital.c.household_id).where(digital.c.lo != digital.c.hi)))
        .order_by(HouseholdMember.household_id, HouseholdMember.joined_at, HouseholdMember.user_id)
    )
    members: dict[int, list[int | None]] = {}
    for household_id, unit_id in connection.execute(mixed).all():
        members.setdefault(household_id, []).append(unit_id)
    allowed = set(db.session.scalars(in_scope)) if in_scope is not None and members else None
    for units in members.values():
        unit = _commune(units)
        if allowed is None or unit in allowed:
            result[unit] = result.get(unit, 0) + 1
    return result
