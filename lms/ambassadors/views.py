"""The ambassador's pages: their people, registering a citizen, a card, acting as a citizen."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from lms.accounts.auth import current_user, roles_required
from lms.accounts.forms import EmptyForm
from lms.accounts.models import User
from lms.accounts.throttle import SignInLimits, blocked_message
from lms.ambassadors import services
from lms.ambassadors.acting import acting_state, start_acting, stop_acting
from lms.ambassadors.blueprint import bp
from lms.ambassadors.cards import issue_card, revoke_cards
from lms.ambassadors.forms import CitizenForm, ExistingForm
from lms.ambassadors.progress import ambassador_page
from lms.ambassadors.services import ROLE
from lms.db import db
from lms.i18n import _
from lms.printing.qr import make_qr_svg
from lms.web.urls import public_url

#: people beyond today's shown on the ambassador's page before "show everyone"
OTHERS_SHOWN = 30


@bp.app_context_processor
def _acting_banner() -> dict:
    """Every page of a browser acting for a citizen says so, with the way back (lms/base.html)."""
    return {"lms_acting": acting_state() is not None}


def _ambassador() -> User:
    user = current_user()
    if not services.is_ambassador(user):
        abort(403)  # the role without a commune acts for nobody
    return user


def _person(ambassador: User, user_id: int) -> User:
    """A person the ambassador may act for; 404 for anyone else (who exists is not told)."""
    citizen = db.session.get(User, user_id)
    if not services.may_act_for(ambassador, citizen):
        abort(404)
    return citizen


@bp.route("/ambassador", methods=["GET"])
@roles_required(ROLE)
def home() -> ResponseReturnValue:
    ambassador = _ambassador()
    page = ambassador_page(ambassador)
    # a phone shows the most recently helped; the rest on request (300 people are ~270 KB)
    limit = None if request.args.get("all") == "1" else OTHERS_SHOWN
    return render_template("lms/ambassadors/home.html", ambassador=ambassador, page=page,
                           others=page.others[:limit], form=EmptyForm())


@bp.route("/ambassador/register", methods=["GET", "POST"])
@roles_required(ROLE)
def register() -> ResponseReturnValue:
    ambassador = _ambassador()
    form = CitizenForm()
    if form.validate_on_submit():
        try:
            citizen = services.register_citizen(ambassador, services.NewCitizen(
                full_name=form.full_name.data, birth_year=form.birth_year.data, phone=form.phone.data))
        except services.AccountError as error:
            getattr(form, error.field).errors = [error.message]
            return render_template("lms/ambassadors/register.html", form=form), 422
        _show_card_once(citizen, issue_card(citizen, ambassador))
        db.session.commit()
        flash(_("%(name)s is registered. Show or print the card below.", name=citizen.full_name), "success")
        return redirect(url_for("lms_ambassadors.card", user_id=citizen.id))
    return render_template("lms/ambassadors/register.html", form=form), (422 if request.method == "POST" else 200)


@bp.route("/ambassador/add", methods=["GET", "POST"])
@roles_required(ROLE)
def add() -> ResponseReturnValue:
    """A citizen with an account asks for help: they type their own password on this device."""
    ambassador = _ambassador()
    form = ExistingForm()
    if form.validate_on_submit():
        try:
            citizen = services.add_existing(ambassador, form.login.data, form.password.data,
                                            request.remote_addr or "unknown",
                                            SignInLimits.from_config(current_app.config))
        except services.SignInBlocked as blocked:
            form.password.errors = [blocked_message(blocked.retry_after)]
            return render_template("lms/ambassadors/add.html", form=form), 429
        except services.AccountError as error:
            getattr(form, error.field).errors = [error.message]
            return render_template("lms/ambassadors/add.html", form=form), 422
        db.session.commit()
        flash(_("%(name)s is on your list.", name=citizen.full_name), "success")
        return redirect(url_for("lms_ambassadors.home"))
    return render_template("lms/ambassadors/add.html", form=form), (422 if request.method == "POST" else 200)


def _show_card_once(citizen: User, token: str) -> None:
    # the token travels to the next page in the signed cookie and is dropped when shown: the
    # database keeps only its hash, so a card is shown once (reprinting makes a new card)
    session["lms_new_card"] = {"user": citizen.id, "token": token}


@bp.route("/ambassador/people/<int:user_id>/card", methods=["GET"])
@roles_required(ROLE)
def card(user_id: int) -> ResponseReturnValue:
    citizen = _person(_ambassador(), user_id)
    fresh = session.get("lms_new_card")
    token = None
    if isinstance(fresh, dict) and fresh.get("user") == citizen.id:
        token = fresh.get("token")
        session.pop("lms_new_card", None)
    qr = url = None
    if isinstance(token, str):
        url = public_url("lms_ambassadors.card_sign_in", token=token)
        qr = make_qr_svg(url, label=_("Sign-in card QR code"), css_class="qr")
    return render_template("lms/ambassadors/card.html", citizen=citizen, qr=qr, url=url, form=EmptyForm())


@bp.route("/ambassador/people/<int:user_id>/card", methods=["POST"])
@roles_required(ROLE)
def new_card(user_id: int) -> ResponseReturnValue:
    ambassador = _ambassador()
    citizen = _person(ambassador, user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    _show_card_once(citizen, issue_card(citizen, ambassador))
    db.session.commit()
    flash(_("A new card is ready. The old card no longer works."), "success")
    return redirect(url_for("lms_ambassadors.card", user_id=citizen.id))


@bp.route("/ambassador/people/<int:user_id>/card/revoke", methods=["POST"])
@roles_required(ROLE)
def revoke_card(user_id: int) -> ResponseReturnValue:
    ambassador = _ambassador()
    citizen = _person(ambassador, user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    revoke_cards(citizen, ambassador)
    db.session.commit()
    flash(_("The card of %(name)s no longer works.", name=citizen.full_name), "success")
    return redirect(url_for("lms_ambassadors.home"))


@bp.route("/ambassador/people/<int:user_id>/act", methods=["POST"])
@roles_required(ROLE)
def act(user_id: int) -> ResponseReturnValue:
    """One tap: this device is now the citizen's, until "back to my list"."""
    ambassador = _ambassador()
    citizen = _person(ambassador, user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not start_acting(ambassador, citizen):
        abort(403)
    db.session.commit()  # the banner on every page says whom this device now works for
    return redirect(url_for("lms_home.home"))


@bp.route("/ambassador/back", methods=["POST"])
def back() -> ResponseReturnValue:
    # no login_required: a citizen who must first choose a password must not trap the ambassador
    if not EmptyForm().validate_on_submit():
        abort(400)
    if acting_state() is None:
        return redirect(url_for("lms_home.home"))
    resumed = stop_acting()
    db.session.commit()
    if not resumed:
        flash(_("Your own session has ended. Please sign in again."), "info")
        return redirect(url_for("lms_accounts.login"))
    return redirect(url_for("lms_ambassadors.home"))
