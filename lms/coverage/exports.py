"""The report as CSV (UTF-8 with BOM, for Excel), XLSX and PDF (WeasyPrint, A4, with the charts).

Two CSVs. The one a person opens (``export.csv``) speaks the user's language: headers, levels and
statuses in words, numbers written the way the user's Excel reads them, that is for Vietnamese a
comma as the decimal mark and therefore ";" between columns (Excel with Vietnamese regional
settings splits on ";"), plus a display column ("< 0,1%"). The one a program reads
(``export-codes.csv``, and ``lms coverage report --format csv``) keeps the machine codes, a dot
decimal and "," between columns: its columns are a contract (``CSV_COLUMNS``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from babel.numbers import get_decimal_symbol
from flask_babel import format_date, get_locale

from lms.audiences import AUDIENCES
from lms.coverage import present
from lms.coverage.report import Figure, Report, UnitRow, sort_rows
from lms.i18n import _
from lms.printing.dates import vi_date
from lms.printing.reports import a4_report_pdf
from lms.textcheck import xml_safe

FORMATS = {
    # Flask adds "; charset=utf-8" to a text/* type: naming it here too sent it twice
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
INDICATOR_ORDER = (*AUDIENCES, "all", "vneid")
CSV_COLUMNS = ("year", "as_of", "unit_code", "unit_name", "level", "indicator", "covered", "population",
               "baseline", "percent", "target_kind", "target", "gap", "status", "digital_households")


def filename(report: Report, fmt: str) -> str:
    code = report.unit.code if report.unit is not None else "VN"
    return f"pho-cap-ky-nang-so_{code}_{report.year}_{report.on.isoformat()}.{fmt}"


def _unit_rows(report: Report) -> Iterator[tuple[str, str, str, dict[str, Figure], int]]:
    """(code, name, level, figures, gia đình số) of the report's unit, then of each unit below."""
    unit = report.unit
    if unit is None:
        yield "", _("Whole country"), "country", report.figures, report.digital_households
    else:
        yield unit.code, unit.name, unit.level, report.figures, report.digital_households
    for row in report.children:
        if row.node is None:
            yield "", _("Registered directly in this unit"), "", row.figures, row.digital_households
        else:
            yield row.node.code, row.node.name, row.node.level, row.figures, row.digital_households


def _plain(value: object) -> str:
    return "" if value is None else str(value)


def csv_bytes(report: Report) -> bytes:
    """The "codes" CSV: one row per unit and indicator; machine-readable values (dot decimals, ISO
    dates, codes). ``digital_households`` is the unit's count, the same on each of its rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for code, name, level, figures, households in _unit_rows(report):
        for indicator in INDICATOR_ORDER:
            figure = figures.get(indicator)
            if figure is None:
                continue
            target = figure.target
            writer.writerow([
                report.year, report.on.isoformat(), code, name, level, indicator, _plain(figure.covered),
                _plain(figure.population), figure.baseline_status, _plain(figure.percent),
                target.kind if target else "", _plain(target.value if target else None), _plain(figure.gap),
                figure.status, households,
            ])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def _level_label(level: str) -> str:
    return str({"country": _("Whole country"), "province": _("Province or city"),
                "commune": _("Commune or ward")}.get(level, level))


def display_csv_bytes(report: Report) -> bytes:
    """The CSV a person opens in Excel: the user's language, the user's decimal mark."""
    locale = get_locale()
    decimal = get_decimal_symbol(locale or "vi")
    # a Vietnamese reader writes 30/06/2026; anyone else gets the unambiguous ISO date
    day = format_date(report.on, "dd/MM/yyyy") if str(locale or "vi") == "vi" else report.on.isoformat()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if decimal == "," else ",", lineterminator="\r\n")

    def num(value: object) -> str:
        return "" if value is None else str(value).replace(".", decimal)

    writer.writerow([_("Year"), _("As of"), _("Unit code"), _("Unit"), _("Level"), _("Indicator"), _("Covered"),
                     _("Baseline"), _("Baseline complete"), _("Percent (number)"), _("Percent"), _("Target kind"),
                     _("Target"), _("Gap"), _("Status"), _("Digital households")])
    baseline_words = {"ok": _("Complete"), "partial": _("Some units below have none"), "none": _("No baseline")}
    kinds = {"percent": _("Percent"), "count": _("Number of persons")}
    for code, name, level, figures, households in _unit_rows(report):
        for indicator in INDICATOR_ORDER:
            figure = figures.get(indicator)
            if figure is None:
                continue
            target = figure.target
            writer.writerow([safe_cell(v) for v in (
                report.year, day, code, name, _level_label(level),
                present.indicator_label(indicator), num(figure.covered), num(figure.population),
                baseline_words[figure.baseline_status], num(figure.percent), present.percent_text(figure),
                kinds[target.kind] if target else "", num(target.value if target else None), num(figure.gap),
                present.STATUS_LABELS[figure.status] if figure.status != "none" else "", households,
            )])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def safe_cell(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP advice)."""
    value = str(value) if value is not None and not isinstance(value, int | float) else value
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


