"""The officials' page of ambassadors: the ambassadors of their unit ranked, and the role given or taken."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from lms.accounts.auth import current_user, roles_required
from lms.accounts.forms import EmptyForm
from lms.accounts.models import User
from lms.accounts.services import find_by_login
from lms.ambassadors import services
from lms.ambassadors.blueprint import bp
from lms.ambassadors.forms import GrantForm
from lms.ambassadors.progress import ranking
from lms.db import db
from lms.i18n import _


def _page(form: GrantForm, status: int = 200) -> ResponseReturnValue:
    official = current_user()
    rows = ranking(official.unit, everywhere=official.has_role("admin"))
    return render_template("lms/ambassadors/ranking.html", rows=rows, form=form, action_form=EmptyForm(),
                           unit=official.unit), status


@bp.route("/ambassadors", methods=["GET"])
@roles_required("official", "admin")
def ranking_page() -> ResponseReturnValue:
    return _page(GrantForm())


@bp.route("/ambassadors", methods=["POST"])
@roles_required("official", "admin")
def grant() -> ResponseReturnValue:
    official = current_user()
    form = GrantForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    person = find_by_login(form.login.data)
    if not services.may_grant(official, person):
        # the same words whether the account is unknown or outside the official's unit
        form.login.errors = [_("No account of a commune of your unit has this phone number or username.")]
        return _page(form, 422)
    services.grant(official, person)
    db.session.commit()
    flash(_("%(name)s is now a digital ambassador of %(unit)s.", name=person.full_name, unit=person.unit.name),
          "success")
    return redirect(url_for("lms_ambassadors.ranking_page"))


@bp.route("/ambassadors/<int:user_id>/withdraw", methods=["POST"])
@roles_required("official", "admin")
def withdraw(user_id: int) -> ResponseReturnValue:
    official = current_user()
    person = db.session.get(User, user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if person is None or not person.has_role(services.ROLE) or not services.may_grant(official, person):
        abort(404)
    services.withdraw(official, person)
    db.session.commit()
    flash(_("%(name)s is no longer a digital ambassador.", name=person.full_name), "success")
    return redirect(url_for("lms_ambassadors.ranking_page"))
