"""The coverage package's jobs (lms.jobs): a province's or the country's report as PDF or Excel
(a report over many units takes seconds to lay out), and ``coverage rebuild`` for an admin.

``GET /coverage/export.<fmt>`` still answers with the file at once (a script may rely on it);
the dashboard's buttons for a province or the whole country post to the same address instead,
which starts a job and shows its progress."""

from __future__ import annotations

from datetime import date

from flask import abort, url_for
from flask.typing import ResponseReturnValue

from lms.accounts.auth import current_user, roles_required
from lms.accounts.forms import EmptyForm
from lms.coverage import exports
from lms.coverage.blueprint import bp
from lms.coverage.report import build_report
from lms.coverage.selection import selection
from lms.coverage.triggers import create_triggers, rebuild
from lms.db import db
from lms.i18n import _l
from lms.jobs.registry import JobContext, JobError, JobKind, JobResult, register
from lms.jobs.start import start_and_show
from lms.units.services import by_code

REPORT_JOB = "coverage_report"
REBUILD_JOB = "coverage_rebuild"
#: the formats laid out by a job for a large scope (CSV is cheap: always on the request)
JOB_FORMATS = ("pdf", "xlsx")
STAFF = ("official", "admin")


@bp.route("/export.<fmt>", methods=["POST"], endpoint="prepare_export")
@roles_required(*STAFF)
def prepare_export(fmt: str) -> ResponseReturnValue:
    """Start the job that lays out the report of the selection (unit, year, on) as ``fmt``."""
    if fmt not in JOB_FORMATS or not EmptyForm().validate_on_submit():
        abort(404 if fmt not in JOB_FORMATS else 400)
    unit, year, on = selection()
    return start_and_show(REPORT_JOB, current_user().id, {
        "unit": unit.code if unit else None, "year": year, "on": on.isoformat(), "fmt": fmt})


def _report(context: JobContext) -> JobResult:
    params = context.params
    unit = by_code(params["unit"]) if params.get("unit") else None
    if params.get("unit") and unit is None:
        raise JobError("unit_gone")
    report = build_report(unit, int(params["year"]), date.fromisoformat(params["on"]))
    context.progress(1, 3)
    fmt = params["fmt"]
    return JobResult(exports.render(report, fmt), exports.filename(report, fmt), exports.FORMATS[fmt])


def _staff(user: object, _params: dict) -> bool:
    """Every official may read every unit's figures (lms.coverage.access): so may see the job."""
    return user.has_role(*STAFF)


register(JobKind(
    REPORT_JOB, _l("Coverage report"), _report, may_view=_staff,
    back=lambda params: url_for("lms_coverage.dashboard", **{k: v for k, v in params.items()
                                                             if k in ("unit", "year", "on") and v}),
    errors={"unit_gone": _l("This administrative unit no longer exists.")},
))


@bp.route("/rebuild", methods=["POST"], endpoint="rebuild")
@roles_required("admin")
def start_rebuild() -> ResponseReturnValue:
    """``lms coverage rebuild`` from the web: refill the covered-persons table, as a job."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    return start_and_show(REBUILD_JOB, current_user().id, {})


def _rebuild(context: JobContext) -> None:
    connection = db.session.connection()
    create_triggers(connection)
    context.progress(1, 3)
    rebuild(connection)
    db.session.commit()


register(JobKind(
    REBUILD_JOB, _l("Rebuilding the coverage figures"), _rebuild,
    may_view=lambda user, _params: user.has_role("admin"),
    back=lambda _params: url_for("lms_coverage.target_list"),
    done_url=lambda _params: url_for("lms_coverage.dashboard"),
))
