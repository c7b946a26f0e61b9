"""Forms of the teacher's pages. Labels are lazy strings so they translate per request."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from lms.audiences import AUDIENCE_LABELS, AUDIENCES
from lms.i18n import _l
from lms.textcheck import name_problem
from lms.web.choices import choices
from lms.web.validators import Finite

ORGANISATION_LABELS = {
    "school": _l("School"),
    "agency": _l("Agency or commune office"),
    "enterprise": _l("Enterprise or cooperative"),
}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ClassForm(FlaskForm):
    name = StringField(_l("Class name"), validators=[InputRequired(_l("Please fill in this field.")), Length(max=160)])
    audience = SelectField(_l("Learners"), choices=[], validate_choice=False)
    organisation_kind = SelectField(_l("Kind of organisation"), choices=[], validate_choice=False)
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    province = SelectField(_l("Province or city"), choices=[], validate_choice=False)
    commune = SelectField(_l("Commune or ward"), choices=[], validate_choice=False)
    course_mode = RadioField(
        _l("Courses"),
        choices=choices([
            ("path", _l("The audience's whole learning path")),
            ("chosen", _l("The courses I tick below")),
        ]),
        default="path",
    )
    courses = MultiCheckboxField(_l("Courses of the class"), choices=[], coerce=int, validate_choice=False)
    starts_on = DateField(_l("Start date (optional)"), validators=[Optional()])
    ends_on = DateField(_l("End date (optional)"), validators=[Optional()])
    pick_province = SubmitField(_l("Show communes"))
    submit = SubmitField(_l("Save the class"))

    def fill_choices(self) -> None:
        self.audience.choices = choices([("", _l("— choose —"))] + [(a, AUDIENCE_LABELS[a]) for a in AUDIENCES])
        self.organisation_kind.choices = choices([("", _l("— choose —"))] + list(ORGANISATION_LABELS.items()))

    def validate_name(self, field: StringField) -> None:
        problem = name_problem(" ".join((field.data or "").split()))
        if problem:
            raise ValidationError(problem)

    def validate_organisation(self, field: StringField) -> None:
        self.validate_name(field)

    def validate_audience(self, field: SelectField) -> None:
        if field.data and field.data not in AUDIENCES:
            raise ValidationError(_l("Choose who the learners are."))
        if self.course_mode.data == "path" and not field.data:
            raise ValidationError(_l("Choose who the learners are: the path depends on it."))

    def validate_organisation_kind(self, field: SelectField) -> None:
        if field.data and field.data not in ORGANISATION_LABELS:
            raise ValidationError(_l("Choose the kind of organisation."))

    def validate_courses(self, field: MultiCheckboxField) -> None:
        if self.course_mode.data == "chosen" and not field.data:
            raise ValidationError(_l("Tick at least one course."))

    def validate_ends_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end date is before the start date."))


class RosterForm(FlaskForm):
    roster = FileField(_l("Roster file (CSV or Excel .xlsx)"))
    submit = SubmitField(_l("Check the file"))


class ExtraTimeForm(FlaskForm):
    minutes = IntegerField(
        _l("Extra minutes"),
        default=10,
        validators=[
            InputRequired(_l("Please fill in this field.")),
            NumberRange(min=1, max=600, message=_l("Between 1 and 600 minutes.")),
        ],
    )
    submit = SubmitField(_l("Give more time"))


class GradeForm(FlaskForm):
    percent = DecimalField(
        _l("Grade (0 to 100 %)"),
        places=None,
        validators=[
            InputRequired(_l("Please fill in this field.")),
            Finite(_l("Between 0 and 100.")),
            NumberRange(min=0, max=100, message=_l("Between 0 and 100.")),
        ],
    )
    feedback = TextAreaField(_l("Feedback for the learner (optional)"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save the grade"))


class JoinCodeForm(FlaskForm):
    code = StringField(_l("Class code"), validators=[InputRequired(_l("Please fill in this field.")), Length(max=20)])
    submit = SubmitField(_l("Find the class"))
