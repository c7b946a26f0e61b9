"""Teacher pages under /teach: the class list, creating and editing a class, its progress table,
the gradebook files, the join code and its poster.

A learner's page, the teacher's actions and the essays are in :mod:`lms.classes.learner_views`,
roster pages in :mod:`lms.classes.roster_views`, the learner's join pages in
:mod:`lms.classes.join`. Views stay thin: the work is in services, enroll, progress, actions.
"""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lms.accounts.auth import current_user
from lms.accounts.forms import EmptyForm
from lms.classes import actions, gradebook, reminders, services
from lms.classes.access import class_or_404, site_host, teacher_required
from lms.classes.blueprint import bp
from lms.classes.display import Formats
from lms.classes.forms import ClassForm
from lms.classes.models import Classroom
from lms.classes.progress import SORTS, STATUSES, STUCK_DAYS, class_progress, filter_rows, sort_rows
from lms.clock import local_today
from lms.courses.services import active_courses
from lms.db import now_utc
from lms.i18n import _
from lms.printing.qr import make_qr_svg
from lms.units.services import by_code, provinces, units_below
from lms.web.choices import choices
from lms.web.formatting import current_locale
from lms.web.urls import public_url


@bp.route("/")
@teacher_required
def index() -> ResponseReturnValue:
    classes = services.visible_classes(current_user())
    counts = services.learner_counts([c.id for c in classes])
    return render_template(
        "lms/classes/index.html",
        classes=classes,
        counts=counts,
        show_teacher=services.is_admin(current_user()),
    )


def _fill_units(form: ClassForm) -> None:
    form.province.choices = choices([("", _("— choose —"))] + [(u.code, u.name) for u in provinces()])
    communes = units_below(form.province.data) if form.province.data else []
    form.commune.choices = choices([("", _("— choose —"))] + [(u.code, u.name) for u in communes])


def _class_data(form: ClassForm) -> services.ClassData:
    unit = by_code(form.commune.data or form.province.data or None)
    return services.ClassData(
        name=form.name.data,
        audience=form.audience.data or None,
        unit_id=unit.id if unit else None,
        organisation_kind=form.organisation_kind.data or None,
        organisation=form.organisation.data or "",
        uses_path=form.course_mode.data == "path",
        course_ids=list(form.courses.data or []),
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
    )


def _class_form(form: ClassForm, classroom: Classroom | None) -> ResponseReturnValue:
    form.fill_choices()
    _fill_units(form)
    courses = active_courses()
    form.courses.choices = choices((c.id, c.title_in(_locale())) for c in courses)
    if form.pick_province.data:
        return render_template("lms/classes/class_form.html", form=form, classroom=classroom)
    if form.validate_on_submit():
        known = {c.id for c in courses}
        form.courses.data = [cid for cid in form.courses.data or [] if cid in known]
        if classroom is None:
            classroom = services.create_class(current_user(), _class_data(form))
            flash(_("The class is ready. Now add its learners."), "success")
            return redirect(url_for(".roster", class_id=classroom.id))
        services.update_class(classroom, _class_data(form), current_user())
        flash(_("Saved."), "success")
        return redirect(url_for(".progress", class_id=classroom.id))
    status = 422 if request.method == "POST" else 200
    return render_template("lms/classes/class_form.html", form=form, classroom=classroom), status


def _locale() -> str:
    return current_locale()


@bp.route("/classes/new", methods=["GET", "POST"])
@teacher_required
def new_class() -> ResponseReturnValue:
    return _class_form(ClassForm(), None)


@bp.route("/classes/<int:class_id>/edit", methods=["GET", "POST"])
@teacher_required
def edit_class(class_id: int) -> ResponseReturnValue:
    classroom = class_or_404(class_id)
    form = ClassForm()
    if request.method == "GET":
        form = ClassForm(
            name=classroom.name,
            audience=classroom.audience or "",
            organisation=classroom.organisation,
            organisation_kind=classroom.organisation_kind or "",
            starts_on=classroom.starts_on,
            ends_on=classroom.ends_on,
            course_mode="path" if classroom.uses_path else "chosen",
            courses=[c.id for c in services.class_courses(classroom)] if not classroom.uses_path else [],
            province=classroom.unit.province_code if classroom.unit else "",
            commune=classroom.unit.code if classroom.unit and classroom.unit.level == "commune" else "",
        )
    return _class_form(form, classroom)


