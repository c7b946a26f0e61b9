"""A coverage report for a unit (or the whole country) and a year: every figure the pages,
exports and API show, computed once. Plain data: templates and exporters only format it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from lms.audiences import AUDIENCES
from lms.coverage import baselines, measure
from lms.coverage.targets import TargetValue, targets_for_tree
from lms.coverage.tree import Node, Rolled, load_tree, roll_up, sum_up
from lms.households.counting import digital_households
from lms.units.models import AdminUnit
from lms.units.services import sort_key

#: a status is "near" from this share of the target on (e.g. 63% against 70%)
NEAR = Decimal("0.9")
SORT_KEYS = ("name", "code", "covered", "population", "percent", "gap")
#: how many communes the "furthest behind their target" list shows
BEHIND_COUNT = 10


def percent_of(part: int, whole: int | None) -> Decimal | None:
    """part / whole in percent, 2 decimals, half up; None without a (non-zero) denominator."""
    if whole is None or whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figure:
    """One indicator for one unit: covered, population, percent, target, gap, status."""

    indicator: str  # an audience, "all" (the four together) or "vneid"
    covered: int | None  # None: "vneid" without a reported figure
    population: int | None  # None: no baseline
    complete: bool = True  # the baseline covers every unit below
    target: TargetValue | None = None

    @property
    def percent(self) -> Decimal | None:
        if self.covered is None or not self.complete:
            return None
        return percent_of(self.covered, self.population)

    @property
    def baseline_status(self) -> str:
        """"ok", "none" (no baseline at all) or "partial" (some units below have none)."""
        if self.population is None:
            return "none"
        return "ok" if self.complete else "partial"

    @property
    def gap(self) -> Decimal | int | None:
        """What is still missing: percentage points for a percent target, persons for a count."""
        if self.target is None or self.covered is None:
            return None
        if self.target.kind == "count":
            return max(int(self.target.value) - self.covered, 0)
        if self.percent is None:
            return None
        return max(Decimal(str(self.target.value)) - self.percent, Decimal(0))

    @property
    def reached(self) -> Decimal | None:
        """Share of the target reached (1 = met), whatever its kind; None without a status."""
        if self.status == "none":
            return None
        goal = Decimal(str(self.target.value))
        achieved = Decimal(self.covered) if self.target.kind == "count" else self.percent
        return achieved / goal if goal > 0 else Decimal(1)

    @property
    def status(self) -> str:
        """"met", "near", "behind" or "none" (no target, no baseline or no figure)."""
        if self.target is None or self.covered is None:
            return "none"
        if self.target.kind == "count":
            achieved, goal = Decimal(self.covered), Decimal(str(self.target.value))
        elif self.percent is None:
            return "none"
        else:
            achieved, goal = self.percent, Decimal(str(self.target.value))
        if achieved >= goal:
            return "met"
        return "near" if achieved >= goal * NEAR else "behind"


@dataclass(frozen=True)
class UnitRow:
    node: Node | None  # None: people registered directly at the report's unit
    figures: dict[str, Figure]
    #: households whose adult members all hold their path certificate ("gia đình số"), counted in
    #: the commune most of their members are registered in (lms.households.counting)
    digital_households: int = 0


@dataclass(frozen=True)
class TrendPoint:
    month: int
    covered: dict[str, int]


@dataclass
class Report:
    unit: Node | None  # None: the whole country
    year: int
    on: date
    figures: dict[str, Figure]  # the four audiences, "all" and "vneid"
    children: list[UnitRow] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)
    #: covered persons registered without any unit (whole-country report only)
    unassigned: int = 0
    #: gia đình số in the unit and below (lms.households.counting: today's members, certificates by ``on``)
    digital_households: int = 0
    #: gia đình số none of whose members has a unit (whole-country report only)
    unassigned_households: int = 0

    @property
    def audiences(self) -> list[Figure]:
        return [self.figures[a] for a in AUDIENCES]


def default_date(year: int, today: date) -> date:
    """A past year is reported at 31 December; the current (or a future) year up to today."""
    return min(today, date(year, 12, 31))


def _figures(unit_id: int | None, covered: dict[str, dict[int | None, int]],
             pops: dict[str, Mapping[int | None, Rolled]], vneid: Mapping[int | None, Rolled],
             targets: dict[str, TargetValue]) -> dict[str, Figure]:
    figures = {}
    for audience in AUDIENCES:
        rolled = pops[audience][unit_id]
        figures[audience] = Figure(audience, covered[audience].get(unit_id, 0), rolled.value, rolled.complete,
                                   targets.get(audience))
    parts = [figures[a] for a in AUDIENCES]
    known = [f.population for f in parts if f.population is not None]
    figures["all"] = Figure("all", sum(f.covered for f in parts), sum(known) if known else None,
                            all(f.population is not None and f.complete for f in parts))
    adults, confirmed = pops["adults"][unit_id], vneid[unit_id]
    figures["vneid"] = Figure("vneid", confirmed.value, adults.value, adults.complete and confirmed.complete,
                              targets.get("vneid"))
    return figures


def build_report(unit: AdminUnit | None, year: int, on: date) -> Report:
    """Everything for the dashboard: ~8 queries whatever the size of the scope."""
    tree = load_tree(unit)
    scope = measure.Scope(unit.path if unit is not None else None)
    per_unit = measure.counts(scope, on)
    unassigned = sum(n for (unit_id, _a), n in per_unit.items() if unit_id is None)
    summed = sum_up(tree, ((u, a, n) for (u, a), n in per_unit.items() if u is not None))
    covered = {audience: summed.get(audience, {}) for audience in AUDIENCES}
    own_pops = baselines.populations(tree, year)
    pops = {group: roll_up(tree, values) for group, values in own_pops.items()}
    vneid = roll_up(tree, baselines.external(tree, year))
    targets = targets_for_tree(tree, year)
    root_id = tree.root_id
    own_households = digital_households(on, scope.path)
    households = sum_up(tree, ((u, "h", n) for u, n in own_households.items() if u is not None)).get("h", {})
    report = Report(tree.root, year, on, _figures(root_id, covered, pops, vneid, targets[root_id]),
                    unassigned=unassigned if unit is None else 0,
                    digital_households=households.get(root_id, 0),
                    unassigned_households=own_households.get(None, 0) if unit is None else 0)
    report.children = [UnitRow(node, _figures(node.id, covered, pops, vneid, targets[node.id]),
                               households.get(node.id, 0))
                       for node in tree.top]
    direct = {a: per_unit.get((root_id, a), 0) for a in AUDIENCES} if root_id is not None and tree.top else {}
    direct_households = own_households.get(root_id, 0) if root_id is not None and tree.top else 0
    if any(direct.values()) or direct_households:
        # learners registered at the province itself (no commune): counted, shown on their own row
        report.children.append(UnitRow(None, {a: Figure(a, n, None, False) for a, n in direct.items()}
                                       | {"all": Figure("all", sum(direct.values()), None, False)},
                                       direct_households))
    report.trend = trend(scope, year, on)
    return report


def trend(scope: measure.Scope, year: int, on: date) -> list[TrendPoint]:
    """Covered persons at the end of each month of the year, up to the report date."""
    if on < date(year, 1, 1):
        return []
    on = min(on, date(year, 12, 31))  # a past year's trend stops at its own end, whatever the date
    firsts = measure.monthly(scope, year, on)
    last = on.month if on.year == year else 12
    running = {a: firsts.get((a, 0), 0) for a in AUDIENCES}
    points = []
    for month in range(1, last + 1):
        for audience in AUDIENCES:
            running[audience] += firsts.get((audience, month), 0)
        points.append(TrendPoint(month, dict(running)))
    return points


def sort_rows(rows: list[UnitRow], key: str, descending: bool, indicator: str = "all") -> list[UnitRow]:
    """The drill-down table's order; units without the figure go last either way."""
    if key not in SORT_KEYS:
        key = "name"

    def value(row: UnitRow) -> tuple:
        if row.node is None:
            return None
        if key == "name":
            return sort_key(row.node.name)  # Vietnamese alphabetical order
        if key == "code":
            return row.node.code
        return getattr(row.figures[indicator], key)

    present = [r for r in rows if value(r) is not None]
    missing = [r for r in rows if value(r) is None]
    return sorted(present, key=value, reverse=descending) + missing


