"""Pages of the coverage package: the dashboard, exports, the public summary, data and targets.

Thin: figures come from ``report.build_report``, formatting from ``present``.
"""

from __future__ import annotations

import time

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lms.accounts.auth import current_user, roles_required
from lms.accounts.forms import EmptyForm
from lms.clock import local_today
from lms.coverage import exports, present, targets
from lms.coverage.access import editable_provinces, may_edit, units_within
from lms.coverage.blueprint import bp
from lms.coverage.forms import TargetForm, UnitDataForm
from lms.coverage.models import INDICATORS, POPULATIONS, Target
from lms.coverage.report import SORT_KEYS, build_report, default_date, furthest_behind, search_rows, sort_rows
from lms.coverage.selection import FIRST_YEAR, report_is_a_job
from lms.coverage.selection import selection as _selection
from lms.coverage.text import fold
from lms.coverage.unit_data import UnitData, read_unit_data, save_unit_data
from lms.db import db, reads_from_replica
from lms.i18n import _
from lms.units.models import AdminUnit
from lms.units.services import ancestors, by_code, children, provinces
from lms.web.choices import choices
from lms.web.formatting import current_locale
from lms.web.urls import public_url

STAFF = ("official", "admin")
PUBLIC_CACHE_SECONDS = 300
PAGE_SIZE = 15
_public_cache: dict[tuple, tuple[float, object]] = {}


def _args(unit: AdminUnit | None, year: int, on: str | None = None) -> dict:
    """The current selection as URL parameters, for links that keep it (sorting, exports)."""
    args = {"unit": unit.code if unit else None, "year": year, "on": on or None}
    return {key: value for key, value in args.items() if value}


def _years() -> list[int]:
    return list(range(FIRST_YEAR, local_today().year + 2))


@bp.route("/")
@roles_required(*STAFF)
@reads_from_replica
def dashboard() -> ResponseReturnValue:
    unit, year, on = _selection()
    report = build_report(unit, year, on)
    indicator = request.args.get("ind", "all")
    indicator = indicator if indicator in (*INDICATORS[:4], "all") else "all"
    sort = request.args.get("sort", "name")
    descending = request.args.get("dir") == "desc"
    query = request.args.get("q", "").strip()[:60]
    found = search_rows(report.children, query, fold)
    rows = sort_rows(found, sort, descending, indicator)
    # a province has up to ~170 communes: a page of them at a time keeps the page short on a phone
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    return render_template(
        "lms/coverage/dashboard.html", report=report, rows=rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE],
        total=len(rows), page=page, pages=pages, query=query, p=present, indicator=indicator,
        behind=furthest_behind(report.children, indicator) if not query else [],
        editable=unit is not None and may_edit(current_user(), unit),
        sort=sort if sort in SORT_KEYS else "name", descending=descending, ancestors=ancestors(unit),
        provinces=provinces(), years=_years(), bar_svg=present.bar_svg(report),
        trend_svg=present.trend_svg(report),
        args=_args(unit, year, request.args.get("on")), exports_are_jobs=report_is_a_job(unit),
    )


