"""What makes a household a "gia đình số", in one place for the member's page and the coverage count.

* **Adult**: 18 or over by birth year (the year they turn 18 counts: only the birth year is
  known). A member whose birth year is unknown counts as an adult: a household is never called a
  gia đình số because a date is missing.
* **Holds their path certificate**: as the coverage measure counts a person (lms.coverage.measure):
  a valid certificate of kind 'path' for their own audience, issued on or before the day asked
  about. A member without an audience (a staff account) cannot hold one.
* **Gia đình số**: at least two members (one person is not a linked household), at least one
  adult, and every adult member holds their path certificate. Children never hold it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, or_
from sqlalchemy.sql import ColumnElement

from lms.accounts.models import User
from lms.certificates.models import Certificate

ADULT_AGE = 18
MIN_MEMBERS = 2


def is_adult(birth_year: int | None, year: int) -> bool:
    """Unknown birth year: adult (see the module's docstring)."""
    return birth_year is None or year - birth_year >= ADULT_AGE


def adult(year: int) -> ColumnElement[bool]:
    """SQL: the row's ``User`` is an adult in ``year`` (:func:`is_adult`)."""
    return or_(User.birth_year.is_(None), User.birth_year <= year - ADULT_AGE)


def certified(on: date) -> ColumnElement[bool]:
    """SQL: the row's ``User`` holds their path certificate on ``on``."""
    return exists().where(
        Certificate.user_id == User.id, Certificate.kind == "path", Certificate.status == "valid",
        Certificate.subject == User.audience, Certificate.issued_on <= on,
    )


@dataclass(frozen=True)
class Standing:
    """A household's answer, without saying which adult lacks the certificate."""

    members: int
    adults: int
    adults_certified: int

    @property
    def is_digital(self) -> bool:
        return self.members >= MIN_MEMBERS and self.adults > 0 and self.adults_certified == self.adults


def standing(people: list[tuple[int | None, bool]], year: int) -> Standing:
    """``people``: (birth year, holds the certificate) of each member."""
    adults = [held for birth_year, held in people if is_adult(birth_year, year)]
    return Standing(len(people), len(adults), sum(1 for held in adults if held))
