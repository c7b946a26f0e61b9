"""Household forms (CSRF through Flask-WTF). Labels are lazy strings so they translate per request."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length

from lms.i18n import _l


class InviteForm(FlaskForm):
    login = StringField(_l("Phone number or username"),
                        validators=[InputRequired(_l("Please fill in this field.")), Length(max=64)])
    submit = SubmitField(_l("Send invitation"))


class CodeForm(FlaskForm):
    code = StringField(_l("Household code"),
                       validators=[InputRequired(_l("Please fill in this field.")), Length(max=32)])
    submit = SubmitField(_l("Join the household"))