@bp.route("/export.<fmt>")
@roles_required(*STAFF)
@reads_from_replica
def export(fmt: str) -> ResponseReturnValue:
    if fmt not in exports.FORMATS:
        abort(404)
    report = build_report(*_selection())
    # export.csv is for a person (their language and decimals); export-codes.csv for a program
    response = Response(exports.render(report, fmt, display=True), mimetype=exports.FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{exports.filename(report, fmt)}"'
    return response


@bp.route("/export-codes.csv")
@roles_required(*STAFF)
def export_codes() -> ResponseReturnValue:
    """The CSV with machine codes, dot decimals and ISO dates (columns: ``exports.CSV_COLUMNS``)."""
    report = build_report(*_selection())
    response = Response(exports.csv_bytes(report), mimetype=exports.FORMATS["csv"])
    name = exports.filename(report, "csv").replace(".csv", "_codes.csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/public")
@reads_from_replica
def public() -> ResponseReturnValue:
    """Totals only (no names, no units below): anyone may see how far the movement has come.

    Always as of today (or 31 December of a past year): a chosen date would let anyone make
    the server count the whole country again with each new date."""
    unit, year, _on = _selection()
    on = default_date(year, local_today())
    key = (unit.code if unit else "", year, on)
    cached = _public_cache.get(key)
    if cached is None or cached[0] < time.monotonic():
        if len(_public_cache) > 256:
            _public_cache.clear()
        # a public page must not cost a full count per visit: figures may be 5 minutes old
        cached = (time.monotonic() + PUBLIC_CACHE_SECONDS, build_report(unit, year, on))
        _public_cache[key] = cached
    report = cached[1]
    args = _args(unit, year)
    share = {  # the card a chat app shows for this page's link: totals only, as on the page
        "title": present.report_title(report), "description": present.share_description(report),
        "url": public_url("lms_coverage.public", **args), "image": public_url("lms.static", filename="share.png"),
        "site_name": current_app.config["LMS_SITE_NAME"], "locale": current_locale(),
    }
    return render_template("lms/coverage/public.html", report=report, p=present, provinces=provinces(),
                           years=_years(), bar_svg=present.bar_svg(report), args=args, share=share)


@bp.route("/data", methods=["GET", "POST"])
@roles_required(*STAFF)
def unit_data() -> ResponseReturnValue:
    """Populations (baselines) and the reported VNeID figure of one unit for one year.

    The form is rendered only for a unit the user may change: an official never types a whole
    province's figures into a form that the server then refuses (other units are shown read-only)."""
    unit, year, _on = _selection()
    user = current_user()
    if unit is None:
        if not user.has_role("admin") and user.unit is not None:
            return redirect(url_for(".unit_data", unit=user.unit.code, year=year))
        return render_template("lms/coverage/data_pick.html", provinces=editable_provinces(user),
                               years=_years(), year=year)
    editable = may_edit(user, unit)
    if request.method == "POST" and not editable:
        abort(403)
    saved = read_unit_data(unit, year)
    if not editable:
        return render_template("lms/coverage/data.html", form=None, saved=saved, unit=unit, year=year,
                               years=_years(), children=[], ancestors=ancestors(unit), own_unit=user.unit,
                               can_edit=lambda other: may_edit(user, other))
    form = UnitDataForm()
    if request.method == "GET":
        for group in POPULATIONS:
            getattr(form, group).data = saved.populations[group]
        form.source.data = saved.source
        form.vneid.data = saved.vneid
        form.vneid_reported_on.data = saved.vneid_reported_on
    if form.validate_on_submit():
        typed = UnitData(populations={group: getattr(form, group).data for group in POPULATIONS},
                         source=form.source.data or "", vneid=form.vneid.data,
                         vneid_reported_on=form.vneid_reported_on.data)
        save_unit_data(unit, year, typed, user)
        flash(_("Saved."), "success")
        return redirect(url_for(".unit_data", unit=unit.code, year=year))
    # a refused form is rendered from what was posted: every typed value stays in its field
    status = 422 if request.method == "POST" else 200
    return render_template("lms/coverage/data.html", form=form, saved=saved, unit=unit, year=year,
                           years=_years(), children=children(unit), ancestors=ancestors(unit),
                           own_unit=user.unit, can_edit=lambda other: may_edit(user, other)), status


@bp.route("/targets", methods=["GET", "POST"])
@roles_required(*STAFF)
def target_list() -> ResponseReturnValue:
    year = request.args.get("year", type=int) or local_today().year
    if not 2000 <= year <= 2100:  # the targets' range; a larger int would overflow the column
        abort(400, description=_("Please check the year."))
    form = TargetForm()
    form.indicator.choices = choices((code, present.indicator_label(code)) for code in INDICATORS)
    if request.method == "GET":
        form.year.data = year
    status = 200
    if form.validate_on_submit():
        code = (form.unit_code.data or "").strip()
        unit = by_code(code) if code else None
        if code and unit is None:
            form.unit_code.errors = [_("Unknown unit code “%(code)s”.", code=code)]
            status = 422
        elif not may_edit(current_user(), unit):
            abort(403)
        else:
            try:
                targets.save_target(form.indicator.data, form.year.data, float(form.value.data),
                                    kind=form.kind.data, unit=unit, source=form.source.data or "",
                                    actor=current_user())
            except targets.TargetError as error:
                form.value.errors = [str(error)]
                status = 422
            else:
                flash(_("Target saved."), "success")
                return redirect(url_for(".target_list", year=form.year.data))
    elif request.method == "POST":
        status = 422
    user = current_user()
    # an official picks among the units they may change: no form offers what the server refuses
    options = None if user.has_role("admin") else units_within(user.unit)
    return render_template("lms/coverage/targets.html", form=form, rows=targets.year_targets(year), year=year,
                           years=_years(), p=present, delete_form=EmptyForm(), unit_options=options,
                           can_edit=lambda unit: may_edit(user, unit)), status


@bp.post("/targets/<int:target_id>/delete")
@roles_required(*STAFF)
def target_delete(target_id: int) -> ResponseReturnValue:
    form = EmptyForm()
    year = request.args.get("year", type=int)
    target = db.session.get(Target, target_id)
    if target is not None and not may_edit(current_user(), db.session.get(AdminUnit, target.unit_id)
                                           if target.unit_id else None):
        abort(403)
    if form.validate_on_submit() and targets.remove_target(target_id, current_user()):
        flash(_("The unit's own target was removed; the one above it applies again."), "success")
    return redirect(url_for(".target_list", year=year))
