"""Forms of the certificate pages. Labels are lazy strings so they translate per request."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from lms.certificates.records import MAX_REASON
from lms.i18n import _l


class RevokeForm(FlaskForm):
    code = StringField(_l("Certificate code"), validators=[InputRequired(_l("Please fill in this field.")),
                                                           Length(max=40)])
    reason = TextAreaField(
        _l("Reason"),
        validators=[InputRequired(_l("Please fill in this field.")), Length(max=MAX_REASON)],
        description=_l("Shown on the public verification page. Do not write personal data."),
    )
    submit = SubmitField(_l("Revoke the certificate"))
