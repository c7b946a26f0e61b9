"""The periodic outreach report of a unit: its activities of the period by kind, and the coverage
figures, for the unit and each unit directly below it (a district's communes, a province's
communes or districts), in the shape a unit sends upward. Plain data: pages and exports format it.

An activity counts in the period of its first day. Coverage figures are those of the coverage
report (lms.coverage.report) at the period's last day, with the persons newly covered during the
period beside them (covered at the end less covered the day before the first day).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from lms.audiences import AUDIENCES
from lms.coverage import measure
from lms.coverage.report import Figure, build_report
from lms.coverage.tree import load_tree, sum_up
from lms.db import db
from lms.outreach.kinds import KINDS
from lms.outreach.models import OutreachActivity
from lms.outreach.periods import Period
from lms.units.models import AdminUnit


@dataclass
class Tally:
    """Activities and people reached, per kind and in all."""

    count: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    reached: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    def add(self, kind: str, count: int, reached: int) -> None:
        self.count[kind] += count
        self.reached[kind] += reached

    @property
    def total_count(self) -> int:
        return sum(self.count.values())

    @property
    def total_reached(self) -> int:
        return sum(self.reached.values())


@dataclass
class Row:
    """One line of the report: a unit below (``own`` False), or the unit itself (``own`` True:
    its own activities, and the persons registered directly in it)."""

    code: str
    name: str
    own: bool
    tally: Tally
    #: audience and "all" -> the coverage figure at the period's end (None: no figure for the row)
    figures: dict[str, Figure]
    #: audience and "all" -> persons first covered during the period
    new: dict[str, int]


@dataclass
class OutreachReport:
    unit: AdminUnit | None  # None: the whole country
    period: Period
    total: Row
    rows: list[Row]

    @property
    def code(self) -> str:
        return self.unit.code if self.unit is not None else "VN"


def _tallies(unit: AdminUnit | None, period: Period, top_of: dict[int, int | None],
             root_id: int | None) -> tuple[Tally, dict[int | None, Tally]]:
    """All activities of the scope and period, and per root's child (key ``root_id``: the root's own)."""
    query = (select(OutreachActivity.unit_id, OutreachActivity.kind, func.count(), func.sum(OutreachActivity.reached))
             .where(OutreachActivity.starts_on.between(period.start, period.end))
             .group_by(OutreachActivity.unit_id, OutreachActivity.kind))
    if unit is not None:
        query = query.where(OutreachActivity.unit_id.in_(
            select(AdminUnit.id).where(AdminUnit.path.startswith(unit.path))))
    total, per_top = Tally(), {}
    for unit_id, kind, count, reached in db.session.execute(query).all():
        total.add(kind, int(count), int(reached or 0))
        top = top_of.get(unit_id) if unit_id != root_id else root_id
        per_top.setdefault(top, Tally()).add(kind, int(count), int(reached or 0))
    return total, per_top


def _new(covered_end: dict[str, Figure], before: dict[str, int]) -> dict[str, int]:
    new = {a: (covered_end[a].covered or 0) - before.get(a, 0) for a in AUDIENCES if a in covered_end}
    new["all"] = sum(new.values())
    return new


def build(unit: AdminUnit | None, period: Period) -> OutreachReport:
    """The report of ``unit`` (None: the whole country) for ``period``: a dozen queries whatever the scope."""
    coverage = build_report(unit, period.end.year, period.end)
    tree = load_tree(unit)
    root_id = tree.root_id
    total, per_top = _tallies(unit, period, tree.top_of, root_id)
    # persons covered the day before the period: the difference is the period's new ones
    scope = measure.Scope(unit.path if unit is not None else None)
    earlier = measure.counts(scope, period.start - timedelta(days=1))
    summed = sum_up(tree, ((u, a, n) for (u, a), n in earlier.items() if u is not None))
    keys = [root_id, *(node.id for node in tree.top)]
    before = {key: {a: summed.get(a, {}).get(key, 0) for a in AUDIENCES} for key in keys}
    root_figures = {k: f for k, f in coverage.figures.items() if k != "vneid"}
    name = unit.name if unit is not None else ""
    report_total = Row(unit.code if unit is not None else "", name, False, total, root_figures,
                       _new(root_figures, before.get(root_id, {})))
    rows = []
    direct = next((r for r in coverage.children if r.node is None), None)
    if tree.top and (root_id in per_top or direct is not None):
        # the unit's own activities, and persons registered at the unit itself (not in a unit below)
        own_before = {a: earlier.get((root_id, a), 0) for a in AUDIENCES} if root_id is not None else {}
        figures = dict(direct.figures) if direct is not None else {}
        rows.append(Row(unit.code if unit is not None else "", name, True, per_top.get(root_id, Tally()),
                        figures, _new(figures, own_before) if figures else {}))
    for child in coverage.children:
        if child.node is None:
            continue
        figures = {k: f for k, f in child.figures.items() if k != "vneid"}
        rows.append(Row(child.node.code, child.node.name, False, per_top.get(child.node.id, Tally()), figures,
                        _new(figures, before.get(child.node.id, {}))))
    return OutreachReport(unit, period, report_total, rows)
