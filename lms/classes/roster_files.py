"""Files a teacher downloads around a roster upload: the empty templates (CSV, XLSX) and the
per-row report of an upload, in the teacher's language."""

from __future__ import annotations

import csv
import io

from lms.classes import roster
from lms.classes.gradebook import safe_text
from lms.i18n import _

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _header() -> list[str]:
    labels = roster.column_labels()
    return [labels[name] for name in roster.COLUMNS]


def template_csv() -> bytes:
    """The empty roster, UTF-8 with a BOM so Excel reads the Vietnamese headers right."""
    return ("\ufeff" + ",".join(_header()) + "\r\n").encode("utf-8")


def template_xlsx() -> bytes:
    """The empty roster as a workbook; the phone column is text, so Excel keeps its leading 0."""
    from openpyxl import Workbook  # openpyxl loads on the first spreadsheet, not in every worker
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Learners")[:31]
    sheet.append(_header())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (30, 26, 12, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in range(2, 1002):
        sheet.cell(row=row, column=2).number_format = "@"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_csv(rows: list[dict]) -> bytes:
    """Every row of an upload with its result and problems, to fix the file in Excel (UTF-8 with BOM)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    labels = roster.column_labels()
    writer.writerow([_("Row"), labels["full_name"], labels["login"], labels["birth_year"], labels["email"],
                     _("Result"), _("Problems")])
    status = {
        "new": _("New account"),
        "link": _("Linked (details agree)"),
        "invite": _("To check: not imported unless ticked"),
        "already": _("Already in the class"),
        "error": _("Not imported"),
    }
    for row in rows:
        result = status.get(row["status"], "")
        check = []
        if row["status"] == "invite":
            check = [{"code": "check", **(row.get("account") or {})}]
            if row.get("confirmed"):
                result, check = _("Invitation (ticked)"), [*check, {"code": "invite"}]
        messages = [roster.problem_message(p) for p in row["problems"] + row["notes"] + check]
        values = (row["line"], row["full_name"], row["login"], row["birth_year"], row["email"],
                  result, " ".join(messages))
        writer.writerow([safe_text(v) for v in values])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
