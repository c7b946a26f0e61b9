"""Populations and VNeID figures uploaded through the web (CSV or XLSX), like a roster.

Each row is checked with the rules of the command-line import (``baselines.check_baselines`` and
``check_vneid``) plus one: a row names only the official's unit or a unit below it. The preview
lists every row; nothing is stored until the official confirms, and then the valid rows are
stored in one transaction after being checked again. Between the two, the valid rows travel in
a signed, time-limited token bound to the user (no table, no file left behind).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.services import audit
from lms.audiences import AUDIENCES, audience_label
from lms.coverage import baselines
from lms.coverage.models import POPULATIONS, Baseline, ExternalFigure
from lms.coverage.text import decode, fold
from lms.db import db
from lms.i18n import _
from lms.textcheck import replace_unsafe
from lms.units.models import AdminUnit

KINDS = ("baselines", "vneid")
COLUMNS = {"baselines": (*baselines.BASELINE_COLUMNS, "unit_name"),
           "vneid": (*baselines.VNEID_COLUMNS, "reported_on", "unit_name")}
REQUIRED = {"baselines": baselines.BASELINE_COLUMNS, "vneid": baselines.VNEID_COLUMNS}
#: the number column: a row where it is empty is skipped (the template lists every unit)
VALUE_COLUMN = {"baselines": "population", "vneid": "confirmed"}
MAX_ROWS = 20_000
TOKEN_AGE = 3 * 3600  # seconds a preview may wait for its confirmation
_SALT = "lms-coverage-upload"


class UploadError(ValueError):
    """The file cannot be read at all (not a table, wrong columns): a message for the official."""


def column_labels(kind: str) -> dict[str, str]:
    labels = {
        "unit_code": _("Unit code"), "unit_name": _("Unit name (not read)"), "audience": _("Audience"),
        "year": _("Year"), "population": _("Population"), "confirmed": _("Adults confirmed on VNeID"),
        "reported_on": _("Reported on (YYYY-MM-DD)"),
    }
    return {name: labels[name] for name in COLUMNS[kind]}


def population_label(group: str) -> str:
    return audience_label(group) if group in AUDIENCES else _("Adults (the population of the VNeID indicator)")


def shown_audience(code: str) -> str:
    """An audience code read from a file, as the preview shows it (unknown text as it was)."""
    return population_label(code) if code in POPULATIONS else code


def _audience_code(text: str) -> str:
    """An audience by its code or its label in the user's language (folded)."""
    key = fold(text)
    for group in POPULATIONS:
        if key in (group, fold(population_label(group))):
            return group
    return text


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return replace_unsafe(" ".join(str(value).split()))


def _lines(data: bytes) -> list[list[object]]:
    if data.startswith(b"PK\x03\x04"):
        from openpyxl import load_workbook  # openpyxl loads on the first spreadsheet, not in every worker

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise UploadError(_("This Excel file cannot be opened. Save it again as .xlsx or CSV.")) from error
        try:
            return [list(cells) for cells in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    text = decode(data)
    if text is None or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UploadError(_("Please upload a CSV file or an Excel .xlsx file."))
    first = text.split("\n", 1)[0]
    # Excel with Vietnamese regional settings separates with ";" (the decimal mark is ",")
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise UploadError(_("The CSV file cannot be read.")) from error


def read_table(data: bytes, kind: str) -> list[tuple[int, dict[str, str]]]:
    """(line number, {column: text}) of every non-empty row; the header by code or by label."""
    lines = [(n, [_cell(c) for c in cells]) for n, cells in enumerate(_lines(data), start=1)]
    lines = [(n, cells) for n, cells in lines if any(cells)]
    if not lines:
        raise UploadError(_("The file is empty."))
    names = {fold(name): name for name in COLUMNS[kind]}
    names |= {fold(label): name for name, label in column_labels(kind).items()}
    header = {i: names.get(fold(title)) for i, title in enumerate(lines[0][1])}
    missing = [n for n in REQUIRED[kind] if n not in header.values()]
    if missing:
        labels = column_labels(kind)
        raise UploadError(_("Columns missing: %(columns)s. Start from the template.",
                            columns=", ".join(labels[m] for m in missing)))
    if len(lines) - 1 > MAX_ROWS:
        raise UploadError(_("At most %(n)d rows per file.", n=MAX_ROWS))
    rows = []
    for number, cells in lines[1:]:
        values = {name: cells[i] if i < len(cells) else "" for i, name in header.items() if name}
        if kind == "baselines":
            values["audience"] = _audience_code(values.get("audience", ""))
        rows.append((number, values))
    return rows


@dataclass
class Preview:
    kind: str
    #: every row: line, its values, its problems, "new", "update", "skip" or "error"
    rows: list[dict] = field(default_factory=list)
    #: the valid rows to store, as plain text (what the token carries)
    valid: list[dict] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row["status"] == status)


