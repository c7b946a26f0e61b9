"""Load administrative units: from a CSV file, or the official post-2025 list.

The official list comes from the maintained ``vietnam-provinces`` package (NSO codes under
Decision 19/2025/QĐ-TTg), never from a hand-typed file. Everything is validated first and
applied in one transaction.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from lms.db import db
from lms.i18n import _
from lms.problems import Problem, ProblemsError
from lms.units.models import LEVELS, AdminUnit

CODE_LENGTH = {"province": 2, "district": 3, "commune": 5}
COLUMNS = ("code", "name", "level", "parent_code")
ALLOWED_PARENTS = {("district", "province"), ("commune", "province"), ("commune", "district")}
OFFICIAL_DECISION = "19/2025/QĐ-TTg"


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    level: str
    parent_code: str | None
    line: int = 0


UnitProblem = Problem


class UnitImportError(ProblemsError):
    """A unit list with problems; nothing was imported."""


def official_version() -> str:
    import vietnam_provinces  # the official list (~1 MB of data) loads only when units are imported

    package = f"vietnam-provinces {vietnam_provinces.__version__} ({vietnam_provinces.__data_version__})"
    return f"{OFFICIAL_DECISION}; {package}"


def official_rows() -> list[UnitRow]:
    """34 provinces and centrally-run cities and their 3,321 communes, wards and special zones."""
    from vietnam_provinces import Province, Ward  # as above: only for an import

    rows = [UnitRow(f"{int(p.code):02d}", p.name, "province", None) for p in Province.iter_all()]
    rows += [UnitRow(f"{int(w.code):05d}", w.name, "commune", f"{int(w.province_code):02d}")
             for w in Ward.iter_all()]
    return rows


def read_csv(path: Path) -> list[UnitRow]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnitImportError([UnitProblem(str(path), 1, _("The file is not UTF-8 text."))]) from error
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != list(COLUMNS):
        raise UnitImportError(
            [UnitProblem(str(path), 1, _("The columns must be exactly: %(columns)s.",
                                         columns=",".join(COLUMNS)))]
        )
    return [
        UnitRow(
            (row["code"] or "").strip(), (row["name"] or "").strip(), (row["level"] or "").strip(),
            (row["parent_code"] or "").strip() or None, line,
        )
        for line, row in enumerate(reader, start=2)
    ]


def validate(rows: list[UnitRow], source: str) -> list[UnitProblem]:
    problems: list[UnitProblem] = []
    known = {u.code: u.level for u in db.session.scalars(select(AdminUnit))}
    in_file: dict[str, UnitRow] = {}
    for row in rows:
        def bad(message: str, row: UnitRow = row) -> None:
            problems.append(UnitProblem(source, row.line, message))

        if row.level not in LEVELS:
            bad(_("Unknown level “%(level)s” (use province, district or commune).", level=row.level))
            continue
        if not row.code.isdigit() or len(row.code) != CODE_LENGTH[row.level]:
            bad(_("The code of a %(level)s has %(n)d digits.", level=row.level, n=CODE_LENGTH[row.level]))
        if not row.name:
            bad(_("The name is empty."))
        if row.code in in_file:
            bad(_("The code %(code)s appears twice.", code=row.code))
        in_file[row.code] = row
    for row in rows:
        if row.level not in LEVELS:
            continue
        if row.level == "province":
            if row.parent_code:
                problems.append(UnitProblem(source, row.line, _("A province has no parent.")))
            continue
        in_this_file = in_file.get(row.parent_code or "")
        parent_level = in_this_file.level if in_this_file else known.get(row.parent_code)
        if not row.parent_code or parent_level is None:
            problems.append(UnitProblem(source, row.line,
                                        _("Unknown parent code “%(code)s”.", code=row.parent_code or "")))
        elif (row.level, parent_level) not in ALLOWED_PARENTS:
            problems.append(UnitProblem(source, row.line, _("A %(level)s cannot be under a %(parent)s.",
                                                              level=row.level, parent=parent_level)))
    return problems


def import_units(rows: list[UnitRow], source: str, version: str) -> dict[str, int]:
    problems = validate(rows, source)
    if problems:
        raise UnitImportError(problems)
    existing = {u.code: u for u in db.session.scalars(select(AdminUnit))}
    order = {"province": 0, "district": 1, "commune": 2}
    counts = {"created": 0, "updated": 0}
    try:
        for row in sorted(rows, key=lambda r: order[r.level]):
            parent = existing.get(row.parent_code) if row.parent_code else None
            unit = existing.get(row.code)
            if unit is None:
                unit = AdminUnit(code=row.code)
                db.session.add(unit)
                existing[row.code] = unit
                counts["created"] += 1
            else:
                counts["updated"] += 1
            unit.name = row.name
            unit.level = row.level
            unit.parent = parent
            unit.list_version = version
        _refresh_paths(existing)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return counts


def _refresh_paths(units: dict[str, AdminUnit]) -> None:
    """Recompute every path from the parents: a unit moved under a new parent (a merger in a
    later list) takes the units below it along, even those the file did not mention."""
    by_id = {unit.id: unit for unit in units.values() if unit.id is not None}

    def path_of(unit: AdminUnit) -> str:
        parent = unit.parent if unit.parent is not None else by_id.get(unit.parent_id)
        return (path_of(parent) if parent is not None else "/") + unit.code + "/"

    for unit in units.values():
        path = path_of(unit)
        if unit.path != path:
            unit.path = path