def _share(figure: Figure) -> float | str:
    """An XLSX percent cell: the exact share as a number (formatted as percent), or why there is none."""
    if figure.percent is None:
        return present.percent_text(figure)
    return figure.covered / figure.population


def _percent_format() -> str:
    """0.0% in Excel; a share above 0 that would round to 0.0% shows "< 0,1%" (in the user's decimals)."""
    small = present.percent(present.SMALLEST_SHARE)
    return f'[=0]0.0%;[<0.001]"< {small}";0.0%'


def _append(sheet, values: list) -> None:
    """A row whose text XML can hold (openpyxl raises on control characters in a stored name)."""
    sheet.append([xml_safe(value) for value in values])


def xlsx_bytes(report: Report) -> bytes:
    """Three sheets: the summary against targets, the units below, and the month-by-month trend."""
    from openpyxl import Workbook  # openpyxl loads on the first spreadsheet, not in every worker
    from openpyxl.styles import Font

    book = Workbook()
    bold = Font(bold=True)
    summary = book.active
    summary.title = _("Summary")[:31]
    _append(summary, [present.report_title(report)])
    _append(summary, [present.as_of_text(report)])
    _append(summary, [])
    _append(summary, [_("Indicator"), _("Covered"), _("Baseline"), _("Percent"), _("Target"), _("Gap"),
                    _("Status")])
    for indicator in INDICATOR_ORDER:
        f = report.figures[indicator]
        _append(summary, [
            present.indicator_label(indicator), f.covered, f.population, _share(f),
            (f.target.value / 100 if f.target.kind == "percent" else f.target.value) if f.target else None,
            present.gap_text(f), str(present.STATUS_LABELS[f.status]),
        ])
        summary.cell(summary.max_row, 4).number_format = _percent_format()
        if f.target is not None and f.target.kind == "percent":
            summary.cell(summary.max_row, 5).number_format = "0%"
    _append(summary, [])
    _append(summary, [_("Digital households"), report.digital_households])
    units = book.create_sheet(_("Units")[:31])
    header = [_("Code"), _("Unit")]
    for indicator in (*AUDIENCES, "all"):
        label = present.indicator_label(indicator, short=True)
        header += [f"{label}: {_('covered')}", f"{label}: {_('baseline')}", f"{label}: %"]
    _append(units, header + [_("Digital households")])
    for code, name, _level, figures, households in list(_unit_rows(report))[1:]:
        line: list = [code, name]
        for indicator in (*AUDIENCES, "all"):
            f = figures[indicator]
            line += [f.covered, f.population, f.covered / f.population if f.percent is not None else None]
        _append(units, line + [households])
        for column in range(5, len(line) + 1, 3):
            units.cell(units.max_row, column).number_format = _percent_format()
    trend = book.create_sheet(_("Trend")[:31])
    _append(trend, [_("Month")] + [present.indicator_label(a, short=True) for a in AUDIENCES])
    for point in report.trend:
        _append(trend, [present.month_name(report.year, point.month)] + [point.covered[a] for a in AUDIENCES])
    for sheet in (summary, units, trend):
        for cell in sheet[4 if sheet is summary else 1]:
            cell.font = bold
        sheet.column_dimensions["A"].width = 34 if sheet is not units else 10
    units.column_dimensions["B"].width = 30
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf_bytes(report: Report) -> bytes:
    """The periodic report: A4 portrait, national motto, figures against targets, both charts."""
    return a4_report_pdf(
        "lms/coverage/report_pdf.html", report=report, p=present, _=_, rows=_sorted_children(report),
        bar_svg=present.bar_svg(report), trend_svg=present.trend_svg(report), date_vi=vi_date(report.on),
    )


def _sorted_children(report: Report) -> list[UnitRow]:
    return sort_rows(report.children, "name", False)


def render(report: Report, fmt: str, *, display: bool = False) -> bytes:
    """``fmt`` "csv" is the codes CSV unless ``display`` (the web's export.csv) asks for the person's."""
    if fmt == "csv":
        return display_csv_bytes(report) if display else csv_bytes(report)
    if fmt == "xlsx":
        return xlsx_bytes(report)
    if fmt == "pdf":
        return pdf_bytes(report)
    raise ValueError(f"unknown format {fmt!r}")
