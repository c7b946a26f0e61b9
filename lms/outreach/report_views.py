"""The periodic outreach report: the page, its CSV, Excel and PDF, and the job that lays out a
province's (or the country's) Excel and PDF off the request (lms.jobs), as coverage reports do.

An official reports on their own unit and the units below it; another unit answers 403."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lms.accounts.auth import current_user, roles_required
from lms.accounts.forms import EmptyForm
from lms.clock import local_today
from lms.coverage import present as coverage_present
from lms.coverage.access import units_within
from lms.coverage.selection import report_is_a_job
from lms.i18n import _l
from lms.jobs.registry import JobContext, JobError, JobKind, JobResult, register
from lms.jobs.start import start_and_show
from lms.outreach import exports, present
from lms.outreach.blueprint import bp
from lms.outreach.kinds import KINDS, kind_label
from lms.outreach.periods import PERIOD_KINDS, Period, PeriodError, parse_period
from lms.outreach.report import build
from lms.outreach.services import may_report
from lms.units.models import AdminUnit
from lms.units.services import by_code

STAFF = ("official", "admin")
REPORT_JOB = "outreach_report"
JOB_FORMATS = ("pdf", "xlsx")


def _selection() -> tuple[AdminUnit | None, Period]:
    """The unit (default: the user's own; empty for an admin: the whole country) and the period
    from the query string; 403 for a unit the user may not report on, 400 for a bad period."""
    user = current_user()
    code = request.args.get("unit", "").strip()[:12]
    unit = by_code(code) if code else user.unit
    if code and unit is None:
        abort(404)
    if not may_report(user, unit):
        abort(403)
    try:
        period = parse_period(request.args, local_today())
    except PeriodError as error:
        abort(400, description=str(error))
    return unit, period


def _args(unit: AdminUnit | None, period: Period) -> dict:
    return {"unit": unit.code if unit is not None else None, **period.args()}


@bp.route("/report")
@roles_required(*STAFF)
def report() -> ResponseReturnValue:
    user = current_user()
    if user.unit is None and not user.has_role("admin"):
        return render_template("lms/outreach/no_unit.html"), 200
    unit, period = _selection()
    built = build(unit, period)
    today = local_today()
    return render_template(
        "lms/outreach/report.html", report=built, p=present, cp=coverage_present, kinds=KINDS,
        kind_label=kind_label, indicators=exports.INDICATORS, args=_args(unit, period), period_kinds=PERIOD_KINDS,
        years=list(range(today.year - 3, today.year + 2)), exports_are_jobs=report_is_a_job(unit),
        scope_units=None if user.has_role("admin") else units_within(user.unit),
    )


@bp.route("/report.<fmt>")
@roles_required(*STAFF)
def report_export(fmt: str) -> ResponseReturnValue:
    if fmt not in exports.FORMATS:
        abort(404)
    built = build(*_selection())
    response = Response(exports.render(built, fmt), mimetype=exports.FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{exports.filename(built, fmt)}"'
    return response


@bp.route("/report.<fmt>", methods=["POST"], endpoint="prepare_report")
@roles_required(*STAFF)
def prepare_report(fmt: str) -> ResponseReturnValue:
    """Start the job that lays out the selection's report as ``fmt`` (a province's: many units)."""
    if fmt not in JOB_FORMATS:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    unit, period = _selection()
    return start_and_show(REPORT_JOB, current_user().id, {
        "unit": unit.code if unit is not None else None, "start": period.start.isoformat(),
        "end": period.end.isoformat(), "kind": period.kind, "fmt": fmt})


def _period(params: dict) -> Period:
    return Period(params["kind"], date.fromisoformat(params["start"]), date.fromisoformat(params["end"]))


def _run(context: JobContext) -> JobResult:
    params = context.params
    unit = by_code(params["unit"]) if params.get("unit") else None
    if params.get("unit") and unit is None:
        raise JobError("unit_gone")
    built = build(unit, _period(params))
    context.progress(1, 3)
    fmt = params["fmt"]
    return JobResult(exports.render(built, fmt), exports.filename(built, fmt), exports.FORMATS[fmt])


def _may_view(user: object, params: dict) -> bool:
    """Whoever could have started the same report: an official of the unit or a unit above it."""
    unit = by_code(params["unit"]) if params.get("unit") else None
    if params.get("unit") and unit is None:
        return False
    return may_report(user, unit)


def _back(params: dict) -> str:
    args = _period(params).args()
    return url_for("lms_outreach.report", **({"unit": params["unit"]} if params.get("unit") else {}), **args)


register(JobKind(
    REPORT_JOB, _l("Outreach report"), _run, may_view=_may_view, back=_back,
    errors={"unit_gone": _l("This administrative unit no longer exists.")},
))
