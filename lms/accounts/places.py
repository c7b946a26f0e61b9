"""The registration form's places: the provinces and communes it offers, and the ones a join
poster's link fills in (the class's province and commune)."""

from __future__ import annotations

from wtforms.fields import SelectChoice

from lms.accounts.forms import RegisterForm
from lms.i18n import _
from lms.units.services import by_code, provinces, units_below


def fill_unit_choices(form: RegisterForm) -> None:
    """Every province, and the chosen province's communes, in Vietnamese alphabetical order."""
    form.province.choices = [SelectChoice("", _("— choose —"))] + [SelectChoice(u.code, u.name) for u in provinces()]
    province = form.province.data or ""
    communes = units_below(province) if province else []
    form.commune.choices = [SelectChoice("", _("— choose —"))] + [SelectChoice(u.code, u.name) for u in communes]


def prefill_unit(form: RegisterForm, unit_code: str | None) -> None:
    """Choose the province and commune of ``unit_code`` (a class's unit, from its join poster's link);
    an unknown code chooses nothing."""
    unit = by_code((unit_code or "").strip()[:12])
    if unit is None:
        return
    form.province.data = unit.province_code
    if unit.level == "commune":
        form.commune.data = unit.code
