"""Signing in with a card (any phone, no account needed beforehand) and the citizen's own card page."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lms.accounts.auth import current_user, login_required, login_user
from lms.accounts.forms import EmptyForm
from lms.accounts.throttle import blocked_message
from lms.ambassadors import services
from lms.ambassadors.acting import acting_state, stop_acting
from lms.ambassadors.blueprint import bp
from lms.ambassadors.cards import active_card, revoke_cards, sign_in_with_card
from lms.ambassadors.forms import ChoosePasswordForm
from lms.db import db
from lms.i18n import _


@bp.route("/card/<token>", methods=["GET", "POST"])
def card_sign_in(token: str) -> ResponseReturnValue:
    """GET only asks (a link preview or a scan must not sign anyone in, nor learn whose card it
    is); the button signs in."""
    form = EmptyForm()
    if request.method == "GET":
        return render_template("lms/ambassadors/card_sign_in.html", form=form)
    if not form.validate_on_submit():
        abort(400)
    try:
        user = sign_in_with_card(token, request.remote_addr or "unknown", current_app.config)
    except services.SignInBlocked as blocked:
        response = current_app.make_response((render_template(
            "lms/ambassadors/card_sign_in.html", form=form, error=blocked_message(blocked.retry_after)), 429))
        response.headers["Retry-After"] = str(blocked.retry_after)
        return response
    if user is None:
        db.session.commit()
        return render_template("lms/ambassadors/card_sign_in.html", form=form,
                               error=_("This card does not work (it was replaced or ended). "
                                       "Ask your ambassador for a new one.")), 401
    login_user(user)
    db.session.commit()
    flash(_("Welcome, %(name)s!", name=user.full_name), "success")
    return redirect(url_for("lms_home.home"))


def _citizen():
    user = current_user()
    if not services.is_citizen(user):
        abort(403)
    return user


@bp.route("/my-card", methods=["GET"])
@login_required
def my_card() -> ResponseReturnValue:
    user = _citizen()
    return render_template("lms/ambassadors/my_card.html", user=user, card=active_card(user.id), form=EmptyForm(),
                           password_form=ChoosePasswordForm(), has_password=services.has_password(user))


@bp.route("/my-card/revoke", methods=["POST"])
@login_required
def my_card_revoke() -> ResponseReturnValue:
    user = _citizen()
    if not EmptyForm().validate_on_submit():
        abort(400)
    revoke_cards(user, user)
    db.session.commit()
    flash(_("Your card no longer works. An ambassador can make you a new one."), "success")
    return redirect(url_for("lms_ambassadors.my_card"))


@bp.route("/my-card/password", methods=["POST"])
@login_required
def my_password() -> ResponseReturnValue:
    user = _citizen()
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            services.choose_password(user, form.new_password.data, form.confirm.data,
                                     current_app.config["LMS_PASSWORD_MIN_LENGTH"])
        except services.AccountError as error:
            getattr(form, error.field).errors = [error.message]
        else:
            if acting_state() is not None:
                # chosen with an ambassador's help on their device: the device goes back to them
                stop_acting()
                db.session.commit()
                flash(_("The password of %(name)s has been saved.", name=user.full_name), "success")
                return redirect(url_for("lms_ambassadors.home"))
            login_user(user)  # choosing it ended every session of the account; this browser gets a new one
            db.session.commit()
            flash(_("Your password has been saved. You can also sign in with your phone number or username "
                    "and this password."), "success")
            return redirect(url_for("lms_ambassadors.my_card"))
    return render_template("lms/ambassadors/my_card.html", user=user, card=active_card(user.id), form=EmptyForm(),
                           password_form=form, has_password=services.has_password(user)), 422
