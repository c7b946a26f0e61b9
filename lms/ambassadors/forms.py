"""Forms of the ambassadors' pages. Labels are lazy strings so they translate per request."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from lms.i18n import _l


class CitizenForm(FlaskForm):
    full_name = StringField(
        _l("Full name (with accents)"), validators=[InputRequired(_l("Please fill in this field.")), Length(max=120)]
    )
    birth_year = IntegerField(
        _l("Birth year"),
        validators=[Optional(), NumberRange(min=1900, max=9999, message=_l("Please check the birth year."))],
    )
    phone = StringField(_l("Mobile number (if any)"), validators=[Optional(), Length(max=20)])
    submit = SubmitField(_l("Register and make the card"))


class ExistingForm(FlaskForm):
    login = StringField(_l("Their phone number or username"),
                        validators=[InputRequired(_l("Please fill in this field.")), Length(max=64)])
    password = PasswordField(_l("Their password (they type it)"),
                             validators=[InputRequired(_l("Please fill in this field."))])
    submit = SubmitField(_l("Add to my list"))


class ChoosePasswordForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[InputRequired(_l("Please fill in this field."))])
    confirm = PasswordField(_l("New password again"), validators=[InputRequired(_l("Please fill in this field."))])
    submit = SubmitField(_l("Save my password"))


class GrantForm(FlaskForm):
    login = StringField(_l("Phone number or username"),
                        validators=[InputRequired(_l("Please fill in this field.")), Length(max=64)])
    submit = SubmitField(_l("Make an ambassador"))
