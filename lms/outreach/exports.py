"""The outreach report as CSV (UTF-8 with BOM, for Excel), XLSX and PDF (WeasyPrint, A4).

The CSV speaks the reader's language, as the coverage export a person opens does
(lms.coverage.exports): headers in words, ";" between columns where the decimal mark is a comma.
One line per unit: the total first, then the unit's own line, then each unit below."""

from __future__ import annotations

import csv
import io

from babel.numbers import get_decimal_symbol
from flask_babel import get_locale

from lms.audiences import AUDIENCES
from lms.clock import local_today
from lms.coverage import present as coverage_present
from lms.coverage.exports import safe_cell
from lms.i18n import _
from lms.outreach import present
from lms.outreach.kinds import KINDS, kind_label
from lms.outreach.report import OutreachReport, Row
from lms.outreach.services import list_activities
from lms.printing.dates import vi_date
from lms.printing.reports import a4_report_pdf
from lms.textcheck import xml_safe

FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
INDICATORS = (*AUDIENCES, "all")
#: the PDF lists the activities themselves up to this many (the Excel file lists them all)
PDF_ACTIVITIES = 200
XLSX_ACTIVITIES = 100_000


def filename(report: OutreachReport, fmt: str) -> str:
    return f"bao-cao-tuyen-truyen_{report.code}_{report.period.slug}.{fmt}"


def _rows(report: OutreachReport) -> list[tuple[str, Row]]:
    """(what the line is, row): the total, then the rows."""
    return [("total", report.total)] + [("own" if row.own else "below", row) for row in report.rows]


def _line_label(what: str) -> str:
    return str({"total": _("Total"), "own": _("The unit itself"), "below": _("Unit below")}[what])


def header() -> list[str]:
    # the words are translated before the f-strings: Babel does not look inside an f-string
    activities, reached = _("activities"), _("people reached")
    covered, new, baseline = _("covered at the end"), _("newly covered"), _("baseline")
    columns = [_("From"), _("To"), _("Line"), _("Unit code"), _("Unit")]
    for kind in KINDS:
        label = kind_label(kind, short=True)
        columns += [f"{label}: {activities}", f"{label}: {reached}"]
    columns += [_("Activities in all"), _("People reached in all")]
    for indicator in INDICATORS:
        label = coverage_present.indicator_label(indicator, short=True)
        columns += [f"{label}: {covered}", f"{label}: {new}", f"{label}: {baseline}", f"{label}: %"]
    return columns


def _figure_cells(row: Row, indicator: str) -> list:
    figure = row.figures.get(indicator)
    if figure is None:
        return [None, None, None, None]
    return [figure.covered, row.new.get(indicator), figure.population, figure.percent]


def csv_bytes(report: OutreachReport) -> bytes:
    decimal = get_decimal_symbol(get_locale() or "vi")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if decimal == "," else ",", lineterminator="\r\n")
    writer.writerow(header())

    def cell(value: object) -> object:
        return "" if value is None else safe_cell(str(value).replace(".", decimal) if not isinstance(value, str)
                                                  else value)

    start, end = present.day_text(report.period.start), present.day_text(report.period.end)
    for what, row in _rows(report):
        line: list = [start, end, _line_label(what), row.code,
                      present.unit_name(report) if what == "total" else present.row_name(row)]
        for kind in KINDS:
            line += [row.tally.count[kind], row.tally.reached[kind]]
        line += [row.tally.total_count, row.tally.total_reached]
        for indicator in INDICATORS:
            line += _figure_cells(row, indicator)
        writer.writerow([cell(v) for v in line])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def _append(sheet, values: list) -> None:
    sheet.append([xml_safe(v) if isinstance(v, str) else v for v in values])


