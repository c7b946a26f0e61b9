"""Forgotten passwords: the recovery code, an e-mailed link, a new one-time password from a helper;
the learner's own e-mail address and recovery code on their page."""

from __future__ import annotations

import math

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.security import check_password_hash

from lms.accounts import recovery, resetmail, services
from lms.accounts.auth import current_user, login_required, login_user, roles_required
from lms.accounts.blueprint import bp
from lms.accounts.forms import EmailForm, EmptyForm, NewPasswordForm, PasswordCheckForm, RecoverForm, ResetMailForm
from lms.accounts.models import User
from lms.accounts.notices import flash_recovery_code
from lms.accounts.validators import normalize_email
from lms.db import db
from lms.i18n import _
from lms.units.services import unit_label

#: who may open the helpers' page; each reset is then checked against the learner (may_give_password)
helper_required = roles_required("teacher", "official", "admin", "ambassador")


def _forgot_page(form: RecoverForm, mail_form: ResetMailForm | None = None, status: int = 200, **extra: object):
    offered = resetmail.MailSettings.from_config(current_app.config) is not None
    return render_template(
        "lms/accounts/forgot.html", form=form, mail_form=(mail_form or ResetMailForm()) if offered else None, **extra
    ), status


@bp.route("/forgot", methods=["GET", "POST"])
def forgot() -> ResponseReturnValue:
    form = RecoverForm()
    if not form.validate_on_submit():
        return _forgot_page(form, status=422 if request.method == "POST" else 200)
    if form.new_password.data != form.confirm.data:
        form.confirm.errors = [_("The two passwords are not the same.")]
        return _forgot_page(form, status=422)
    try:
        user, code = recovery.recover_with_code(form.login.data, form.code.data, form.new_password.data,
                                                request.remote_addr or "unknown", current_app.config)
    except services.SignInBlocked as blocked:
        form.code.errors = [_("Too many wrong recovery codes. Please wait %(minutes)d minutes and try again.",
                              minutes=max(1, math.ceil(blocked.retry_after / 60)))]
        page, status = _forgot_page(form, status=429)
        response = current_app.make_response((page, status))
        response.headers["Retry-After"] = str(blocked.retry_after)
        return response
    except services.AccountError as error:
        db.session.rollback()
        getattr(form, error.field).errors = [error.message]
        return _forgot_page(form, status=422)
    login_user(user)
    db.session.commit()
    flash(_("Your new password is saved and you are signed in. Every other device was signed out."), "success")
    flash_recovery_code(code)
    return redirect(url_for("lms_home.home"))


@bp.route("/forgot/email", methods=["POST"])
def forgot_by_email() -> ResponseReturnValue:
    settings = resetmail.MailSettings.from_config(current_app.config)
    if settings is None:
        abort(404)
    mail_form = ResetMailForm()
    if not mail_form.validate_on_submit():
        return _forgot_page(RecoverForm(formdata=None), mail_form, status=422)
    email = normalize_email(mail_form.email.data)
    if email is None:
        mail_form.email.errors = [_("This is not an e-mail address (it looks like name@example.com).")]
        return _forgot_page(RecoverForm(formdata=None), mail_form, status=422)
    if not resetmail.may_send(email, request.remote_addr or "unknown"):
        mail_form.email.errors = [_("Too many links were asked for. Please wait an hour and try again.")]
        return _forgot_page(RecoverForm(formdata=None), mail_form, status=429)
    resetmail.send_reset_links(email, settings)
    # the same answer whether an account has this address or not
    return render_template("lms/accounts/mail_sent.html", email=email,
                           minutes=int(current_app.config["LMS_RESET_LINK_MINUTES"]))


@bp.after_request
def _link_pages_keep_the_token(response):
    """A reset link's pages are not kept by caches, and links out of them do not carry the token
    in a Referer (even to this site's own logs)."""
    if request.endpoint in ("lms_accounts.reset_with_link", "lms_accounts.confirm_email"):
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_with_link(token: str) -> ResponseReturnValue:
    try:
        resetmail.live_link(token)
    except resetmail.LinkRefused as refused:
        return render_template("lms/accounts/link_refused.html", message=refused.message), refused.status
    form = NewPasswordForm()
    if form.validate_on_submit():
        if form.new_password.data != form.confirm.data:
            form.confirm.errors = [_("The two passwords are not the same.")]
            return render_template("lms/accounts/reset.html", form=form), 422
        try:
            user = resetmail.reset_with_link(token, form.new_password.data)
        except resetmail.LinkRefused as refused:
            db.session.rollback()
            return render_template("lms/accounts/link_refused.html", message=refused.message), refused.status
        except services.AccountError as error:
            db.session.rollback()
            form.new_password.errors = [error.message]
            return render_template("lms/accounts/reset.html", form=form), 422
        login_user(user)
        db.session.commit()
        flash(_("Your new password is saved and you are signed in. Every other device was signed out."), "success")
        return redirect(url_for("lms_home.home"))
    return render_template("lms/accounts/reset.html", form=form), (422 if request.method == "POST" else 200)


