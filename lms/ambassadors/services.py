"""Who an ambassador may act for, registering a citizen, and granting the role. Plain functions;
the callers commit.

The rule everything else rests on (:func:`may_act_for`): an ambassador acts only for a citizen
(an account with no role but learner) of the ambassador's own commune whom they registered or
who asked them for help, and only while they hold the role. Never for themselves, never for a
staff account, never for an ambassador.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.services import (
    AccountError,
    NewAccount,
    SignInBlocked,
    audit,
    create_accounts,
    find_by_login,
    set_password,
    set_roles,
    sign_in,
)
from lms.accounts.throttle import SignInLimits
from lms.accounts.validators import birth_year_problem, normalize_phone
from lms.ambassadors.models import Helped
from lms.db import db, now_utc
from lms.i18n import _
from lms.textcheck import name_problem
from lms.units.services import within

ROLE = "ambassador"
#: the password hash of an account made by an ambassador until its owner chooses a password: not
#: a werkzeug hash, so no password ever matches it (check_password_hash answers False); the card
#: or a one-time password is the way in
NO_PASSWORD = "!card-only"  # noqa: S105 - a marker, not a password

#: the errors callers catch, named here so views need only this module
__all__ = ["AccountError", "SignInBlocked"]


def is_ambassador(user: User | None) -> bool:
    """Holds the role and belongs to a commune (the role means nothing without one)."""
    return user is not None and user.has_role(ROLE) and user.unit is not None and user.unit.level == "commune"


def is_citizen(user: User | None) -> bool:
    """An account with no role but learner: the only kind an ambassador may act for or make a card for."""
    return user is not None and user.roles == {"learner"}


def has_password(user: User) -> bool:
    return user.password_hash != NO_PASSWORD


def link(ambassador: User, citizen: User) -> Helped | None:
    return db.session.get(Helped, (ambassador.id, citizen.id))


def may_act_for(ambassador: User | None, citizen: User | None) -> bool:
    """May ``ambassador`` act for ``citizen`` (act as them, make or end their card, see their path)?"""
    if not is_ambassador(ambassador) or not is_citizen(citizen) or ambassador.id == citizen.id:
        return False
    if citizen.unit_id != ambassador.unit_id:
        return False
    return link(ambassador, citizen) is not None


def helps(ambassador_id: int, citizen_id: int) -> bool:
    """:func:`may_act_for` by ids (for the signals, which pass a learner's id)."""
    return may_act_for(db.session.get(User, ambassador_id), db.session.get(User, citizen_id))


@dataclass(frozen=True)
class NewCitizen:
    full_name: str
    birth_year: int | None
    phone: str | None = None


def _free_username() -> str:
    """A login for a citizen without a phone: "ds" and eight digits, easy to read out."""
    while True:
        name = "ds" + "".join(secrets.choice("0123456789") for _ in range(8))
        if find_by_login(name) is None:
            return name


def register_citizen(ambassador: User, new: NewCitizen) -> User:
    """Make a citizen's account in the ambassador's commune, looked after by the ambassador.

    No password yet (:data:`NO_PASSWORD`): the citizen signs in with their card and may choose a
    password later. Raises :class:`AccountError` with the field at fault."""
    if not is_ambassador(ambassador):
        raise AccountError("full_name", _("Only an ambassador of a commune can do this."))
    full_name = " ".join((new.full_name or "").split())
    if not full_name:
        raise AccountError("full_name", _("Please enter the person's full name."))
    problem = name_problem(full_name)
    if problem:
        raise AccountError("full_name", problem)
    problem = birth_year_problem(new.birth_year)
    if problem:
        raise AccountError("birth_year", problem)
    phone = None
    if (new.phone or "").strip():
        phone = normalize_phone(new.phone)
        if phone is None:
            raise AccountError("phone", _("This is not a Vietnamese mobile number (10 digits, e.g. 0912345678)."))
        if find_by_login(phone) is not None:
            raise AccountError("phone", _("This phone number already has an account. Add the person with "
                                          "\"Help someone who has an account\"."))
    [user_id] = create_accounts([NewAccount(
        username=phone or _free_username(), phone=phone, full_name=full_name, birth_year=new.birth_year,
        audience="citizens", unit_id=ambassador.unit_id, password_hash=NO_PASSWORD,
        locale=ambassador.locale,
    )])
    db.session.add(Helped(ambassador_id=ambassador.id, citizen_id=user_id, registered=True))
    audit(ambassador, "ambassador_register", "user", user_id, {})
    return db.session.get(User, user_id)


def add_existing(ambassador: User, login: str, password: str, address: str, limits: SignInLimits) -> User:
    """A citizen who already has an account asks the ambassador for help: they type their own
    login and password on the ambassador's device (counted like a sign-in). Raises
    :class:`AccountError` or :class:`SignInBlocked`."""
    citizen = sign_in(login, password, address, limits)
    if citizen is None:
        raise AccountError("password", _("Wrong phone number, username or password."))
    if not is_citizen(citizen) or citizen.id == ambassador.id:
        raise AccountError("login", _("An ambassador helps only citizens' accounts."))
    if citizen.unit_id != ambassador.unit_id:
        raise AccountError("login", _("This person's account belongs to another commune."))
    if link(ambassador, citizen) is None:
        db.session.add(Helped(ambassador_id=ambassador.id, citizen_id=citizen.id, registered=False))
        audit(ambassador, "ambassador_add", "user", citizen.id, {})
    return citizen


def choose_password(user: User, new_password: str, confirm: str, min_length: int) -> None:
    """A citizen made by an ambassador chooses their first password (there is no old one to type)."""
    if has_password(user):
        raise AccountError("new_password", _("You already have a password. Change it on your account page."))
    if new_password != confirm:
        raise AccountError("confirm", _("The two passwords are not the same."))
    set_password(user, new_password, min_length=min_length)
    audit(user, "choose_password", "user", user.id, {"via": "card"})


def may_grant(official: User | None, person: User | None) -> bool:
    """An official for a person of a commune of their unit (or below it); an admin for anyone of a
    commune. Never oneself."""
    if official is None or person is None or official.id == person.id:
        return False
    if person.unit is None or person.unit.level != "commune":
        return False
    if official.has_role("admin"):
        return True
    return official.has_role("official") and within(person.unit, official.unit)


def grant(official: User, person: User) -> None:
    set_roles(person, person.roles | {ROLE}, actor=official)


def withdraw(official: User, person: User) -> None:
    set_roles(person, person.roles - {ROLE}, actor=official)


def touch(ambassador: User, citizen: User) -> None:
    row = link(ambassador, citizen)
    if row is not None:
        row.last_helped_at = now_utc()


def people(ambassador: User) -> list[Helped]:
    """The people the ambassador looks after in their commune, the most recently helped first."""
    rows = db.session.scalars(
        select(Helped).join(User, User.id == Helped.citizen_id)
        .where(Helped.ambassador_id == ambassador.id, User.unit_id == ambassador.unit_id)
    ).all()
    return sorted((r for r in rows if is_citizen(r.citizen)),
                  key=lambda r: (r.last_helped_at or r.created_at), reverse=True)