def xlsx_bytes(report: OutreachReport) -> bytes:
    """Three sheets: the total by kind and audience, the units, and the activities themselves."""
    from openpyxl import Workbook  # openpyxl loads on the first spreadsheet, not in every worker
    from openpyxl.styles import Font

    book = Workbook()
    bold = Font(bold=True)
    summary = book.active
    summary.title = _("Summary")[:31]
    # rows are counted here: openpyxl's max_row scans every cell, which made 5,000 activities take a minute
    _append(summary, [present.report_title(report)])
    _append(summary, [present.period_text(report.period)])
    _append(summary, [])
    _append(summary, [_("Kind of activity"), _("Activities"), _("People reached")])
    heads = [4]
    for kind in KINDS:
        _append(summary, [kind_label(kind), report.total.tally.count[kind], report.total.tally.reached[kind]])
    _append(summary, [_("Total"), report.total.tally.total_count, report.total.tally.total_reached])
    _append(summary, [])
    _append(summary, [_("Audience"), _("Covered at the end"), _("Newly covered"), _("Baseline"), "%"])
    heads.append(4 + len(KINDS) + 3)
    for number, indicator in enumerate(INDICATORS, start=heads[-1] + 1):
        cells = _figure_cells(report.total, indicator)
        _append(summary, [coverage_present.indicator_label(indicator)] + cells[:3]
                + [float(cells[3]) / 100 if cells[3] is not None else None])
        summary.cell(number, 5).number_format = "0.00%"
    units = book.create_sheet(_("Units")[:31])
    _append(units, header()[2:])
    for number, (what, row) in enumerate(_rows(report), start=2):
        name = present.unit_name(report) if what == "total" else present.row_name(row)
        line: list = [_line_label(what), row.code, name]
        for kind in KINDS:
            line += [row.tally.count[kind], row.tally.reached[kind]]
        line += [row.tally.total_count, row.tally.total_reached]
        for indicator in INDICATORS:
            cells = _figure_cells(row, indicator)
            line += cells[:3] + [float(cells[3]) / 100 if cells[3] is not None else None]
        _append(units, line)
        for column in range(len(line) - 4 * len(INDICATORS) + 4, len(line) + 1, 4):
            units.cell(number, column).number_format = "0.00%"
    listing = book.create_sheet(_("Activities")[:31])
    _append(listing, [_("First day"), _("Last day"), _("Unit code"), _("Unit"), _("Kind of activity"),
                      _("People reached"), _("Note")])
    activities, _total = list_activities(report.unit, report.period.start, report.period.end,
                                         page_size=XLSX_ACTIVITIES)
    labels = {kind: kind_label(kind) for kind in KINDS}
    for number, activity in enumerate(activities, start=2):
        _append(listing, [activity.starts_on, activity.ends_on, activity.unit.code, activity.unit.name,
                          labels[activity.kind], activity.reached, safe_cell(activity.note)])
        for column in (1, 2):
            listing.cell(number, column).number_format = "DD/MM/YYYY"
    for row_number in heads:
        for cell in summary[row_number]:
            cell.font = bold
    for sheet in (units, listing):
        for cell in sheet[1]:
            cell.font = bold
    summary.column_dimensions["A"].width = 60
    units.column_dimensions["C"].width = 30
    listing.column_dimensions["D"].width = 30
    listing.column_dimensions["E"].width = 50
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf_bytes(report: OutreachReport) -> bytes:
    """A4 portrait, national motto, activities by kind, coverage, the units below, the activities."""
    activities, total = list_activities(report.unit, report.period.start, report.period.end,
                                        page_size=PDF_ACTIVITIES)
    return a4_report_pdf(
        "lms/outreach/report_pdf.html", report=report, p=present, cp=coverage_present, kinds=KINDS, _=_,
        kind_label=kind_label, indicators=INDICATORS, activities=activities, activity_total=total,
        date_vi=vi_date(local_today()),
    )


def render(report: OutreachReport, fmt: str) -> bytes:
    if fmt == "csv":
        return csv_bytes(report)
    if fmt == "xlsx":
        return xlsx_bytes(report)
    if fmt == "pdf":
        return pdf_bytes(report)
    raise ValueError(f"unknown format {fmt!r}")
