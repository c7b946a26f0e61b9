"""Form validators shared by several packages."""

from __future__ import annotations

import math
from decimal import Decimal

from wtforms import Field, Form
from wtforms.validators import StopValidation

from lms.i18n import _l


def _finite(value: Decimal | float) -> bool:
    return value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)


class Finite:
    """A number field's value must be a real number: "nan", "snan" and "inf" parse as Decimals
    but cannot be compared (NumberRange would fail with an exception) or stored."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        data = field.data
        if isinstance(data, Decimal | float) and not _finite(data):
            raise StopValidation(self.message or _l("Please enter a number."))
