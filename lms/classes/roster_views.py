"""Roster pages: upload, preview (every row with its problems), import the valid rows, templates,
the per-row report and the one-time password sheets. Registered on the ``lms_classes`` blueprint."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from lms.accounts.auth import current_user
from lms.accounts.forms import EmptyForm
from lms.classes import enroll, passwords, roster
from lms.classes.access import class_or_404, of_class_or_404, public_url, teacher_required
from lms.classes.forms import RosterForm
from lms.classes.models import PasswordSheet, RosterUpload
from lms.classes.views import bp
from lms.db import db
from lms.i18n import _
from lms.web.inputs import body_limit

PAGE_SIZE = 200


def _sheets(class_id: int) -> list[PasswordSheet]:
    passwords.purge_expired_sheets()
    db.session.commit()
    return list(
        db.session.scalars(
            select(PasswordSheet).where(PasswordSheet.class_id == class_id).order_by(PasswordSheet.created_at.desc())
        )
    )


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
def roster_page(class_id: int):  # noqa: ANN201
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
        sheets=_sheets(class_id),
        parts=passwords.sheet_parts,
        sheet_form=EmptyForm(),
        reissue=len(enroll.reissuable_ids(classroom)),
    ), (422 if problem else 200)


@bp.route("/classes/<int:class_id>/roster/<int:upload_id>")
@teacher_required
def roster_preview(class_id: int, upload_id: int):  # noqa: ANN201
    classroom, upload = of_class_or_404(RosterUpload, class_id, upload_id)
    if upload.imported_at is not None:
        return redirect(url_for(".roster_done", class_id=class_id, upload_id=upload_id))
    rows = upload.rows
    show = request.args.get("show")
    if show == "problems":
        rows = [r for r in rows if r["status"] == "error" or r["notes"]]
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
        message=roster.problem_message,
    )


@bp.route("/classes/<int:class_id>/roster/<int:upload_id>/import", methods=["POST"])
@teacher_required
def roster_import(class_id: int, upload_id: int):  # noqa: ANN201
    classroom, upload = of_class_or_404(RosterUpload, class_id, upload_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        enroll.import_upload(upload, classroom, current_user())
    except enroll.ImportConflict:
        flash(_("Someone created one of these accounts a moment ago. Nothing was saved: please import again."), "error")
        return redirect(url_for(".roster_preview", class_id=class_id, upload_id=upload_id))
    return redirect(url_for(".roster_done", class_id=class_id, upload_id=upload_id))


@bp.route("/classes/<int:class_id>/roster/<int:upload_id>/done")
@teacher_required
def roster_done(class_id: int, upload_id: int):  # noqa: ANN201
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
def roster_report(class_id: int, upload_id: int):  # noqa: ANN201
    """Every row with its result, to fix the file in Excel (UTF-8 with BOM)."""
    _classroom, upload = of_class_or_404(RosterUpload, class_id, upload_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    labels = roster.column_labels()
    writer.writerow(
        [
            _("Row"),
            labels["full_name"],
            labels["login"],
            labels["birth_year"],
            labels["email"],
            _("Result"),
            _("Problems"),
        ]
    )
    status = {
        "new": _("New account"),
        "existing": _("Existing account"),
        "already": _("Already in the class"),
        "error": _("Not imported"),
    }
    from lms.classes.gradebook import safe_text

    for row in upload.rows:
        messages = [roster.problem_message(p) for p in row["problems"] + row["notes"]]
        writer.writerow(
            [
                safe_text(v)
                for v in (
                    row["line"],
                    row["full_name"],
                    row["login"],
                    row["birth_year"],
                    row["email"],
                    status.get(row["status"], ""),
                    " ".join(messages),
                )
            ]
        )
    response = Response(("\ufeff" + out.getvalue()).encode("utf-8"), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="roster-report-{upload.id}.csv"'
    return response


@bp.route("/roster-template.<any(csv, xlsx):kind>")
@teacher_required
def roster_template(kind: str):  # noqa: ANN201
    labels = roster.column_labels()
    header = [labels[name] for name in roster.COLUMNS]
    if kind == "csv":
        body = ("\ufeff" + ",".join(header) + "\r\n").encode("utf-8")
        response = Response(body, mimetype="text/csv; charset=utf-8")
    else:
        response = Response(
            _template_xlsx(header),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response.headers["Content-Disposition"] = f'attachment; filename="roster-template.{kind}"'
    return response


def _template_xlsx(header: list[str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Learners")[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (30, 26, 12, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    # text cells: Excel keeps the leading 0 of 0912345678
    for row in range(2, 1002):
        sheet.cell(row=row, column=2).number_format = "@"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@bp.route("/classes/<int:class_id>/sheets/<int:sheet_id>.pdf")
@teacher_required
def password_sheet(class_id: int, sheet_id: int):  # noqa: ANN201
    from lms.classes.pdf import password_sheet_pdf

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
def delete_sheet(class_id: int, sheet_id: int):  # noqa: ANN201
    _classroom, sheet = of_class_or_404(PasswordSheet, class_id, sheet_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    db.session.delete(sheet)
    db.session.commit()
    flash(_("The password sheet was deleted."), "success")
    return redirect(url_for(".roster", class_id=class_id))


@bp.route("/classes/<int:class_id>/passwords", methods=["POST"])
@teacher_required
def new_passwords(class_id: int):  # noqa: ANN201
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
