"""Account forms. Labels are lazy strings so they translate per request."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms.audiences import AUDIENCE_LABELS, AUDIENCES
from lms.i18n import _l


class RegisterForm(FlaskForm):
    login = StringField(
        _l("Phone number or username"), validators=[InputRequired(_l("Please fill in this field.")), Length(max=64)]
    )
    full_name = StringField(
        _l("Full name (with accents)"), validators=[InputRequired(_l("Please fill in this field.")), Length(max=120)]
    )
    birth_year = IntegerField(
        _l("Birth year"),
        validators=[Optional(), NumberRange(min=1900, max=9999, message=_l("Please check the birth year."))],
    )
    audience = SelectField(
        _l("I am"), choices=[SelectChoice(a, AUDIENCE_LABELS[a]) for a in AUDIENCES],
        validators=[InputRequired(_l("Please fill in this field."))],
    )
    province = SelectField(_l("Province or city"), choices=[], validate_choice=False)
    commune = SelectField(_l("Commune or ward"), choices=[], validate_choice=False)
    password = PasswordField(
        _l("Password"), validators=[InputRequired(_l("Please fill in this field."))]
    )
    pick_province = SubmitField(_l("Show communes"))
    submit = SubmitField(_l("Create my account"))


class LoginForm(FlaskForm):
    login = StringField(_l("Phone number or username"), validators=[DataRequired(_l("Please fill in this field."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Please fill in this field."))])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class ChangePasswordForm(FlaskForm):
    old_password = PasswordField(_l("Current password"), validators=[DataRequired(_l("Please fill in this field."))])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(_l("Please fill in this field."))])
    submit = SubmitField(_l("Change password"))


class ProfileForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=[SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")])
    submit = SubmitField(_l("Save"))


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for buttons that change something."""


class NewPasswordForm(FlaskForm):
    """A new password typed twice: first sign-in with a one-time password, an e-mailed link."""

    new_password = PasswordField(_l("New password"), validators=[DataRequired(_l("Please fill in this field."))])
    confirm = PasswordField(_l("New password again"), validators=[DataRequired(_l("Please fill in this field."))])
    submit = SubmitField(_l("Save my new password"))


class RecoverForm(NewPasswordForm):
    login = StringField(_l("Phone number or username"),
                        validators=[DataRequired(_l("Please fill in this field.")), Length(max=64)])
    code = StringField(_l("Recovery code"), validators=[DataRequired(_l("Please fill in this field.")), Length(max=64)])


class ResetMailForm(FlaskForm):
    email = StringField(_l("E-mail address"), validators=[DataRequired(_l("Please fill in this field.")),
                                                          Length(max=254)])
    submit = SubmitField(_l("Send me a link"), id="mail_link_submit")  # beside RecoverForm's on one page


class EmailForm(FlaskForm):
    """The account's e-mail address (optional), changed only with the current password."""

    email = StringField(_l("E-mail address (optional)"), validators=[Length(max=254)])
    # ids of their own: the profile page holds two password fields (names stay plain for CSRFProtect)
    password = PasswordField(_l("Current password"), id="mail_password",
                             validators=[DataRequired(_l("Please fill in this field."))])
    submit = SubmitField(_l("Save e-mail address"), id="mail_submit")


class PasswordCheckForm(FlaskForm):
    """A button that changes something about the account's access: the current password first."""

    password = PasswordField(_l("Current password"), id="code_password",
                             validators=[DataRequired(_l("Please fill in this field."))])
    submit = SubmitField(_l("Make a new recovery code"), id="code_submit")
