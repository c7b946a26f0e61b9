"""Who may change which unit's coverage data.

Figures are aggregates without names, so every official may read every unit's dashboard. But
populations and targets decide what a province reports upward: an official changes them only
for their own unit and the units below it; defaults for the whole country are the admin's.
"""

from __future__ import annotations

from sqlalchemy import select

from lms.accounts.models import User
from lms.db import db
from lms.units.models import AdminUnit
from lms.units.services import provinces, within


def may_edit(user: User | None, unit: AdminUnit | None) -> bool:
    if user.has_role("admin"):
        return True
    return within(unit, user.unit)


def units_within(unit: AdminUnit | None) -> list[AdminUnit]:
    """``unit`` and every unit below it, the unit first (none without a unit): what an official may change."""
    if unit is None:
        return []
    return list(db.session.scalars(select(AdminUnit).where(AdminUnit.path.startswith(unit.path))
                                   .order_by(AdminUnit.level != unit.level, AdminUnit.name)))


def editable_provinces(user: User) -> list[AdminUnit]:
    """The provinces whose data page the user may open with a form: every one for an admin."""
    if user.has_role("admin"):
        return provinces()
    return [unit for unit in provinces() if may_edit(user, unit)]
