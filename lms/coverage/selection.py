"""The unit, year and report date a coverage page or export is about, read from the query string
(the dashboard, its exports and the export jobs read it alike)."""

from __future__ import annotations

from datetime import date

from flask import abort, request

from lms.clock import local_today
from lms.coverage.report import default_date
from lms.i18n import _
from lms.units.models import AdminUnit
from lms.units.services import by_code

FIRST_YEAR = 2025


def report_is_a_job(unit: AdminUnit | None) -> bool:
    """A PDF or Excel report of the whole country or a province (thousands of units below it) is
    laid out by a job (lms.coverage.job_views); a commune's is made on the request."""
    return unit is None or unit.level == "province"


def selection() -> tuple[AdminUnit | None, int, date]:
    """The unit (empty: the whole country), year and report date from the query string."""
    code = request.args.get("unit", "").strip()
    unit = by_code(code) if code else None
    if code and unit is None:
        abort(404)
    today = local_today()
    year = request.args.get("year", type=int) or today.year
    if not FIRST_YEAR - 5 <= year <= today.year + 5:
        abort(400, description=_("Please check the year."))
    try:
        on = date.fromisoformat(request.args["on"]) if request.args.get("on") else default_date(year, today)
    except ValueError:
        abort(400, description=_("Write the date as YYYY-MM-DD."))
    return unit, year, on
