"""Look-ups in the administrative-unit tree."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from sqlalchemy import select

from lms.collation import vi_key
from lms.db import db
from lms.units.models import AdminUnit

# Lists of units are sorted here, in Vietnamese alphabetical order (lms.collation), never by the
# database's ORDER BY name: SQLite compares code points and PostgreSQL's order depends on the
# server's locale; both put "Điện Biên" after "Yên Bái".

#: the kind of unit before its proper name; lists go by the proper name ("Thành phố Hà Nội"
#: among the H, "Xã Tân Phú" among the T), as people look for it
KIND_PREFIXES: tuple[str, ...] = (
    "thành phố ", "tỉnh ", "thị xã ", "thị trấn ", "quận ", "huyện ", "phường ", "xã ", "đặc khu ",
)


def proper_name(name: str) -> str:
    """``name`` without the kind of unit in front: "Hà Nội" for "Thành phố Hà Nội"."""
    folded = unicodedata.normalize("NFC", name).strip()
    lower = folded.lower()
    for prefix in KIND_PREFIXES:
        if lower.startswith(prefix) and len(folded) > len(prefix):
            return folded[len(prefix):].lstrip()
    return folded


@lru_cache(maxsize=8192)  # the whole official list (3,355 units) fits: a worker computes each name once
def sort_key(name: str) -> tuple:
    """A unit name's place in a list: its proper name in Vietnamese order; the same proper name
    ("Phường An Lạc", "Xã An Lạc") by the whole name, a tie no reader minds the order of."""
    return vi_key(proper_name(name)), name


def _by_name(units: Iterable[AdminUnit]) -> list[AdminUnit]:
    return sorted(units, key=lambda unit: sort_key(unit.name))


def provinces() -> list[AdminUnit]:
    """Every province, in Vietnamese alphabetical order."""
    return _by_name(db.session.scalars(select(AdminUnit).where(AdminUnit.level == "province")))


def units_below(province_code: str) -> list[AdminUnit]:
    """Communes (and any older districts' communes) of a province, in Vietnamese alphabetical order."""
    return _by_name(
        db.session.scalars(
            select(AdminUnit).where(AdminUnit.path.startswith(f"/{province_code}/"), AdminUnit.level == "commune")
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
    """The units directly below ``unit``, in Vietnamese alphabetical order."""
    return _by_name(db.session.scalars(select(AdminUnit).where(AdminUnit.parent_id == unit.id)))


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
