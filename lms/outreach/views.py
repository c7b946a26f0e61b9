"""Recording outreach activities: the list of the user's units' activities, the form to record
or change one, deleting one. Thin: rules in ``services``.

An activity outside the user's units answers 404 (it cannot be told to exist); a unit outside
them, named in a form or a list's address, answers 403 and changes nothing."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lms.accounts.auth import current_user, roles_required
from lms.accounts.forms import EmptyForm
from lms.clock import local_today
from lms.coverage.access import units_within
from lms.i18n import _
from lms.outreach import present, services
from lms.outreach.blueprint import bp
from lms.outreach.forms import ActivityForm
from lms.outreach.kinds import KINDS, kind_label
from lms.outreach.models import OutreachActivity
from lms.outreach.periods import Period, PeriodError, parse_period
from lms.units.services import by_code

STAFF = ("official", "admin")


def _scope_from_args():
    """The unit whose activities a list shows: ``unit`` in the address, else the user's own unit
    (an admin without one: every unit). 403 for a unit outside the user's."""
    user = current_user()
    code = request.args.get("unit", "").strip()[:12]
    unit = by_code(code) if code else user.unit
    if code and unit is None:
        abort(404)
    if not services.may_report(user, unit):
        abort(403)
    return unit


def _list_period() -> tuple[Period | None, str | None]:
    """The list shows the current year unless the address names a period."""
    today = local_today()
    args = request.args if request.args.get("period") else {"period": "year", "year": str(today.year)}
    try:
        return parse_period(args, today), None
    except PeriodError as error:
        return Period("year", date(today.year, 1, 1), date(today.year, 12, 31)), str(error)


@bp.route("/")
@roles_required(*STAFF)
def activity_list() -> ResponseReturnValue:
    user = current_user()
    if user.unit is None and not user.has_role("admin"):
        return render_template("lms/outreach/no_unit.html"), 200
    unit = _scope_from_args()
    period, problem = _list_period()
    kind = request.args.get("kind", "")
    page = max(request.args.get("page", 1, type=int), 1)
    activities, total = services.list_activities(unit, period.start, period.end, page, kind or None)
    pages = max(1, -(-total // services.PAGE_SIZE))
    args = {"unit": unit.code if unit is not None else None, **period.args(), "kind": kind or None}
    return render_template("lms/outreach/list.html", unit=unit, period=period, problem=problem, p=present,
                           activities=activities, total=total, page=min(page, pages), pages=pages, kinds=KINDS,
                           kind=kind, kind_label=kind_label, args={k: v for k, v in args.items() if v},
                           delete_form=EmptyForm(), scope_units=units_within(user.unit)), 400 if problem else 200


def _unit_options(user) -> list | None:
    """The units an official may pick from (their own and every unit below); None for an admin,
    who may record for any unit and types its code."""
    return None if user.has_role("admin") else units_within(user.unit)


def _save(form: ActivityForm, activity: OutreachActivity | None) -> ResponseReturnValue | None:
    """Check and save a posted form; a redirect when saved, None when the form shows its errors."""
    user = current_user()
    code = (form.unit.data or "").strip()[:12]
    unit = by_code(code)
    if unit is None:
        form.unit.errors = [_("Unknown unit code “%(code)s”.", code=code)]
        return None
    if not services.may_record(user, unit):
        abort(403)  # an official records for their own unit and the units below it only
    data = services.ActivityData(unit, form.kind.data or "", form.starts_on.data, form.ends_on.data,
                                 form.reached.data, form.note.data or "")
    try:
        if activity is None:
            services.record(data, user)
            flash(_("The activity is recorded."), "success")
        else:
            services.update(activity, data, user)
            flash(_("The activity is saved."), "success")
    except services.OutreachError as error:
        getattr(form, error.field).errors = [str(error)]
        return None
    return redirect(url_for(".activity_list", unit=unit.code))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def activity_new() -> ResponseReturnValue:
    user = current_user()
    if user.unit is None and not user.has_role("admin"):
        return render_template("lms/outreach/no_unit.html"), 200
    form = ActivityForm()
    if request.method == "GET":
        code = request.args.get("unit", "").strip()[:12]
        form.unit.data = code or (user.unit.code if user.unit is not None else "")
        form.starts_on.data = local_today()
    if form.validate_on_submit():
        saved = _save(form, None)
        if saved is not None:
            return saved
    status = 422 if request.method == "POST" else 200
    return render_template("lms/outreach/form.html", form=form, activity=None, unit_options=_unit_options(user),
                           kind_label=kind_label), status


@bp.route("/<int:activity_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF)
def activity_edit(activity_id: int) -> ResponseReturnValue:
    user = current_user()
    activity = services.activity_for(user, activity_id)
    if activity is None:
        abort(404)
    form = ActivityForm(obj=activity if request.method == "GET" else None)
    if request.method == "GET":
        form.unit.data = activity.unit.code
    if form.validate_on_submit():
        saved = _save(form, activity)
        if saved is not None:
            return saved
    status = 422 if request.method == "POST" else 200
    return render_template("lms/outreach/form.html", form=form, activity=activity,
                           unit_options=_unit_options(user), kind_label=kind_label, delete_form=EmptyForm()), status


@bp.post("/<int:activity_id>/delete")
@roles_required(*STAFF)
def activity_delete(activity_id: int) -> ResponseReturnValue:
    user = current_user()
    activity = services.activity_for(user, activity_id)
    if activity is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    code = activity.unit.code
    services.remove(activity, user)
    flash(_("The activity is deleted."), "success")
    return redirect(url_for(".activity_list", unit=code))
