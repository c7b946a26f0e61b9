"""The part of the unit tree a report covers, and sums up that tree.

Loaded as plain tuples (one query, no ORM objects): the whole country is ~3,400 units. A
report shows its root and the root's children only, so sums are kept for those two levels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from lms.db import db
from lms.units.models import AdminUnit
from lms.units.services import sort_key

#: the key of the whole country (the root of a country-wide report)
COUNTRY = None


@dataclass(frozen=True)
class Node:
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    path: str


@dataclass
class Tree:
    """Units of a scope; ``root`` None is the whole country (its children are the provinces)."""

    root: Node | None
    nodes: dict[int, Node]
    children: dict[int | None, list[Node]] = field(default_factory=dict)
    #: deepest units first, so that a unit comes after all the units below it
    bottom_up: list[Node] = field(default_factory=list)
    #: unit id -> the root's child it lies in (None for the root itself)
    top_of: dict[int, int | None] = field(default_factory=dict)

    @property
    def root_id(self) -> int | None:
        return self.root.id if self.root is not None else COUNTRY

    @property
    def top(self) -> list[Node]:
        """The units shown in the drill-down: the root's children (provinces for the country)."""
        return self.children.get(self.root_id, [])


def load_tree(root: AdminUnit | None) -> Tree:
    query = select(AdminUnit.id, AdminUnit.code, AdminUnit.name, AdminUnit.level, AdminUnit.parent_id,
                   AdminUnit.path)
    if root is not None:
        query = query.where(AdminUnit.path.startswith(root.path))
    nodes = {row[0]: Node(*row) for row in db.session.connection().execute(query).all()}
    tree = Tree(root=nodes.get(root.id) if root is not None else None, nodes=nodes)
    for node in sorted(nodes.values(), key=lambda n: sort_key(n.name)):  # Vietnamese alphabetical order
        if node.id != tree.root_id:
            tree.children.setdefault(node.parent_id, []).append(node)
    tree.bottom_up = sorted(nodes.values(), key=lambda n: -n.path.count("/"))
    # the path holds the ancestors' codes: the segment just below the root names the top unit
    depth = tree.root.path.count("/") - 1 if tree.root is not None else 0
    ids = {node.code: node.id for node in nodes.values()}
    for node in nodes.values():
        segments = node.path.strip("/").split("/")
        tree.top_of[node.id] = ids.get(segments[depth]) if len(segments) > depth else None
    return tree


@dataclass(frozen=True)
class Rolled:
    """A number summed up the tree: a unit's own figure wins, else the sum of its children's."""

    value: int | None
    #: every unit below has a figure (or an ancestor gave one for all of them)
    complete: bool


NOTHING = Rolled(None, False)


def roll_up(tree: Tree, own: Mapping[int, int]) -> dict[int | None, Rolled]:
    """For baselines and external figures, which are entered at some level (province or commune).

    A unit with its own figure takes it, complete. Otherwise it sums its children's figures; it
    is complete only when every child is. A leaf without a figure has none. Bottom-up in one
    pass; the result holds the root and its children.
    """
    shown = {node.id for node in tree.top} | {tree.root_id}
    if not own:
        return dict.fromkeys(shown, NOTHING)
    sums: dict[int | None, int] = {}  # parent -> sum of its children's known values
    incomplete: set[int | None] = set()  # parents with a child that is not complete
    result: dict[int | None, Rolled] = {}
    for node in tree.bottom_up:
        if node.id in own:
            value, complete = own[node.id], True
        elif node.id in tree.children:
            value, complete = sums.get(node.id), node.id not in incomplete
        else:
            value, complete = None, False
        if node.id in shown:
            result[node.id] = Rolled(value, complete)
        if node.id == tree.root_id:
            return result
        if value is not None:
            sums[node.parent_id] = sums.get(node.parent_id, 0) + value
        if not complete:
            incomplete.add(node.parent_id)
    # the whole country: the sum of its provinces
    result[COUNTRY] = Rolled(sums.get(COUNTRY), bool(tree.top) and COUNTRY not in incomplete)
    return result


def sum_up(tree: Tree, per_unit: Iterable[tuple[int, str, int]]) -> dict[str, dict[int | None, int]]:
    """For counts of people: each (unit, key) count is added to the root and to the root's child
    the unit lies in."""
    totals: dict[str, dict[int | None, int]] = {}
    root = tree.root_id
    for unit_id, key, n in per_unit:
        bucket = totals.setdefault(key, {})
        bucket[root] = bucket.get(root, 0) + n
        top = tree.top_of.get(unit_id)
        if top is not None:
            bucket[top] = bucket.get(top, 0) + n
    return totals
