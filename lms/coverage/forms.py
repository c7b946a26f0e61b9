"""Forms of the coverage pages. Labels are lazy strings so they translate per request."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from lms.audiences import AUDIENCE_LABELS
from lms.coverage.baselines import MAX_POPULATION
from lms.i18n import _l
from lms.web.choices import choices
from lms.web.validators import Finite

_COUNT = [Optional(), NumberRange(min=0, max=MAX_POPULATION, message=_l("A whole number, 0 or more."))]


class UnitDataForm(FlaskForm):
    """A unit's populations for a year, and its VNeID figure; an empty field removes the value."""

    officials = IntegerField(AUDIENCE_LABELS["officials"], validators=_COUNT)
    students = IntegerField(AUDIENCE_LABELS["students"], validators=_COUNT)
    workers = IntegerField(AUDIENCE_LABELS["workers"], validators=_COUNT)
    citizens = IntegerField(AUDIENCE_LABELS["citizens"], validators=_COUNT)
    adults = IntegerField(_l("Adults (the population of the VNeID indicator)"), validators=_COUNT)
    source = StringField(_l("Source of the populations"), validators=[Optional(), Length(max=120)])
    vneid = IntegerField(_l("Adults confirmed on VNeID (reported figure)"), validators=_COUNT)
    vneid_reported_on = DateField(_l("Reported on"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class TargetForm(FlaskForm):
    unit_code = StringField(_l("Unit code (empty: the default for every unit)"),
                            validators=[Optional(), Length(max=12)])
    indicator = SelectField(_l("Indicator"), choices=[])
    year = IntegerField(_l("Year"), validators=[InputRequired(_l("Please fill in this field.")),
                                                NumberRange(min=2000, max=2100)])
    kind = SelectField(_l("Kind"), choices=choices([("percent", _l("Percent")), ("count", _l("Number of persons"))]))
    value = DecimalField(_l("Value"), places=None,
                         validators=[InputRequired(_l("Please fill in this field.")), Finite(), NumberRange(min=0)])
    source = StringField(_l("Source (e.g. the plan's number)"), validators=[Optional(), Length(max=120)])
    submit = SubmitField(_l("Save target"))
