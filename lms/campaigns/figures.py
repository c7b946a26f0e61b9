"""A campaign's live figures and its emulation board, computed from the tables that hold the facts.

The window is the campaign's first to last day *in Vietnam*: a lesson read at 23:30 on 10 October
(Vietnam) is in a one-day campaign of 10 October, although it is 16:30 UTC.

* learners who took part: distinct learners of the campaign's units and audiences who finished a
  lesson or started a quiz attempt in the window;
* lessons read: lessons finished in the window by those learners (one per learner and lesson);
* certificates issued: valid certificates (any kind) of those learners issued in the window;
* coverage gained: covered persons at the end of the window minus covered persons the day before
  it begins (the persons of ``lms_covered_people`` first covered inside the window).

The board ranks the units one level below each campaign unit (a commune campaign ranks itself) by
coverage gained against their own population baseline, in percentage points, so a commune of 800
people that gains 40 (5 points) is ahead of a ward of 20,000 that gains 600 (3 points).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, or_, select, union

from lms.accounts.models import User
from lms.campaigns.models import Campaign
from lms.certificates.models import Certificate
from lms.clock import VIETNAM
from lms.courses.models import LessonProgress
from lms.coverage import baselines
from lms.coverage.models import CoveredPerson
from lms.coverage.tree import Node, load_tree, roll_up
from lms.db import db
from lms.quiz.models import Attempt
from lms.units.models import AdminUnit


def utc_window(starts_on: date, ends_on: date) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the days ``starts_on``..``ends_on`` in Vietnam."""
    start = datetime.combine(starts_on, time(0), VIETNAM)
    end = datetime.combine(ends_on + timedelta(days=1), time(0), VIETNAM)
    return start.astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True)
class Totals:
    learners: int
    lessons: int
    certificates: int
    gained: int


@dataclass(frozen=True)
class BoardRow:
    node: Node
    gained: int
    population: int | None  # None: no (complete) baseline for the campaign's audiences

    @property
    def points(self) -> Decimal | None:
        """Coverage gained in percentage points of the unit's own population."""
        if not self.population:
            return None
        return (Decimal(self.gained) * 100 / Decimal(self.population)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass
class Board:
    year: int
    ranked: list[BoardRow] = field(default_factory=list)
    #: units without a baseline: listed apart, never ranked
    unranked: list[BoardRow] = field(default_factory=list)


def _paths(campaign: Campaign) -> list[str]:
    return [unit.path for unit in campaign.units]


def _unit_ids(campaign: Campaign):
    """The ids of the campaign's units and every unit below them (a subquery)."""
    paths = _paths(campaign)
    return select(AdminUnit.id).where(or_(*[AdminUnit.path.startswith(p) for p in paths]) if paths else False)


def _learners(campaign: Campaign):
    return select(User.id).where(User.unit_id.in_(_unit_ids(campaign)), User.audience.in_(campaign.audience_list))


def totals(campaign: Campaign) -> Totals:
    """The four live figures of the campaign's window (5 queries, whatever the number of units)."""
    start, end = utc_window(campaign.starts_on, campaign.ends_on)
    people = _learners(campaign)
    read = select(LessonProgress.user_id).where(
        LessonProgress.user_id.in_(people), LessonProgress.completed_at >= start, LessonProgress.completed_at < end)
    tried = select(Attempt.user_id).where(Attempt.user_id.in_(people), Attempt.started_at >= start,
                                          Attempt.started_at < end)
    session = db.session
    learners = session.scalar(select(func.count()).select_from(union(read, tried).subquery()))
    lessons = session.scalar(select(func.count()).select_from(read.subquery()))
    certificates = session.scalar(select(func.count(Certificate.id)).where(
        Certificate.user_id.in_(people), Certificate.status == "valid",
        Certificate.issued_on >= campaign.starts_on, Certificate.issued_on <= campaign.ends_on))
    gained = session.scalar(select(func.count()).where(*_gained_filter(campaign)))
    return Totals(int(learners or 0), int(lessons or 0), int(certificates or 0), int(gained or 0))


def _gained_filter(campaign: Campaign) -> list:
    return [CoveredPerson.covered_on >= campaign.starts_on, CoveredPerson.covered_on <= campaign.ends_on,
            CoveredPerson.audience.in_(campaign.audience_list), CoveredPerson.unit_id.in_(_unit_ids(campaign))]


def board(campaign: Campaign) -> Board:
    """The emulation board; the baseline year is the year the window ends in."""
    year = campaign.ends_on.year
    gained_per_unit = dict(db.session.execute(
        select(CoveredPerson.unit_id, func.count()).where(*_gained_filter(campaign))
        .group_by(CoveredPerson.unit_id)).all())
    result = Board(year)
    seen: set[int] = set()
    for unit in campaign.units:
        tree = load_tree(unit)
        rows = tree.top or [tree.root]
        own = baselines.populations(tree, year)
        rolled = [roll_up(tree, own.get(audience, {})) for audience in campaign.audience_list]
        for node in rows:
            if node.id in seen:
                continue  # a unit named twice (a province and one of its communes) is ranked once
            seen.add(node.id)
            gained = sum(n for unit_id, n in gained_per_unit.items()
                         if unit_id is not None and _under(tree, unit_id, node))
            parts = [r[node.id] for r in rolled]
            population = (sum(p.value for p in parts)
                          if parts and all(p.value is not None and p.complete for p in parts) else None)
            row = BoardRow(node, gained, population)
            (result.ranked if row.points is not None else result.unranked).append(row)
    result.ranked.sort(key=lambda r: (-r.points, -r.gained, r.node.name))
    result.unranked.sort(key=lambda r: (-r.gained, r.node.name))
    return result


def _under(tree, unit_id: int, node: Node) -> bool:
    other = tree.nodes.get(unit_id)
    return other is not None and other.path.startswith(node.path)
