"""Look-ups in the administrative-unit tree."""

from __future__ import annotations

from sqlalchemy import select

from lms.db import db
from lms.units.models import AdminUnit


def provinces() -> list[AdminUnit]:
    query = select(AdminUnit).where(AdminUnit.level == "province").order_by(AdminUnit.name)
    return list(db.session.scalars(query))


def units_below(province_code: str) -> list[AdminUnit]:
    """Communes (and any older districts' communes) of a province, by name."""
    return list(
        db.session.scalars(
            select(AdminUnit)
            .where(AdminUnit.path.startswith(f"/{province_code}/"), AdminUnit.level == "commune")
            .order_by(AdminUnit.name)
        )
    )


def by_code(code: str | None) -> AdminUnit | None:
    if not code:
        return None
    return db.session.scalar(select(AdminUnit).where(AdminUnit.code == code))


def unit_label(unit: AdminUnit | None) -> str:
    if unit is None:
        return ""
    names = [unit.name]
    parent = unit.parent
    while parent is not None:
        names.append(parent.name)
        parent = parent.parent
    return ", ".join(names)


def children(unit: AdminUnit) -> list[AdminUnit]:
    """The units directly below ``unit``, by name."""
    return list(db.session.scalars(select(AdminUnit).where(AdminUnit.parent_id == unit.id).order_by(AdminUnit.name)))


def ancestors(unit: AdminUnit | None) -> list[AdminUnit]:
    """The units above ``unit``, the province first (none for the whole country)."""
    if unit is None:
        return []
    codes = unit.path.strip("/").split("/")[:-1]
    found = {u.code: u for u in db.session.scalars(select(AdminUnit).where(AdminUnit.code.in_(codes)))}
    return [found[c] for c in codes if c in found]


def within(unit: AdminUnit | None, scope: AdminUnit | None) -> bool:
    """``unit`` is ``scope`` or lies below it (a commune within its province)."""
    return unit is not None and scope is not None and unit.path.startswith(scope.path)


def within_code(unit_code: str | None, scope: AdminUnit | None) -> bool:
    """:func:`within` for a unit known by its code (as certificates record it)."""
    return scope is not None and bool(unit_code) and within(by_code(unit_code), scope)