def furthest_behind(rows: list[UnitRow], indicator: str = "all",
                    count: int = BEHIND_COUNT) -> list[tuple[UnitRow, Figure]]:
    """The units furthest behind their target, by the share of the target reached (a percent and a
    count target compare alike), each with the figure that puts it there: the indicator's own, or
    for "all" (which has no target of its own) the unit's audience furthest behind."""
    candidates = []
    for row in rows:
        if row.node is None:
            continue
        figures = [row.figures[a] for a in AUDIENCES] if indicator == "all" else [row.figures[indicator]]
        behind = [f for f in figures if f.reached is not None and f.reached < 1]
        if behind:
            worst = min(behind, key=lambda f: f.reached)
            # equally far behind: the unit with more people to reach first
            candidates.append((worst.reached, -(worst.population or 0), row.node.name, row, worst))
    candidates.sort(key=lambda c: c[:3])
    return [(c[3], c[4]) for c in candidates[:count]]


def search_rows(rows: list[UnitRow], query: str, fold) -> list[UnitRow]:
    """Units whose name (diacritics and case ignored) or code contains the query."""
    wanted = fold(query)
    if not wanted:
        return rows
    return [r for r in rows if r.node is not None and (wanted in fold(r.node.name) or query.strip() in r.node.code)]
