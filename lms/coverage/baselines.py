"""Populations (the denominators) and externally reported figures: CSV import, editing, look-up.

Both are entered at whatever level the province has them (a province total, or per commune);
reports sum them up the tree (``tree.roll_up``).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from sqlalchemy import select

from lms.coverage.models import POPULATIONS, Baseline, ExternalFigure
from lms.coverage.tree import Tree
from lms.db import db
from lms.i18n import _
from lms.problems import Problem, ProblemsError
from lms.units.models import AdminUnit

BASELINE_COLUMNS = ("unit_code", "audience", "year", "population")
VNEID_COLUMNS = ("unit_code", "year", "confirmed")
MAX_POPULATION = 200_000_000


class CoverageImportError(ProblemsError):
    """A baselines or VNeID file with problems; nothing was imported."""


def _rows(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[tuple[int, dict]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CoverageImportError([Problem(str(path), 1, _("The file is not UTF-8 text."))]) from error
    reader = csv.DictReader(io.StringIO(text))
    names = [f.strip() for f in reader.fieldnames or []]
    if names[: len(required)] != list(required) or not set(names[len(required):]) <= set(optional):
        expected = ",".join(required) + "".join(f"[,{o}]" for o in optional)
        message = _("The columns must be: %(columns)s.", columns=expected)
        raise CoverageImportError([Problem(str(path), 1, message)])
    reader.fieldnames = names
    return [(line, {k: (v or "").strip() for k, v in row.items() if k})
            for line, row in enumerate(reader, start=2)]


def _number(text: str, low: int, high: int) -> int | None:
    return int(text) if text.isdigit() and low <= int(text) <= high else None


def _units() -> dict[str, tuple[int, str]]:
    """Every unit's id and path by code."""
    return {code: (unit_id, path) for code, unit_id, path in db.session.execute(
        select(AdminUnit.code, AdminUnit.id, AdminUnit.path)).all()}


def _unit_problem(code: str, units: dict[str, tuple[int, str]], scope: AdminUnit | None) -> str | None:
    if code not in units:
        return _("Unknown unit code “%(code)s”.", code=code)
    if scope is not None and not units[code][1].startswith(scope.path):
        return _("The unit “%(code)s” is not %(scope)s or a unit below it: you may not change its figures.",
                 code=code, scope=scope.name)
    return None


def check_baselines(lines: list[tuple[int, dict]], where: str = "",
                    scope: AdminUnit | None = None) -> tuple[list[tuple[int, str, int, int]], list[Problem]]:
    """The rules of a populations file, for the command line and the web upload alike.

    ``lines`` are (line number, {column: text}); returns the valid rows (unit_id, audience, year,
    population), one per line in order (None values on a line with problems), and every problem
    with its line. ``scope``: only this unit and the units below it may be named."""
    units, problems, rows, seen = _units(), [], [], {}
    for line, row in lines:
        def bad(message: str, line: int = line) -> None:
            problems.append(Problem(where, line, message))

        code = row.get("unit_code", "")
        year = _number(row.get("year", ""), 2000, 2100)
        population = _number(row.get("population", ""), 0, MAX_POPULATION)
        unit_problem = _unit_problem(code, units, scope)
        if unit_problem:
            bad(unit_problem)
        if row.get("audience") not in POPULATIONS:
            bad(_("Unknown audience “%(name)s” (use %(options)s).", name=row.get("audience", ""),
                  options=", ".join(POPULATIONS)))
        if year is None:
            bad(_("Please check the year."))
        if population is None:
            bad(_("The population must be a whole number, 0 or more."))
        key = (code, row.get("audience"), year)
        if key in seen:
            bad(_("The same unit, audience and year are already on line %(line)d.", line=seen[key]))
        seen.setdefault(key, line)
        rows.append((units[code][0] if code in units else None, row.get("audience"), year, population))
    return rows, problems


def read_baselines(path: Path) -> list[tuple[int, str, int, int]]:
    """Validated rows (unit_id, audience, year, population); every problem at once, with its line."""
    rows, problems = check_baselines(_rows(path, BASELINE_COLUMNS), str(path))
    if problems:
        raise CoverageImportError(problems)
    return rows


