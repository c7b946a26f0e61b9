"""The learner's invitations page: the classes a teacher's roster invited them to, with "join" and
"do not join" (POSTs with the CSRF token). Registered on the ``lms_join`` blueprint."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lms.accounts.auth import current_user, login_required
from lms.accounts.forms import EmptyForm
from lms.classes import invitations, services
from lms.classes.blueprint import join_bp as bp
from lms.i18n import _
from lms.web.urls import safe_next


def _onward() -> ResponseReturnValue:
    """Back to the list while invitations remain, then where the person was going."""
    next_url = request.values.get("next", "")
    if invitations.has_pending(current_user()):
        return redirect(url_for(".invitations", next=next_url or None))
    return redirect(safe_next(next_url))


@bp.route("/invitations", endpoint="invitations")
@login_required
def invitations_page() -> ResponseReturnValue:
    items = invitations.pending(current_user())
    return render_template(
        "lms/classes/invitations.html",
        items=items,
        form=EmptyForm(),
        next_url=request.args.get("next", ""),
        done_url=safe_next(request.args.get("next")),
    )


@bp.route("/invitations/<int:invitation_id>", methods=["POST"])
@login_required
def answer_invitation(invitation_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    user = current_user()
    invitation = invitations.pending_one(user, invitation_id)
    if invitation is None:
        abort(404)
    name = invitation.classroom.name
    if request.form.get("answer") == "yes":
        try:
            invitations.accept(invitation, user)
        except services.ClassError as error:
            flash(error.message, "error")
            return _onward()
        flash(_('You are now in the class "%(name)s".', name=name), "success")
    elif request.form.get("answer") == "no":
        invitations.decline(invitation, user)
        flash(_('You did not join the class "%(name)s".', name=name), "info")
    else:
        abort(400)
    return _onward()
