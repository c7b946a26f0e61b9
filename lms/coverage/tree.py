"""The part of the unit tree a report covers, and sums up that tree.

Loaded as plain tuples (one query, no ORM objects): the whole country is ~3,400 units.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from lms.db import db
from lms.units.models import AdminUnit


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

    def ancestors_in_scope(self, unit_id: int) -> list[int | None]:
        """The unit, its ancestors inside the scope, and None for the scope's root if it is the country."""
        chain: list[int | None] = []
        node = self.nodes.get(unit_id)
        while node is not None:
            chain.append(node.id)
            if self.root is not None and node.id == self.root.id:
                return chain
            node = self.nodes.get(node.parent_id) if node.parent_id is not None else None
        if self.root is None:
            chain.append(None)
        return chain

    @property
    def top(self) -> list[Node]:
        """The units shown in the drill-down: the root's children (provinces for the country)."""
        return self.children.get(self.root.id if self.root else None, [])


def load_tree(root: AdminUnit | None) -> Tree:
    query = select(AdminUnit.id, AdminUnit.code, AdminUnit.name, AdminUnit.level, AdminUnit.parent_id,
                   AdminUnit.path)
    if root is not None:
        query = query.where(AdminUnit.path.startswith(root.path))
    nodes = {row[0]: Node(*row) for row in db.session.connection().execute(query).all()}
    tree = Tree(root=nodes.get(root.id) if root is not None else None, nodes=nodes)
    for node in sorted(nodes.values(), key=lambda n: n.name):
        if tree.root is not None and node.id == tree.root.id:
            continue
        tree.children.setdefault(node.parent_id, []).append(node)
    tree.bottom_up = sorted(nodes.values(), key=lambda n: -n.path.count("/"))
    return tree


@dataclass(frozen=True)
class Rolled:
    """A number summed up the tree: a unit's own figure wins, else the sum of its children's."""

    value: int | None
    #: every unit below has a figure (or an ancestor gave one for all of them)
    complete: bool


def roll_up(tree: Tree, own: Mapping[int, int]) -> Mapping[int | None, Rolled]:
    """For baselines and external figures, which are entered at some level (province or commune).

    A unit with its own figure takes it, complete. Otherwise it sums its children's figures; it
    is complete only when every child is. A leaf without a figure has none. Bottom-up in one
    pass (the country is ~3,400 units, five populations each).
    """
    if not own:
        return defaultdict(lambda: NOTHING)
    sums: dict[int | None, int] = {}
    known: set[int | None] = set()
    incomplete: set[int | None] = set()
    result: dict[int | None, Rolled] = {}
    for node in tree.bottom_up:
        if node.id in own:
            rolled = Rolled(own[node.id], True)
        elif node.id in tree.children:
            rolled = Rolled(sums[node.id] if node.id in known else None, node.id not in incomplete)
        else:
            rolled = NOTHING
        result[node.id] = rolled
        if tree.root is not None and node.id == tree.root.id:
            return result
        parent = node.parent_id
        if rolled.value is not None:
            sums[parent] = sums.get(parent, 0) + rolled.value
            known.add(parent)
        if not rolled.complete:
            incomplete.add(parent)
    # the whole country: the sum of its provinces
    result[None] = Rolled(sums[None] if None in known else None, bool(tree.top) and None not in incomplete)
    return result


NOTHING = Rolled(None, False)


def sum_up(tree: Tree, per_unit: Iterable[tuple[int, str, int]]) -> dict[str, dict[int | None, int]]:
    """For counts of people: each (unit, key) count is added to the unit and all its ancestors in scope."""
    totals: dict[str, dict[int | None, int]] = {}
    chains: dict[int, list[int | None]] = {}
    for unit_id, key, n in per_unit:
        if unit_id not in chains:
            chains[unit_id] = tree.ancestors_in_scope(unit_id)
        bucket = totals.setdefault(key, {})
        for ancestor in chains[unit_id]:
            bucket[ancestor] = bucket.get(ancestor, 0) + n
    return totals
