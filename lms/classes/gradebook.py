"""The gradebook a principal opens in Excel: CSV (UTF-8 with BOM, so Excel keeps the Vietnamese)
and XLSX (openpyxl). Learner-typed text never becomes a formula (CSV/formula injection)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator

from lms.classes.models import Classroom
from lms.classes.progress import ClassProgress
from lms.i18n import _
from lms.textcheck import printable, xml_safe
from lms.web.formatting import current_locale

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (OWASP advice)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _status_label(status: str) -> str:
    return {
        "not_started": _("Not started"),
        "in_progress": _("In progress"),
        "stuck": _("Stuck"),
        "passed": _("Passed"),
    }[status]


def header(progress: ClassProgress) -> list[str]:
    locale = current_locale()
    columns = [
        _("Full name"),
        _("Username or phone number"),
        _("Birth year"),
        _("Email"),
        _("Status"),
        _("Courses passed"),
    ]
    for course in progress.courses:
        title = course.title_in(locale)
        columns += [
            _("%(course)s: lessons done", course=title),
            _("%(course)s: best grade (%%)", course=title),
            _("%(course)s: course grade (%%)", course=title),
            _("%(course)s: passed", course=title),
            _("%(course)s: certificate", course=title),
        ]
    # last, so the columns before it keep their places
    columns.append(_("Digital skills path certificate"))
    return columns


def rows(progress: ClassProgress, *, protect: bool = True) -> Iterator[list[object]]:
    """Numbers stay numbers (Excel can sum them); with ``protect``, text cannot become a formula."""
    yes, no = _("Yes"), _("No")
    for row in progress.rows:
        line: list[object] = [
            printable(row.full_name),  # a name stored before names were checked
            row.login,
            row.birth_year,
            row.email or "",
            _status_label(row.status),
            row.passed_count,
        ]
        for cell in row.cells:
            line += [
                cell.lessons_done,
                None if cell.best_percent is None else round(cell.best_percent, 2),
                None if cell.grade_percent is None else round(cell.grade_percent, 2),
                yes if cell.status == "passed" else no,
                cell.certificate or "",
            ]
        line.append(row.path_certificate or "")
        yield [safe_text(v) for v in line] if protect else line


def to_csv(progress: ClassProgress) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_text(h) for h in header(progress)])
    for line in rows(progress):
        writer.writerow(["" if v is None else v for v in line])
    # the BOM tells Excel the file is UTF-8; without it Vietnamese turns into mojibake
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(progress: ClassProgress, classroom: Classroom) -> bytes:
    from openpyxl import Workbook  # openpyxl loads on the first spreadsheet, not in every worker
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title(printable(classroom.name)))
    sheet.freeze_panes = "B2"
    widths = [28, 18, 10, 24, 14, 10] + [14] * (5 * len(progress.courses)) + [22]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[_column_letter(index)].width = width
    bold = Font(bold=True)
    head = []
    for title in header(progress):
        cell = WriteOnlyCell(sheet, value=xml_safe(title))
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    for line in rows(progress, protect=False):
        cells = []
        for value in line:
            value = xml_safe(value)  # XML cannot hold most control characters: openpyxl would raise
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
                cell.number_format = "@"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter  # openpyxl loads on the first spreadsheet, not in every worker

    return get_column_letter(index)


def sheet_title(name: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    title = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31]
    return title or "Gradebook"


def file_stem(classroom: Classroom, day: str) -> str:
    """An ASCII file name ("lop-tin-hoc-to-3-2026-11-27"); the header also carries the UTF-8 one."""
    folded = unicodedata.normalize("NFKD", classroom.name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = re.sub(r"[^a-zA-Z0-9]+", "-", folded.encode("ascii", "ignore").decode()).strip("-").lower()
    return f"{ascii_name[:60] or 'class'}-{day}"
