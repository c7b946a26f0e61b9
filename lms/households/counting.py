"""Gia đình số per commune, for the coverage pages and exports (lms.coverage imports this).

Which commune: a household has none of its own; it is counted in the commune where most of its
members are registered (``lms_users.unit_id``, as the coverage measure counts a person). A tie goes
to the commune of the member who joined first among the tied ones; members registered without a
unit do not vote, and a household none of whose members has a unit counts under ``None`` (the
whole country's "without a unit", like the persons). So each household counts once, in one place.

When: the membership is today's (it keeps no history); the certificates count as of the report's
date (issued on or before it, as the coverage measure), and adulthood by the report's year.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select

from lms.accounts.models import User
from lms.db import db
from lms.households.models import HouseholdMember
from lms.households.rules import certified, standing
from lms.units.models import AdminUnit


def _commune(units: list[int | None]) -> int | None:
    """``units``: the members' units in the order they joined."""
    votes = Counter(u for u in units if u is not None)
    if not votes:
        return None
    most = max(votes.values())
    return next(u for u in units if u is not None and votes[u] == most)


def digital_households(on: date, within: str | None = None) -> dict[int | None, int]:
    """Gia đình số per commune (unit id) on ``on``; ``within``: a unit path ("/79/") or the country.

    One query over the members of the households that have a member in scope (a household's
    commune is where most members are, so a household with one member in scope may count there)."""
    query = (
        select(HouseholdMember.household_id, User.unit_id, User.birth_year, certified(on))
        .join(User, User.id == HouseholdMember.user_id)
        .order_by(HouseholdMember.household_id, HouseholdMember.joined_at, HouseholdMember.user_id)
    )
    in_scope: set[int] | None = None
    if within is not None:
        in_scope = set(db.session.scalars(select(AdminUnit.id).where(AdminUnit.path.startswith(within))))
        touching = (
            select(HouseholdMember.household_id).join(User, User.id == HouseholdMember.user_id)
            .where(User.unit_id.in_(select(AdminUnit.id).where(AdminUnit.path.startswith(within))))
        )
        query = query.where(HouseholdMember.household_id.in_(touching))
    households: dict[int, list[tuple[int | None, int | None, bool]]] = {}
    for household_id, unit_id, birth_year, held in db.session.connection().execute(query).all():
        households.setdefault(household_id, []).append((unit_id, birth_year, bool(held)))
    result: dict[int | None, int] = {}
    for people in households.values():
        if not standing([(b, h) for _u, b, h in people], on.year).is_digital:
            continue
        unit = _commune([u for u, _b, _h in people])
        if in_scope is not None and unit not in in_scope:
            continue
        result[unit] = result.get(unit, 0) + 1
    return result
