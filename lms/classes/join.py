"""The learner's side of a join code: /join (type the code) and /join/<code> (from the QR).

Signed out, the learner is sent to sign in or register and comes back here (``?next=``);
signed in, one button puts them in the class. Joining is a POST (with the CSRF token).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lms.accounts.auth import current_user, login_required
from lms.accounts.forms import EmptyForm
from lms.classes import services
from lms.classes.blueprint import join_bp as bp
from lms.classes.forms import ORGANISATION_LABELS, JoinCodeForm
from lms.i18n import _


@bp.route("/join", methods=["GET", "POST"])
def find() -> ResponseReturnValue:
    form = JoinCodeForm()
    if form.validate_on_submit():
        classroom = services.by_join_code(form.code.data)
        if classroom is not None:
            return redirect(url_for(".join", code=classroom.join_code))
        form.code.errors = [_("No class has this code. Check it and try again.")]
    status = 422 if request.method == "POST" else 200
    return render_template("lms/classes/join_find.html", form=form), status


@bp.route("/join/<code>")
def join(code: str) -> ResponseReturnValue:
    classroom = services.by_join_code(code)
    if classroom is None:
        abort(404)
    if classroom.join_code != code:
        return redirect(url_for(".join", code=classroom.join_code))
    user = current_user()
    member = user is not None and services.active_enrollment(classroom.id, user.id) is not None
    return render_template(
        "lms/classes/join_class.html",
        classroom=classroom,
        form=EmptyForm(),
        member=member,
        ended=services.has_ended(classroom),
        next_url=url_for(".join", code=classroom.join_code),
        organisation_kind=ORGANISATION_LABELS.get(classroom.organisation_kind or ""),
    )


@bp.route("/join/<code>", methods=["POST"])
@login_required
def join_post(code: str) -> ResponseReturnValue:
    classroom = services.by_join_code(code)
    if classroom is None:
        abort(404)
    try:
        joined = services.join_class(classroom, current_user())
    except services.ClassError as error:
        flash(error.message, "error")
        return redirect(url_for(".join", code=classroom.join_code))
    if joined:
        flash(_('You are now in the class "%(name)s".', name=classroom.name), "success")
    else:
        flash(_("You are already in this class."), "info")
    return redirect(url_for("lms_home.home"))
