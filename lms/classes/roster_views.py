"""Roster pages: upload, preview (every row with its problems, editable, checked again on
request), import the valid rows, templates, the per-row report and the one-time password sheets.
Registered on the ``lms_classes`` blueprint."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lms.accounts.auth import current_user
from lms.accounts.forms import EmptyForm
from lms.classes import enroll, passwords, roster, roster_files, roster_review
from lms.classes.access import class_or_404, of_class_or_404, teacher_required
from lms.classes.blueprint import bp
from lms.classes.forms import RosterForm
from lms.classes.job_views import import_is_a_job, sheet_is_a_job, start_import
from lms.classes.models import PasswordSheet, RosterUpload
from lms.db import db
from lms.i18n import _
from lms.jobs.services import forget_jobs
from lms.web.inputs import body_limit
from lms.web.urls import public_url

#: rows on a preview page: each is four inputs (and a tick box), under LMS_MAX_FORM_PARTS (500)
PAGE_SIZE = 80


def _read_upload(form: RosterForm) -> tuple[bytes, str]:
    storage = form.roster.data
    if storage is None or not getattr(storage, "filename", ""):
        raise roster.RosterFileError("no_file")
    limit = int(current_app.config.get("LMS_ROSTER_MAX_BYTES", roster.MAX_BYTES))
    data = storage.stream.read(limit + 1)
    if len(data) > limit:
        raise roster.RosterFileError("too_large", mb=limit // (1024 * 1024))
    return data, storage.filename


@bp.route("/classes/<int:class_id>/roster", methods=["GET", "POST"], endpoint="roster")
@body_limit("LMS_ROSTER_MAX_BYTES")
@teacher_required
def roster_page(class_id: int) -> ResponseReturnValue:
    classroom = class_or_404(class_id)
    form = RosterForm()
    problem = None
    if form.validate_on_submit():
        try:
            data, filename = _read_upload(form)
            max_rows = int(current_app.config.get("LMS_ROSTER_MAX_ROWS", roster.MAX_ROWS))
            table = roster.read_roster(data, max_rows)
        except roster.RosterFileError as error:
            problem = error.message
        else:
            upload = enroll.create_upload(classroom, current_user(), filename, table)
            return redirect(url_for(".roster_preview", class_id=class_id, upload_id=upload.id))
    return render_template(
        "lms/classes/roster.html",
        classroom=classroom,
        form=form,
        problem=problem,
        labels=roster.column_labels(),
        sheets=passwords.live_sheets(class_id),
        parts=passwords.sheet_parts,
        sheet_is_a_job=sheet_is_a_job,
        sheet_form=EmptyForm(),
        reissue=len(enroll.reissuable_ids(classroom)),
    ), (422 if problem else 200)


@bp.route("/classes/<int:class_id>/roster/<int:upload_id>")
@teacher_required
def roster_preview(class_id: int, upload_id: int) -> ResponseReturnValue:
    classroom, upload = of_class_or_404(RosterUpload, class_id, upload_id)
    if upload.imported_at is not None:
        return redirect(url_for(".roster_done", class_id=class_id, upload_id=upload_id))
    rows = enroll.shown_rows(upload.rows)
    show = request.args.get("show") if request.args.get("show") == "problems" else None
    if show == "problems":
        rows = [r for r in rows if r["status"] in ("error", "invite") or r["notes"]]
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    return render_template(
        "lms/classes/roster_preview.html",
        classroom=classroom,
        upload=upload,
        form=EmptyForm(),
        rows=rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        page=page,
        pages=pages,
        show=show,
        counts=enroll.summary(upload.rows),
        labels=roster.column_labels(),
        message=roster.problem_message,
    )


def _back_to_preview(class_id: int, upload_id: int) -> ResponseReturnValue:
    """To the page (or the page a pager button asked for) the form was sent from."""
    page = request.form.get("goto", type=int) or request.form.get("page", type=int) or 1
    show = "problems" if request.form.get("show") == "problems" else None
    return redirect(url_for(".roster_preview", class_id=class_id, upload_id=upload_id, show=show,
                            page=page if page > 1 else None))


@bp.route("/classes/<int:class_id>/roster/<int:upload_id>/check", methods=["POST"])
@teacher_required
def roster_check(class_id: int, upload_id: int) -> ResponseReturnValue:
    """ "Check again": keep the page's edits and ticks, check and match every row again."""
    classroom, upload = of_class_or_404(RosterUpload, class_id, upload_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if upload.imported_at is not None:
        return redirect(url_for(".roster_done", class_id=class_id, upload_id=upload_id))
    edits = roster_review.read_form(request.form, (r["line"] for r in upload.rows))
    changed = roster_review.changed_lines(upload.rows, edits)
    rows = roster_review.apply_edits(upload.rows, edits, classroom.id)
    if not roster_review.save_rows(upload, rows, current_user(), len(changed)):
        return redirect(url_for(".roster_done", class_id=class_id, upload_id=upload_id))
    if changed or request.form.get("goto") is None:
        flash(_("Checked again. Rows you changed: %(n)d.", n=len(changed)), "success")
    return _back_to_preview(class_id, upload_id)


@bp.route("/classes/<int:class_id>/roster/<int:upload_id>/import", methods=["POST"])
@teacher_required
def roster_import(class_id: int, upload_id: int) -> ResponseReturnValue:
    classroom, upload = of_class_or_404(RosterUpload, class_id, upload_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    edits = roster_review.read_form(request.form, (r["line"] for r in upload.rows))
    if edits.cells and upload.imported_at is None:
        # cells changed on the page are checked first and shown: nothing is imported unseen
        changed = roster_review.changed_lines(upload.rows, edits)
        rows = roster_review.apply_edits(upload.rows, edits, classroom.id)
        roster_review.save_rows(upload, rows, current_user(), len(changed))
        if changed:
            flash(_("You changed %(n)d row(s): they were checked again. Look at the result, then import.",
                    n=len(changed)), "info")
            return _back_to_preview(class_id, upload_id)
    if import_is_a_job(upload):
        return start_import(class_id, upload)
    try:
        enroll.import_upload(upload, classroom, current_user())
    except enroll.ImportConflict:
        flash(_("Someone created one of these accounts a moment ago. Nothing was saved: please import again."), "error")
        return redirect(url_for(".roster_preview", class_id=class_id, upload_id=upload_id))
    return redirect(url_for(".roster_done", class_id=class_id, upload_id=upload_id))


@bp.route("/classes/<int:class_id>/roster/<int:upload_id>/done")
@teacher_required
def roster_done(class_id: int, upload_id: int) -> ResponseReturnValue:
    classroom, upload = of_class_or_404(RosterUpload, class_id, upload_id)
    if upload.imported_at is None:
        return redirect(url_for(".roster_preview", class_id=class_id, upload_id=upload_id))
    outcome = upload.outcome or {}
    sheet = db.session.get(PasswordSheet, outcome["sheet_id"]) if outcome.get("sheet_id") else None
    return render_template(
        "lms/classes/roster_done.html", classroom=classroom, outcome=outcome, sheet=sheet, parts=passwords.sheet_parts
    )


@bp.route("/classes/<int:class_id>/roster/<int:upload_id>/report.csv")
@teacher_required
def roster_report(class_id: int, upload_id: int) -> ResponseReturnValue:
    """Every row with its result, to fix the file in Excel (UTF-8 with BOM)."""
    _classroom, upload = of_class_or_404(RosterUpload, class_id, upload_id)
    response = Response(roster_files.report_csv(enroll.shown_rows(upload.rows)), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="roster-report-{upload.id}.csv"'
    return response


@bp.route("/roster-template.<any(csv, xlsx):kind>")
@teacher_required
def roster_template(kind: str) -> ResponseReturnValue:
    if kind == "csv":
        response = Response(roster_files.template_csv(), content_type="text/csv; charset=utf-8")
    else:
        response = Response(roster_files.template_xlsx(), mimetype=roster_files.XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="roster-template.{kind}"'
    return response


@bp.route("/classes/<int:class_id>/sheets/<int:sheet_id>.pdf")
@teacher_required
def password_sheet(class_id: int, sheet_id: int) -> ResponseReturnValue:
    from lms.classes.pdf import (
        password_sheet_pdf,  # WeasyPrint and the fonts load on the first PDF, not in every worker
    )

    classroom, sheet = of_class_or_404(PasswordSheet, class_id, sheet_id)
    entries = passwords.read_sheet(sheet)
    if entries is None:
        flash(
            _(
                "This password sheet has expired. Make new one-time passwords for the learners who "
                "have not signed in yet."
            ),
            "error",
        )
        return redirect(url_for(".roster", class_id=class_id))
    # a big sheet comes in parts: WeasyPrint needs ~12 ms a slip, a request must stay short
    part = request.args.get("part", 1, type=int)
    entries = entries[(part - 1) * passwords.SHEET_PART : part * passwords.SHEET_PART] if part >= 1 else []
    if not entries:
        abort(404)
    data = password_sheet_pdf(
        entries,
        class_name=classroom.name,
        site_name=current_app.config["LMS_SITE_NAME"],
        login_url=public_url("lms_accounts.login"),
    )
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="passwords-{sheet.id}-{part}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/classes/<int:class_id>/sheets/<int:sheet_id>/delete", methods=["POST"])
@teacher_required
def delete_sheet(class_id: int, sheet_id: int) -> ResponseReturnValue:
    _classroom, sheet = of_class_or_404(PasswordSheet, class_id, sheet_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    forget_jobs("password_sheet", "sheet_id", sheet.id)  # its whole-sheet PDF, if one was prepared
    passwords.delete_sheet(sheet)
    flash(_("The password sheet was deleted."), "success")
    return redirect(url_for(".roster", class_id=class_id))


@bp.route("/classes/<int:class_id>/passwords", methods=["POST"])
@teacher_required
def new_passwords(class_id: int) -> ResponseReturnValue:
    """New one-time passwords: for one learner (``user_id``) or all who have not chosen theirs yet."""
    classroom = class_or_404(class_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    wanted = request.form.get("user_id", type=int)
    ids = enroll.reissuable_ids(classroom)
    if wanted is not None:
        ids = [i for i in ids if i == wanted]
    sheet = enroll.reissue_passwords(classroom, ids, current_user()) if ids else None
    if sheet is None:
        flash(_("Nobody needs a new one-time password."), "info")
        return redirect(url_for(".roster", class_id=class_id))
    flash(
        _(
            "New one-time passwords made for %(n)d learner(s). Print the sheet and hand it out.",
            n=sheet.count,
        ),
        "success",
    )
    return redirect(url_for(".roster", class_id=class_id))