def save_baselines(rows: list[tuple[int, str, int, int]], source: str = "") -> dict[str, int]:
    """Create or replace; one transaction (the caller commits)."""
    existing = {(b.unit_id, b.audience, b.year): b for b in db.session.scalars(
        select(Baseline).where(Baseline.year.in_({r[2] for r in rows})))}
    counts = {"created": 0, "updated": 0}
    for unit_id, audience, year, population in rows:
        baseline = existing.get((unit_id, audience, year))
        if baseline is None:
            baseline = Baseline(unit_id=unit_id, audience=audience, year=year)
            db.session.add(baseline)
            existing[(unit_id, audience, year)] = baseline
            counts["created"] += 1
        else:
            counts["updated"] += 1
        baseline.population = population
        if source:
            baseline.source = source[:120]
    return counts


def set_baseline(unit: AdminUnit, audience: str, year: int, population: int | None, source: str = "") -> None:
    """From the edit page: a number sets it, None removes it (the sum of the units below applies)."""
    baseline = db.session.scalar(select(Baseline).where(
        Baseline.unit_id == unit.id, Baseline.audience == audience, Baseline.year == year))
    if population is None:
        if baseline is not None:
            db.session.delete(baseline)
        return
    save_baselines([(unit.id, audience, year, population)], source)


def check_vneid(lines: list[tuple[int, dict]], where: str = "",
                scope: AdminUnit | None = None) -> tuple[list[tuple[int, int, int, date | None]], list[Problem]]:
    """The rules of a VNeID file (see :func:`check_baselines`): rows (unit_id, year, confirmed, reported_on)."""
    units, problems, rows, seen = _units(), [], [], {}
    for line, row in lines:
        def bad(message: str, line: int = line) -> None:
            problems.append(Problem(where, line, message))

        code = row.get("unit_code", "")
        year = _number(row.get("year", ""), 2000, 2100)
        confirmed = _number(row.get("confirmed", ""), 0, MAX_POPULATION)
        try:
            reported = date.fromisoformat(row["reported_on"]) if row.get("reported_on") else None
        except ValueError:
            reported = None
            bad(_("Write the date as YYYY-MM-DD."))
        unit_problem = _unit_problem(code, units, scope)
        if unit_problem:
            bad(unit_problem)
        if year is None:
            bad(_("Please check the year."))
        if confirmed is None:
            bad(_("The number must be a whole number, 0 or more."))
        if (code, year) in seen:
            bad(_("The same unit and year are already on line %(line)d.", line=seen[(code, year)]))
        seen.setdefault((code, year), line)
        rows.append((units[code][0] if code in units else None, year, confirmed, reported))
    return rows, problems


def read_vneid(path: Path) -> list[tuple[int, int, int, date | None]]:
    """Rows (unit_id, year, confirmed, reported_on) of adults confirmed on VNeID, reported from outside."""
    rows, problems = check_vneid(_rows(path, VNEID_COLUMNS, ("reported_on",)), str(path))
    if problems:
        raise CoverageImportError(problems)
    return rows


def save_vneid(rows: list[tuple[int, int, int, date | None]]) -> int:
    for unit_id, year, confirmed, reported in rows:
        figure = db.session.scalar(select(ExternalFigure).where(
            ExternalFigure.unit_id == unit_id, ExternalFigure.indicator == "vneid",
            ExternalFigure.year == year))
        if figure is None:
            figure = ExternalFigure(unit_id=unit_id, indicator="vneid", year=year)
            db.session.add(figure)
        figure.value, figure.reported_on = confirmed, reported
    return len(rows)


def populations(tree: Tree, year: int) -> dict[str, dict[int, int]]:
    """Own baselines of the scope's units: {audience: {unit_id: population}}."""
    query = select(Baseline.audience, Baseline.unit_id, Baseline.population).where(Baseline.year == year)
    if tree.root is not None:
        query = query.where(Baseline.unit_id.in_(list(tree.nodes)))
    result: dict[str, dict[int, int]] = {group: {} for group in POPULATIONS}
    for audience, unit_id, population in db.session.connection().execute(query).all():
        result.setdefault(audience, {})[unit_id] = population
    return result


def external(tree: Tree, year: int, indicator: str = "vneid") -> dict[int, int]:
    query = select(ExternalFigure.unit_id, ExternalFigure.value).where(
        ExternalFigure.year == year, ExternalFigure.indicator == indicator)
    if tree.root is not None:
        query = query.where(ExternalFigure.unit_id.in_(list(tree.nodes)))
    return dict(db.session.execute(query).all())
