"""The household page: my household (members, whether it is a gia đình số, invitations sent, the code),
the invitations I received, and joining with a code. Every change is a POST with the CSRF token;
an invitation or member that is not the person's own is a 404 and changes nothing."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lms.accounts.auth import current_user, login_required
from lms.accounts.forms import EmptyForm
from lms.households import limits, services
from lms.households.blueprint import bp
from lms.households.forms import CodeForm, InviteForm
from lms.households.listeners import household_box
from lms.i18n import _


def _page(status: int = 200, invite_form: InviteForm | None = None,
          code_form: CodeForm | None = None) -> ResponseReturnValue:
    user = current_user()
    return render_template(
        "lms/households/household.html", form=EmptyForm(), invite_form=invite_form or InviteForm(),
        code_form=code_form or CodeForm(), **household_box(user),
    ), status


def _back() -> ResponseReturnValue:
    return redirect(url_for(".household"))


def _too_many() -> ResponseReturnValue:
    flash(_("Too many tries from your account. Please try again later."), "error")
    return _page(429)


@bp.route("", endpoint="household")
@login_required
def household_page() -> ResponseReturnValue:
    return _page()


@bp.post("/invite")
@login_required
def invite() -> ResponseReturnValue:
    form = InviteForm()
    if not form.validate_on_submit():
        return _page(422, invite_form=form)
    user = current_user()
    if not limits.may_try(user.id):
        return _too_many()
    try:
        services.invite(user, form.login.data)
    except services.HouseholdError as error:
        flash(error.message, "error")
        return _back()
    # the same words whoever was typed: the page never says whether a number has an account
    flash(_("If this phone number or username belongs to someone, they will see your invitation on their "
            "page and can accept or decline it."), "info")
    return _back()


@bp.post("/invitations/<int:invitation_id>")
@login_required
def answer(invitation_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    user = current_user()
    invitation = services.own_invitation(user, invitation_id)
    if invitation is None:
        abort(404)
    choice = request.form.get("answer")
    if choice == "yes":
        try:
            services.accept(invitation, user)
        except services.HouseholdError as error:
            flash(error.message, "error")
            return _back()
        flash(_("You are now a member of the household."), "success")
    elif choice == "no":
        services.decline(invitation, user)
        flash(_("You declined the invitation."), "info")
    else:
        abort(400)
    return _back()


@bp.post("/invitations/<int:invitation_id>/withdraw")
@login_required
def withdraw(invitation_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not services.withdraw(current_user(), invitation_id):
        abort(404)
    flash(_("The invitation was withdrawn."), "info")
    return _back()


@bp.post("/members/<int:user_id>/remove")
@login_required
def remove(user_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not services.remove(current_user(), user_id):
        abort(404)
    flash(_("The member was removed from the household."), "info")
    return _back()


@bp.post("/leave")
@login_required
def leave() -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    if services.leave(current_user()):
        flash(_("You left the household."), "info")
    return _back()


@bp.post("/code")
@login_required
def new_code() -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.new_code(current_user())
    flash(_("New code made. The old code no longer works."), "success")
    return _back()


@bp.post("/join")
@login_required
def join() -> ResponseReturnValue:
    form = CodeForm()
    if not form.validate_on_submit():
        return _page(422, code_form=form)
    user = current_user()
    if not limits.may_try(user.id):
        return _too_many()
    try:
        services.join_with_code(user, form.code.data)
    except services.HouseholdError as error:
        form.code.errors = [error.message]
        return _page(422, code_form=form)
    flash(_("You are now a member of the household."), "success")
    return _back()
