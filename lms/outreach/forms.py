"""The form that records an outreach activity. Labels are lazy strings so they translate per request;
a value that does not parse gets a message in the reader's language (WTForms has no Vietnamese)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Optional

from lms.i18n import _l
from lms.outreach.kinds import KIND_LABELS, KINDS
from lms.outreach.services import MAX_NOTE
from lms.web.choices import choices

_REQUIRED = InputRequired(_l("Please fill in this field."))


class DayField(DateField):
    def process_formdata(self, valuelist: list) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Write the date as YYYY-MM-DD."))) from None


class CountField(IntegerField):
    def process_formdata(self, valuelist: list) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Write a whole number, 0 or more, without dots or spaces."))) from None


class ActivityForm(FlaskForm):
    #: a unit code; the page offers the user's units in a list (an admin types the code)
    unit = StringField(_l("Unit that carried it out"), validators=[_REQUIRED])
    # radio buttons: the guidance's wording is long, and a phone's select would cut it
    kind = RadioField(_l("Kind of activity"), choices=choices((k, KIND_LABELS[k]) for k in KINDS),
                       validate_choice=False)  # lms.outreach.services.check says it in the reader's language
    starts_on = DayField(_l("First day"), validators=[_REQUIRED])
    ends_on = DayField(_l("Last day (empty: the same day)"), validators=[Optional()])
    reached = CountField(_l("People reached"), validators=[_REQUIRED])
    note = TextAreaField(_l("Note (what was done, where, with whom)"), validators=[Optional()],
                         render_kw={"maxlength": MAX_NOTE, "rows": 4})
    submit = SubmitField(_l("Save"))
