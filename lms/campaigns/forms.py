"""The form that declares a campaign. Labels are lazy strings so they translate per request."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.audiences import AUDIENCE_LABELS, AUDIENCES
from lms.i18n import _l
from lms.web.choices import choices

_REQUIRED = InputRequired(_l("Please fill in this field."))


class CampaignForm(FlaskForm):
    name = StringField(_l("Name of the campaign"), validators=[_REQUIRED, Length(max=160)])
    slug = StringField(_l("Web address (empty: made from the name)"), validators=[Optional(), Length(max=70)])
    starts_on = DateField(_l("First day"), validators=[_REQUIRED])
    ends_on = DateField(_l("Last day"), validators=[_REQUIRED])
    units = StringField(_l("Unit codes, separated by commas"), validators=[_REQUIRED, Length(max=400)])
    audiences = SelectMultipleField(
        _l("Audiences"), choices=choices((a, AUDIENCE_LABELS[a]) for a in AUDIENCES),
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False),
        validators=[InputRequired(_l("Choose at least one audience."))])
    submit = SubmitField(_l("Declare the campaign"))
