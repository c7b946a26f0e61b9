"""Targets as data: a default per indicator and year, overridden per province or commune.

The defaults are Plan 370-KH/TU's (Ban Thường vụ Tỉnh ủy, 23 Apr 2025), seeded by the
migration; provinces set different figures (see docs: Tuyên Quang 50% on VNeID, Đồng Tháp
100% of officials), so every value is editable, and may be an absolute count instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.services import audit
from lms.coverage.models import INDICATORS, Target
from lms.coverage.tree import Node, Tree
from lms.db import db
from lms.i18n import _
from lms.units.models import AdminUnit

PLAN_370 = "Kế hoạch 370-KH/TU"
#: (indicator, year) -> percent; the migration seeds its own copy of these
DEFAULT_TARGETS: dict[tuple[str, int], float] = {
    ("officials", 2025): 80, ("students", 2025): 100, ("citizens", 2025): 70, ("workers", 2025): 80,
    ("vneid", 2025): 70,
    ("officials", 2026): 100, ("students", 2026): 100, ("citizens", 2026): 100, ("workers", 2026): 100,
    ("vneid", 2026): 100,
}
KINDS = ("percent", "count")


@dataclass(frozen=True)
class TargetValue:
    indicator: str
    kind: str
    value: float
    source: str
    #: the unit that set it; None for the default of every unit
    unit_code: str | None = None


class TargetError(ValueError):
    pass


def year_targets(year: int) -> list[tuple[str | None, Target]]:
    """Every target row of a year, with its unit's code (None for the defaults)."""
    query = (
        select(AdminUnit.code, Target)
        .outerjoin(AdminUnit, AdminUnit.id == Target.unit_id)
        .where(Target.year == year)
        .order_by(Target.indicator)
    )
    return [(code, target) for code, target in db.session.execute(query)]


def resolver(year: int) -> Callable[[Node | None], dict[str, TargetValue]]:
    """Loads a year's targets once; the returned function picks, for a unit, the most specific
    target of each indicator: the unit's own, else the nearest ancestor's, else the default."""
    by_unit: dict[str | None, dict[str, TargetValue]] = {}
    for code, row in year_targets(year):
        by_unit.setdefault(code, {})[row.indicator] = TargetValue(
            row.indicator, row.kind, row.value, row.source, code
        )

    def targets_for(node: Node | None) -> dict[str, TargetValue]:
        chosen = dict(by_unit.get(None, {}))
        # the path lists the ancestors' codes from the province down: later ones are more specific
        for code in (node.path.strip("/").split("/") if node is not None else []):
            chosen.update(by_unit.get(code, {}))
        return chosen

    return targets_for


def targets_for_tree(tree: Tree, year: int) -> dict[int | None, dict[str, TargetValue]]:
    pick = resolver(year)
    result = {node.id: pick(node) for node in tree.top}
    result[tree.root_id] = pick(tree.root)
    return result


def _finite(value: object) -> bool:
    try:
        return math.isfinite(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):  # a signalling NaN cannot even be converted
        return False


def set_target(indicator: str, year: int, value: float, *, kind: str = "percent",
               unit: AdminUnit | None = None, source: str = "") -> Target:
    """Create or change a target (the caller commits)."""
    if indicator not in INDICATORS:
        raise TargetError(_("Unknown indicator “%(name)s”.", name=indicator))
    if kind not in KINDS:
        raise TargetError(_("A target is a percent or a count."))
    if not _finite(value):
        raise TargetError(_("A target is a number: %(value)s is not one.", value=value))
    if value < 0 or (kind == "percent" and value > 100):
        raise TargetError(_("A percent target is between 0 and 100."))
    if not 2000 <= year <= 2100:
        raise TargetError(_("Please check the year."))
    unit_id = unit.id if unit is not None else None
    target = db.session.scalar(
        select(Target).where(Target.indicator == indicator, Target.year == year,
                             Target.unit_id.is_(None) if unit_id is None else Target.unit_id == unit_id)
    )
    if target is None:
        target = Target(indicator=indicator, year=year, unit_id=unit_id)
        db.session.add(target)
    target.kind, target.value, target.source = kind, float(value), source.strip()[:120]
    return target


def delete_target(target_id: int) -> bool:
    """Remove a unit's own target (its parent's or the default applies again); defaults stay."""
    target = db.session.get(Target, target_id)
    if target is None or target.unit_id is None:
        return False
    db.session.delete(target)
    return True


def save_target(indicator: str, year: int, value: float, *, kind: str, unit: AdminUnit | None, source: str,
                actor: User) -> Target:
    """:func:`set_target` from the web: audited and committed (raises :class:`TargetError`, changing nothing)."""
    target = set_target(indicator, year, value, kind=kind, unit=unit, source=source)
    audit(actor, "coverage_target", "target", unit.code if unit is not None else "default",
          {"indicator": target.indicator, "year": target.year, "kind": target.kind,
           "value": target.value, "source": target.source})
    db.session.commit()
    return target


def remove_target(target_id: int, actor: User) -> bool:
    """:func:`delete_target` from the web: audited and committed; False when there was nothing to remove."""
    if not delete_target(target_id):
        return False
    audit(actor, "coverage_target_delete", "target", target_id, {})
    db.session.commit()
    return True


def ensure_default_targets() -> int:
    """Add Plan 370-KH/TU's defaults where a year has none for an indicator; never overwrites."""
    present = set(db.session.execute(
        select(Target.indicator, Target.year).where(Target.unit_id.is_(None))).all())
    missing = [key for key in DEFAULT_TARGETS if key not in present]
    for indicator, year in missing:
        db.session.add(Target(indicator=indicator, year=year, unit_id=None, kind="percent",
                              value=float(DEFAULT_TARGETS[(indicator, year)]), source=PLAN_370))
    return len(missing)
