"""The report as CSV (UTF-8 with BOM, for Excel), XLSX and PDF (WeasyPrint, A4, with the charts)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import current_app, render_template

from lms.audiences import AUDIENCES
from lms.coverage import present
from lms.coverage.report import Figure, Report, UnitRow, sort_rows
from lms.i18n import _
from lms.printing.dates import vi_date
from lms.textcheck import xml_safe

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
INDICATOR_ORDER = (*AUDIENCES, "all", "vneid")
CSV_COLUMNS = ("year", "as_of", "unit_code", "unit_name", "level", "indicator", "covered", "population",
               "baseline", "percent", "target_kind", "target", "gap", "status")


def filename(report: Report, fmt: str) -> str:
    code = report.unit.code if report.unit is not None else "VN"
    return f"pho-cap-ky-nang-so_{code}_{report.year}_{report.on.isoformat()}.{fmt}"


def _unit_rows(report: Report) -> Iterator[tuple[str, str, str, dict[str, Figure]]]:
    unit = report.unit
    if unit is None:
        yield "", _("Whole country"), "country", report.figures
    else:
        yield unit.code, unit.name, unit.level, report.figures
    for row in report.children:
        if row.node is None:
            yield "", _("Registered directly in this unit"), "", row.figures
        else:
            yield row.node.code, row.node.name, row.node.level, row.figures


def _plain(value: object) -> str:
    return "" if value is None else str(value)


def csv_bytes(report: Report) -> bytes:
    """One row per unit and indicator; machine-readable values (dot decimals, ISO dates, codes)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for code, name, level, figures in _unit_rows(report):
        for indicator in INDICATOR_ORDER:
            figure = figures.get(indicator)
            if figure is None:
                continue
            target = figure.target
            writer.writerow([
                report.year, report.on.isoformat(), code, name, level, indicator, _plain(figure.covered),
                _plain(figure.population), figure.baseline_status, _plain(figure.percent),
                target.kind if target else "", _plain(target.value if target else None), _plain(figure.gap),
                figure.status,
            ])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


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
            present.indicator_label(indicator), f.covered, f.population,
            float(f.percent) / 100 if f.percent is not None else present.percent_text(f),
            (f.target.value / 100 if f.target.kind == "percent" else f.target.value) if f.target else None,
            present.gap_text(f), str(present.STATUS_LABELS[f.status]),
        ])
        summary.cell(summary.max_row, 4).number_format = "0.0%"
        if f.target is not None and f.target.kind == "percent":
            summary.cell(summary.max_row, 5).number_format = "0%"
    units = book.create_sheet(_("Units")[:31])
    header = [_("Code"), _("Unit")]
    for indicator in (*AUDIENCES, "all"):
        label = present.indicator_label(indicator, short=True)
        header += [f"{label}: {_('covered')}", f"{label}: {_('baseline')}", f"{label}: %"]
    _append(units, header)
    for code, name, _level, figures in list(_unit_rows(report))[1:]:
        line: list = [code, name]
        for indicator in (*AUDIENCES, "all"):
            f = figures[indicator]
            line += [f.covered, f.population, float(f.percent) / 100 if f.percent is not None else None]
        _append(units, line)
        for column in range(5, len(line) + 1, 3):
            units.cell(units.max_row, column).number_format = "0.0%"
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
    from weasyprint import HTML  # WeasyPrint and the fonts load on the first PDF, not in every worker
    from weasyprint.text.fonts import FontConfiguration

    from lms.printing.fonts import RestrictedFetcher, find_fonts

    fonts = find_fonts()
    fetcher = RestrictedFetcher(fonts.paths())
    html = render_template(
        "lms/coverage/report_pdf.html", report=report, p=present, _=_, rows=_sorted_children(report),
        bar_svg=present.bar_svg(report), trend_svg=present.trend_svg(report), date_vi=vi_date(report.on),
        issuer=current_app.config["LMS_ISSUER"], font_regular=fonts.regular.resolve().as_uri(),
        font_bold=fonts.bold.resolve().as_uri() if fonts.bold else None,
    )
    config = FontConfiguration()
    return HTML(string=html, url_fetcher=fetcher).write_pdf(font_config=config)


def _sorted_children(report: Report) -> list[UnitRow]:
    return sort_rows(report.children, "name", False)


def render(report: Report, fmt: str) -> bytes:
    if fmt == "csv":
        return csv_bytes(report)
    if fmt == "xlsx":
        return xlsx_bytes(report)
    if fmt == "pdf":
        return pdf_bytes(report)
    raise ValueError(f"unknown format {fmt!r}")
