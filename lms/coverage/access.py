"""Who may change which unit's coverage data.

Figures are aggregates without names, so every official may read every unit's dashboard. But
populations and targets decide what a province reports upward: an official changes them only
for their own unit and the units below it; defaults for the whole country are the admin's.
"""

from __future__ import annotations

from lms.accounts.models import User
from lms.units.models import AdminUnit
from lms.units.services import within


def may_edit(user: User | None, unit: AdminUnit | None) -> bool:
    if user.has_role("admin"):
        return True
    return within(unit, user.unit)