@bp.route("/confirm-email/<token>", methods=["GET", "POST"])
def confirm_email(token: str) -> ResponseReturnValue:
    """A button, not the opening of the link, confirms: mail scanners open links on their own."""
    try:
        link = resetmail.live_link(token, "confirm_email")
    except resetmail.LinkRefused as refused:
        return render_template("lms/accounts/link_refused.html", message=refused.message), refused.status
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            resetmail.confirm_email(token)
        except resetmail.LinkRefused as refused:
            db.session.rollback()
            return render_template("lms/accounts/link_refused.html", message=refused.message), refused.status
        db.session.commit()
        flash(_("Your e-mail address is confirmed. If you forget your password, you can get a link there."),
              "success")
        return redirect(url_for("lms_home.home"))
    return render_template("lms/accounts/confirm_email.html", form=form, email=link.email)


def _password_ok(form: EmailForm | PasswordCheckForm, user: User) -> bool:
    if not form.validate_on_submit():
        return False
    if not check_password_hash(user.password_hash, form.password.data or ""):
        form.password.errors = [_("The current password is not right.")]
        return False
    return True


@bp.route("/me/email", methods=["POST"])
@login_required
def set_email() -> ResponseReturnValue:
    user = current_user()
    form = EmailForm()
    if _password_ok(form, user):
        typed = (form.email.data or "").strip()
        email = normalize_email(typed)
        if typed and email is None:
            form.email.errors = [_("This is not an e-mail address (it looks like name@example.com).")]
        else:
            services.audit(user, "set_email", "user", user.id, {"had": bool(user.email), "has": bool(email)})
            if email != user.email:
                user.email, user.email_verified_at = email, None  # a new address is nobody's until confirmed
            db.session.commit()
            settings = resetmail.MailSettings.from_config(current_app.config)
            if email and settings is not None and user.email_verified_at is None:
                resetmail.send_confirmation(user, settings)
                flash(_("We have sent a link to %(email)s. Open it and press the button to confirm the address.",
                        email=email), "success")
            else:
                flash(_("Your e-mail address is saved.") if email else _("Your e-mail address is removed."),
                      "success")
            return redirect(url_for("lms_accounts.profile"))
    for error in form.email.errors + form.password.errors:
        flash(error, "error")
    return redirect(url_for("lms_accounts.profile", _anchor="email-settings"))


@bp.route("/me/recovery-code", methods=["POST"])
@login_required
def new_recovery_code() -> ResponseReturnValue:
    user = current_user()
    form = PasswordCheckForm()
    if not _password_ok(form, user):
        for error in form.password.errors:
            flash(error, "error")
        return redirect(url_for("lms_accounts.profile", _anchor="recovery"))
    code = recovery.issue_recovery_code(user)
    services.audit(user, "new_recovery_code", "user", user.id, {})
    db.session.commit()
    flash_recovery_code(code)
    return redirect(url_for("lms_accounts.profile"))


@bp.route("/help/password", methods=["GET"])
@helper_required
def help_password() -> ResponseReturnValue:
    """Find a learner by phone number or username, to give them a new one-time password."""
    typed = (request.args.get("login") or "").strip()[:64]
    person = services.find_by_login(typed) if typed else None
    allowed = recovery.may_give_password(current_user(), person)
    if typed and person is not None and not allowed:
        abort(403)
    return render_template("lms/accounts/help_password.html", typed=typed, person=person if allowed else None,
                           unit=unit_label(person.unit) if allowed else "", form=EmptyForm())


@bp.route("/help/password/<int:user_id>", methods=["POST"])
@helper_required
def give_password(user_id: int) -> ResponseReturnValue:
    helper = current_user()
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    if not recovery.may_give_password(helper, person):
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    password = recovery.give_one_time_password(helper, person)
    db.session.commit()
    back = request.form.get("back", "")
    # shown in this answer only (never stored in clear, never in a redirect or the log)
    response = current_app.make_response(render_template(
        "lms/accounts/password_given.html", person=person, password=password,
        back=back if back.startswith("/") and not back.startswith("//") else None,
    ))
    response.headers["Cache-Control"] = "private, no-store"
    return response