def _existing(kind: str, checked: list[tuple]) -> set[tuple]:
    ids = {row[0] for row in checked if row[0] is not None}
    if not ids:
        return set()
    if kind == "baselines":
        query = select(Baseline.unit_id, Baseline.audience, Baseline.year).where(Baseline.unit_id.in_(ids))
        return {tuple(r) for r in db.session.execute(query)}
    query = select(ExternalFigure.unit_id, ExternalFigure.year).where(
        ExternalFigure.unit_id.in_(ids), ExternalFigure.indicator == "vneid")
    return {tuple(r) for r in db.session.execute(query)}


def _check(kind: str, lines: list[tuple[int, dict]], scope: AdminUnit | None):
    check = baselines.check_baselines if kind == "baselines" else baselines.check_vneid
    return check(lines, "", scope)


def preview(kind: str, lines: list[tuple[int, dict[str, str]]], scope: AdminUnit | None) -> Preview:
    """Every row with its problems (the command line's rules, plus the official's scope)."""
    result = Preview(kind)
    filled = [(n, v) for n, v in lines if v.get(VALUE_COLUMN[kind], "")]
    checked, problems = _check(kind, filled, scope)
    by_line: dict[int, list[str]] = {}
    for problem in problems:
        by_line.setdefault(problem.line, []).append(problem.message)
    existing = _existing(kind, checked)
    checked_by_line = dict(zip((n for n, _v in filled), checked, strict=True))
    for number, values in lines:
        if number not in checked_by_line:
            result.rows.append({"line": number, "values": values, "problems": [], "status": "skip"})
            continue
        messages = by_line.get(number, [])
        key = checked_by_line[number][:3] if kind == "baselines" else checked_by_line[number][:2]
        status = "error" if messages else ("update" if key in existing else "new")
        result.rows.append({"line": number, "values": values, "problems": messages, "status": status})
        if not messages:
            result.valid.append({name: values.get(name, "") for name in COLUMNS[kind] if name != "unit_name"})
    return result


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def sign(result: Preview, user: User, scope: AdminUnit | None, source: str = "") -> str:
    return _serializer().dumps({"user": user.id, "kind": result.kind, "scope": scope.code if scope else "",
                                "source": source[:120], "rows": [list(row.values()) for row in result.valid]})


def unsign(token: str, user: User) -> dict | None:
    """The confirmed payload, or None: forged, expired, or another user's."""
    try:
        payload = _serializer().loads(token, max_age=TOKEN_AGE)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("user") != user.id or payload.get("kind") not in KINDS:
        return None
    return payload


def apply(payload: dict, scope: AdminUnit | None, actor: User) -> int:
    """Check the rows again (units or permissions may have changed) and store them all in one
    transaction, audited; raises :class:`UploadError` and stores nothing when any row now fails."""
    kind = payload["kind"]
    names = [name for name in COLUMNS[kind] if name != "unit_name"]
    lines = [(i, dict(zip(names, (str(v) for v in row), strict=False)))
             for i, row in enumerate(payload["rows"], start=2)]
    checked, problems = _check(kind, lines, scope)
    if problems:
        raise UploadError(_("The figures changed since the preview: nothing was saved. Upload the file again."))
    source = payload.get("source") or _("Uploaded by %(name)s", name=actor.full_name)
    if kind == "baselines":
        baselines.save_baselines(checked, source)
    else:
        baselines.save_vneid(checked)
    audit(actor, f"coverage_upload_{kind}", "unit", scope.code if scope else "country", {"rows": len(checked)})
    db.session.commit()
    return len(checked)


def template_rows(kind: str, scope: AdminUnit | None, year: int) -> list[list[object]]:
    """The header, then a row per unit of the scope (and per audience) with the number left empty:
    the official fills in what they have; empty rows are skipped. Header only for the whole country."""
    labels = column_labels(kind)
    header = [labels[name] for name in ("unit_code", "unit_name", *COLUMNS[kind][1:-1])]
    if scope is None:
        return [header]
    units = db.session.scalars(select(AdminUnit).where(AdminUnit.path.startswith(scope.path))
                               .order_by(AdminUnit.path).limit(MAX_ROWS // len(POPULATIONS)))
    rows: list[list[object]] = [header]
    for unit in units:
        if kind == "baselines":
            rows += [[unit.code, unit.name, population_label(group), year, None] for group in POPULATIONS]
        else:
            rows.append([unit.code, unit.name, year, None, None])
    return rows


def template_csv(rows: list[list[object]]) -> bytes:
    """UTF-8 with a BOM, so that Excel reads the Vietnamese names right."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(rows: list[list[object]]) -> bytes:
    """The same as a workbook; the code column is text, so Excel keeps a commune's leading 0."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2, max_col=1):
        row[0].number_format = "@"
    for letter, width in zip("ABCDE", (12, 34, 30, 10, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
