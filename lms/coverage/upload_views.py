"""Uploading populations and VNeID figures through the web: template, preview, confirm.

Rules live in ``upload`` (the command line's checks, plus the official's scope); these views
read the request, authorise and render.
"""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import FileField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from lms.accounts.auth import current_user, roles_required
from lms.clock import local_today
from lms.coverage import upload
from lms.coverage.access import may_edit
from lms.coverage.blueprint import bp
from lms.i18n import _, _l
from lms.units.models import AdminUnit
from lms.units.services import by_code
from lms.web.choices import choices
from lms.web.inputs import body_limit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ROWS = 300  # the preview lists problems first, then this many rows in all


class UploadForm(FlaskForm):
    kind = SelectField(_l("What the file holds"), choices=choices([
        ("baselines", _l("Populations (baselines)")), ("vneid", _l("Adults confirmed on VNeID"))]))
    upload = FileField(_l("File (CSV or Excel .xlsx)"))
    source = StringField(_l("Source of the populations"), validators=[Optional(), Length(max=120)])
    submit = SubmitField(_l("Check the file"))


class ConfirmForm(FlaskForm):
    token = HiddenField()
    submit = SubmitField(_l("Import the valid rows"))


def _scope() -> tuple[AdminUnit | None, int]:
    """The unit whose figures (and whose units below) the upload may change; 403 otherwise."""
    code = request.args.get("unit", "").strip()
    unit = by_code(code) if code else None
    if code and unit is None:
        abort(404)
    user = current_user()
    if unit is None and not user.has_role("admin"):
        unit = user.unit
        if unit is None:
            abort(403)
    if not may_edit(user, unit) and not (unit is None and user.has_role("admin")):
        abort(403)
    year = request.args.get("year", type=int) or local_today().year
    if not 2000 <= year <= 2100:
        abort(400, description=_("Please check the year."))
    return unit, year


def _read(form: UploadForm) -> bytes:
    storage = form.upload.data
    if storage is None or not getattr(storage, "filename", ""):
        raise upload.UploadError(_("Please choose a file."))
    limit = int(current_app.config["LMS_ROSTER_MAX_BYTES"])
    data = storage.stream.read(limit + 1)
    if len(data) > limit:
        raise upload.UploadError(_("The file is larger than %(mb)d MB.", mb=limit // (1024 * 1024)))
    return data


@bp.route("/data/upload", methods=["GET", "POST"])
@body_limit("LMS_ROSTER_MAX_BYTES")
@roles_required("official", "admin")
def data_upload() -> ResponseReturnValue:
    unit, year = _scope()
    form = UploadForm()
    if request.method == "GET" and request.args.get("kind") in upload.KINDS:
        form.kind.data = request.args["kind"]
    problem, status = None, 200
    if form.validate_on_submit():
        try:
            lines = upload.read_table(_read(form), form.kind.data)
        except upload.UploadError as error:
            problem, status = str(error), 422
        else:
            result = upload.preview(form.kind.data, lines, unit)
            token = upload.sign(result, current_user(), unit, form.source.data or "")
            rows = sorted(result.rows, key=lambda r: (r["status"] != "error", r["line"]))[:SHOWN_ROWS]
            return render_template("lms/coverage/upload_preview.html", unit=unit, year=year, result=result,
                                   rows=rows, labels=upload.column_labels(result.kind),
                                   audience_label=upload.shown_audience,
                                   form=ConfirmForm(token=token)), (422 if result.count("error") else 200)
    elif request.method == "POST":
        status = 422
    return render_template("lms/coverage/upload.html", unit=unit, year=year, form=form, problem=problem,
                           labels=upload.column_labels), status


@bp.post("/data/upload/confirm")
@roles_required("official", "admin")
def data_upload_confirm() -> ResponseReturnValue:
    unit, year = _scope()
    form = ConfirmForm()
    payload = upload.unsign(form.token.data or "", current_user()) if form.validate_on_submit() else None
    if payload is None or payload["scope"] != (unit.code if unit else ""):
        abort(403)
    try:
        n = upload.apply(payload, unit, current_user())
    except upload.UploadError as error:
        flash(str(error), "error")
        return redirect(url_for(".data_upload", unit=unit.code if unit else None, year=year))
    flash(_("%(n)d rows imported.", n=n), "success")
    if unit is None:
        return redirect(url_for(".unit_data", year=year))
    return redirect(url_for(".unit_data", unit=unit.code, year=year))


@bp.route("/data/template-<any(baselines, vneid):kind>.<any(csv, xlsx):fmt>")
@roles_required("official", "admin")
def data_template(kind: str, fmt: str) -> ResponseReturnValue:
    """The file to fill in: every unit of the official's scope, numbers left empty."""
    unit, year = _scope()
    rows = upload.template_rows(kind, unit, year)
    if fmt == "csv":
        response = Response(upload.template_csv(rows), mimetype="text/csv")
    else:
        response = Response(upload.template_xlsx(rows), mimetype=XLSX)
    name = f"mau-{'dan-so' if kind == 'baselines' else 'vneid'}_{unit.code if unit else 'VN'}_{year}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