@bp.route("/classes/<int:class_id>/")
@teacher_required
def progress(class_id: int) -> ResponseReturnValue:
    classroom = class_or_404(class_id)
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    sort = request.args.get("sort") if request.args.get("sort") in SORTS else "name"
    descending = request.args.get("dir") == "desc"
    table = class_progress(classroom)
    rows = sort_rows(filter_rows(table.rows, status), sort, descending)
    learner_url = url_for(".learner", class_id=classroom.id, user_id=0).rsplit("/", 1)[0] + "/"
    return render_template(
        "lms/classes/class.html",
        fmt=Formats(),
        learner_url=learner_url,
        classroom=classroom,
        table=table,
        rows=rows,
        counts=table.counts(),
        status=status,
        sort=sort,
        descending=descending,
        essays=actions.pending_essay_count(classroom),
        behind=len(reminders.behind(table, now_utc(), _idle_days())),
        path_url=url_for("lms_certificates.show", code="X").rsplit("/", 1)[0] + "/",
    )


def _idle_days() -> int:
    return int(current_app.config.get("LMS_STUCK_DAYS", STUCK_DAYS))


@bp.route("/classes/<int:class_id>/reminders")
@teacher_required
def reminders_page(class_id: int) -> ResponseReturnValue:
    """Learners who are behind, with a number to call; the rule is said on the page."""
    classroom = class_or_404(class_id)
    table = class_progress(classroom)
    return render_template(
        "lms/classes/reminders.html",
        classroom=classroom,
        items=reminders.behind(table, now_utc(), _idle_days()),
        courses=len(table.courses),
        days=_idle_days(),
        fmt=Formats(),
        reason=reminders.reason_text,
        learner_url=url_for(".learner", class_id=classroom.id, user_id=0).rsplit("/", 1)[0] + "/",
    )


@bp.route("/classes/<int:class_id>/reminders.csv")
@teacher_required
def reminders_csv(class_id: int) -> ResponseReturnValue:
    classroom = class_or_404(class_id)
    table = class_progress(classroom)
    items = reminders.behind(table, now_utc(), _idle_days())
    fmt = Formats()
    body = reminders.to_csv(items, {i.row.user_id: fmt.day(i.row.last_activity) for i in items}, len(table.courses))
    # content_type, not mimetype: the charset is written once
    response = Response(body, content_type="text/csv; charset=utf-8")
    stem = gradebook.file_stem(classroom, local_today().isoformat())
    response.headers["Content-Disposition"] = f'attachment; filename="nhac-hoc-{stem}.csv"'
    response.headers["Cache-Control"] = "private, no-store"  # names and phone numbers
    return response


@bp.route("/classes/<int:class_id>/gradebook.<any(csv, xlsx):kind>")
@teacher_required
def gradebook_file(class_id: int, kind: str) -> ResponseReturnValue:
    classroom = class_or_404(class_id)
    table = class_progress(classroom)
    stem = gradebook.file_stem(classroom, local_today().isoformat())
    if kind == "csv":
        body, mimetype = gradebook.to_csv(table), "text/csv; charset=utf-8"
    else:
        body = gradebook.to_xlsx(table, classroom)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, content_type=mimetype)  # content_type: the charset written once
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{kind}"'
    return response


@bp.route("/classes/<int:class_id>/join-code")
@teacher_required
def join_code(class_id: int) -> ResponseReturnValue:
    classroom = class_or_404(class_id)
    url = public_url("lms_join.join", code=classroom.join_code)
    return render_template(
        "lms/classes/join_code.html",
        classroom=classroom,
        url=url,
        host=site_host(),
        form=EmptyForm(),
        code=services.format_join_code(classroom.join_code),
        qr_svg=make_qr_svg(url, label=_("QR code to join")),
        ended=services.has_ended(classroom),
    )


@bp.route("/classes/<int:class_id>/join-code", methods=["POST"])
@teacher_required
def rotate_join_code(class_id: int) -> ResponseReturnValue:
    classroom = class_or_404(class_id)
    services.rotate_join_code(classroom, current_user())
    flash(_("New code made. Posters with the old code no longer work: print the new one."), "success")
    return redirect(url_for(".join_code", class_id=class_id))


@bp.route("/classes/<int:class_id>/poster.pdf")
@teacher_required
def poster(class_id: int) -> ResponseReturnValue:
    from lms.classes.pdf import join_poster_pdf  # WeasyPrint and the fonts load on the first PDF, not in every worker

    classroom = class_or_404(class_id)
    data = join_poster_pdf(
        class_name=classroom.name,
        organisation=classroom.organisation,
        code=services.format_join_code(classroom.join_code),
        join_url=public_url("lms_join.join", code=classroom.join_code),
        short_url=site_host(),
        site_name=current_app.config["LMS_SITE_NAME"],
    )
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="poster-{classroom.join_code}.pdf"'
    return response

