"""The classes' jobs (lms.jobs): a whole one-time password sheet as one PDF, a roster import of
more than ``LMS_ROSTER_SYNC_MAX`` rows. Registered on the
``lms_classes`` blueprint; the class's certificates PDF is in :mod:`lms.classes.certificates_pdf`.

A sheet of up to ``LMS_PASSWORD_SHEET_SYNC_MAX`` slips prints on the request (in parts of
:data:`lms.classes.passwords.SHEET_PART`); a larger one is prepared as a job (~12 ms a slip)."""

from __future__ import annotations

from flask import abort, current_app, url_for
from flask.typing import ResponseReturnValue

from lms.accounts.auth import current_user
from lms.accounts.forms import EmptyForm
from lms.accounts.models import User
from lms.classes import passwords
from lms.classes.access import of_class_or_404, teacher_required
from lms.classes.blueprint import bp
from lms.classes.enroll import ImportConflict, import_upload
from lms.classes.models import Classroom, PasswordSheet, RosterUpload
from lms.classes.services import can_manage
from lms.db import db, now_utc
from lms.i18n import _l
from lms.jobs.registry import JobContext, JobError, JobKind, JobResult, register
from lms.jobs.start import start_and_show
from lms.web.urls import public_url

SHEET_JOB = "password_sheet"


def sheet_is_a_job(count: int) -> bool:
    return count > int(current_app.config["LMS_PASSWORD_SHEET_SYNC_MAX"])


@bp.route("/classes/<int:class_id>/sheets/<int:sheet_id>/prepare", methods=["POST"])
@teacher_required
def prepare_sheet(class_id: int, sheet_id: int) -> ResponseReturnValue:
    """Start the job that lays out the whole sheet as one PDF; its progress page follows."""
    _classroom, sheet = of_class_or_404(PasswordSheet, class_id, sheet_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    # the worker has no request to build an address from: the sign-in address goes with the job
    return start_and_show(SHEET_JOB, current_user().id, {
        "class_id": class_id, "sheet_id": sheet.id, "login_url": public_url("lms_accounts.login")})


def _live_sheet(params: dict) -> PasswordSheet | None:
    sheet = db.session.get(PasswordSheet, int(params.get("sheet_id", 0)))
    if sheet is None or sheet.class_id != params.get("class_id") or sheet.expires_at <= now_utc():
        return None
    return sheet


def _build_sheet(context: JobContext) -> JobResult:
    sheet = _live_sheet(context.params)
    entries = passwords.read_sheet(sheet) if sheet is not None else None
    if not entries:
        raise JobError("sheet_expired")
    from lms.classes.pdf import password_sheet_pdf  # WeasyPrint loads in the job, not in every web worker

    classroom = db.session.get(Classroom, sheet.class_id)
    data = password_sheet_pdf(entries, class_name=classroom.name, site_name=current_app.config["LMS_SITE_NAME"],
                              login_url=str(context.params["login_url"]), progress=context.progress)
    return JobResult(data, f"passwords-{sheet.id}.pdf", "application/pdf")


def _manages_class(user: object, params: dict) -> bool:
    return can_manage(user, db.session.get(Classroom, int(params.get("class_id", 0))))


register(JobKind(
    SHEET_JOB, _l("One-time password sheet (PDF)"), _build_sheet, may_view=_manages_class,
    back=lambda params: url_for("lms_classes.roster", class_id=params["class_id"]),
    errors={"sheet_expired": _l("This password sheet has expired. Make new one-time passwords for the "
                                "learners who have not signed in yet.")},
    # a deleted or expired sheet's passwords are not given out any more, even from a finished job
    available=lambda params: _live_sheet(params) is not None,
))


# -- a big roster import --------------------------------------------------------------------------

IMPORT_JOB = "roster_import"


def import_is_a_job(upload: RosterUpload) -> bool:
    return len(upload.rows or []) > int(current_app.config["LMS_ROSTER_SYNC_MAX"])


def start_import(class_id: int, upload: RosterUpload) -> ResponseReturnValue:
    """The import as a job (the preview's "Import" button on a roster of many rows)."""
    return start_and_show(IMPORT_JOB, current_user().id, {"class_id": class_id, "upload_id": upload.id})


def _import(context: JobContext) -> None:
    upload = db.session.get(RosterUpload, int(context.params["upload_id"]))
    classroom = db.session.get(Classroom, int(context.params["class_id"]))
    actor = db.session.get(User, context.owner_id)
    if upload is None or classroom is None or upload.class_id != classroom.id or actor is None:
        raise JobError("upload_gone")
    try:
        import_upload(upload, classroom, actor, progress=context.progress)
    except ImportConflict:
        raise JobError("conflict") from None


register(JobKind(
    IMPORT_JOB, _l("Adding the learners of a roster"), _import, may_view=_manages_class,
    back=lambda params: url_for("lms_classes.roster", class_id=params["class_id"]),
    done_url=lambda params: url_for("lms_classes.roster_done", class_id=params["class_id"],
                                    upload_id=params["upload_id"]),
    errors={"conflict": _l("Someone created one of these accounts a moment ago. Nothing was saved: "
                           "please import again."),
            "upload_gone": _l("This roster file is no longer kept. Please upload it again.")},
))
