"""Labels and formatting shared by the report page, its exports and its PDF."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date, get_locale

from lms.i18n import _
from lms.outreach.periods import Period
from lms.outreach.report import OutreachReport, Row

ROMAN = ("I", "II", "III", "IV")


def day_text(day: date) -> str:
    """30/06/2026 for a Vietnamese reader; the unambiguous ISO date for anyone else."""
    return format_date(day, "dd/MM/yyyy") if str(get_locale() or "vi") == "vi" else day.isoformat()


def period_text(period: Period) -> str:
    if period.kind == "month":
        return _("Month %(month)d/%(year)d", month=period.start.month, year=period.start.year)
    if period.kind == "quarter":
        return _("Quarter %(quarter)s/%(year)d", quarter=ROMAN[(period.start.month - 1) // 3],
                 year=period.start.year)
    if period.kind == "year":
        return _("Year %(year)d", year=period.start.year)
    return _("From %(start)s to %(end)s", start=day_text(period.start), end=day_text(period.end))


def unit_name(report: OutreachReport) -> str:
    return report.unit.name if report.unit is not None else _("Whole country")


def report_title(report: OutreachReport) -> str:
    return _("Outreach and coverage report: %(unit)s, %(period)s", unit=unit_name(report),
             period=period_text(report.period))


def row_name(row: Row) -> str:
    return _("The unit itself (its own activities, persons registered directly in it)") if row.own else row.name
