"""Register, sign in, sign out, change password, profile."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from lms.accounts import services
from lms.accounts.auth import current_user, login_required, login_user, logout_user
from lms.accounts.blueprint import bp
from lms.accounts.forms import (
    ChangePasswordForm,
    EmailForm,
    EmptyForm,
    LoginForm,
    NewPasswordForm,
    PasswordCheckForm,
    ProfileForm,
    RegisterForm,
)
from lms.accounts.notices import flash_recovery_code
from lms.accounts.places import fill_unit_choices, prefill_unit
from lms.accounts.recovery import choose_first_password, issue_recovery_code
from lms.accounts.resetmail import MailSettings
from lms.accounts.throttle import SignInLimits, blocked_message
from lms.db import db
from lms.i18n import _
from lms.signals import after_sign_in, gather, page_context
from lms.units.services import by_code, units_below
from lms.web.urls import safe_next


@bp.route("/register", methods=["GET", "POST"])
def register() -> ResponseReturnValue:
    form = RegisterForm()
    if request.method == "GET" and request.args.get("audience"):
        form.audience.data = request.args["audience"]
    if request.method == "GET" and request.args.get("unit"):
        prefill_unit(form, request.args["unit"])  # a class's place, from its join poster
    fill_unit_choices(form)
    if form.pick_province.data:
        # no-JavaScript path: the page comes back with this province's communes
        return render_template("lms/accounts/register.html", form=form)
    if form.validate_on_submit():
        unit_code = form.commune.data or form.province.data or None
        if form.province.data and not form.commune.data and units_below(form.province.data):
            form.commune.errors = [_("Choose your commune or ward.")]
            return render_template("lms/accounts/register.html", form=form), 422
        try:
            user = services.register(
                services.Registration(
                    login=form.login.data, password=form.password.data, full_name=form.full_name.data,
                    birth_year=form.birth_year.data, audience=form.audience.data, unit_code=unit_code,
                    locale=session.get("lms_locale", current_app.config["LMS_DEFAULT_LOCALE"]),
                ),
                min_length=current_app.config["LMS_PASSWORD_MIN_LENGTH"],
            )
        except services.AccountError as error:
            getattr(form, error.field).errors = [error.message]
            return render_template("lms/accounts/register.html", form=form), 422
        code = issue_recovery_code(user)
        login_user(user)
        db.session.commit()
        flash(_("Welcome, %(name)s! Your account is ready.", name=user.full_name), "success")
        flash_recovery_code(code)
        return redirect(safe_next(request.args.get("next")))
    status = 422 if request.method == "POST" else 200
    return render_template("lms/accounts/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            user = services.sign_in(form.login.data, form.password.data, request.remote_addr or "unknown",
                                    SignInLimits.from_config(current_app.config))
        except services.SignInBlocked as blocked:
            form.password.errors = [blocked_message(blocked.retry_after)]
            response = current_app.make_response((render_template("lms/accounts/login.html", form=form), 429))
            response.headers["Retry-After"] = str(blocked.retry_after)
            return response
        if user is None:
            form.password.errors = [_("Wrong phone number, username or password.")]
            return render_template("lms/accounts/login.html", form=form), 401
        login_user(user)
        db.session.commit()
        if user.must_change_password:
            return redirect(url_for("lms_accounts.change_password"))
        # e.g. the classes a teacher's roster invited this person to (lms.classes.listeners)
        first = gather(after_sign_in, user=user, next_url=safe_next(form.next.data)).get("next_url")
        return redirect(first or safe_next(form.next.data))
    return render_template("lms/accounts/login.html", form=form), (422 if request.method == "POST" else 200)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    logout_user()
    db.session.commit()
    flash(_("You have signed out."), "info")
    return redirect(url_for("lms_home.home"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    user = current_user()
    if user.must_change_password:
        return _first_password(user)
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                user, form.old_password.data, form.new_password.data,
                min_length=current_app.config["LMS_PASSWORD_MIN_LENGTH"],
            )
        except services.AccountError as error:
            getattr(form, error.field).errors = [error.message]
            return render_template("lms/accounts/password.html", form=form), 422
        login_user(user)  # the change ended every session and token; this browser gets a new session
        db.session.commit()
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("lms_accounts.profile"))
    return render_template("lms/accounts/password.html", form=form)


def _first_password(user) -> ResponseReturnValue:
    """Signed in with a one-time password: only the new password, twice (the one-time password
    was just typed), then a recovery code and the learner's path."""
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            code = choose_first_password(user, form.new_password.data, form.confirm.data,
                                         current_app.config["LMS_PASSWORD_MIN_LENGTH"])
        except services.AccountError as error:
            getattr(form, error.field).errors = [error.message]
            return render_template("lms/accounts/first_password.html", form=form), 422
        login_user(user)  # choosing it ended every session and token; this browser gets a new session
        db.session.commit()
        flash(_("Your password has been saved. Welcome!"), "success")
        flash_recovery_code(code)
        first = gather(after_sign_in, user=user, next_url=url_for("lms_home.home")).get("next_url")
        return redirect(first or url_for("lms_home.home"))
    status = 422 if request.method == "POST" else 200
    return render_template("lms/accounts/first_password.html", form=form), status


@bp.route("/me", methods=["GET", "POST"])
@login_required
def profile() -> ResponseReturnValue:
    user = current_user()
    form = ProfileForm(locale=user.locale)
    if form.validate_on_submit():
        user.locale = form.locale.data
        session["lms_locale"] = user.locale
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("lms_accounts.profile"))
    return render_template(
        "lms/accounts/profile.html", user=user, form=form, logout_form=EmptyForm(),
        email_form=EmailForm(email=user.email or ""), code_form=PasswordCheckForm(),
        mail_on=MailSettings.from_config(current_app.config) is not None,
        unit=by_code(user.unit.code) if user.unit else None,
        **gather(page_context, page="profile", user=user),  # the certificates, from lms.certificates
    )


@bp.route("/me/tokens", methods=["GET"])
@login_required
def tokens():
    """The account's API tokens (apps signed in with its password), each with a revoke button."""
    user = current_user()
    return render_template("lms/accounts/tokens.html", tokens=services.list_tokens(user.id), form=EmptyForm())


@bp.route("/me/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    user = current_user()
    if services.revoke_token(user.id, token_id):
        services.audit(user, "revoke_token", "api_token", token_id, {"by": "owner"})
        db.session.commit()
        flash(_("The token has been revoked. Apps using it must sign in again."), "success")
    else:
        flash(_("No such token."), "error")
    return redirect(url_for("lms_accounts.tokens"))


@bp.route("/me/tokens/revoke-all", methods=["POST"])
@login_required
def revoke_all_tokens():
    user = current_user()
    count = services.revoke_all_tokens(user.id)
    services.audit(user, "revoke_all_tokens", "user", user.id, {"count": count, "by": "owner"})
    db.session.commit()
    flash(_("All your tokens have been revoked."), "success")
    return redirect(url_for("lms_accounts.tokens"))
