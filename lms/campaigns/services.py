"""Declaring campaigns and who may do it: plain functions, testable without a request."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from lms.accounts.models import User
from lms.audiences import AUDIENCES
from lms.campaigns.models import Campaign
from lms.coverage.access import may_edit
from lms.coverage.text import fold
from lms.db import db
from lms.i18n import _
from lms.units.models import AdminUnit
from lms.units.services import by_code

#: a campaign longer than this is a programme, not a campaign (and its board would mean little)
MAX_DAYS = 366


class CampaignError(ValueError):
    """A campaign that cannot be declared; the message is for the user."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def slugify(name: str) -> str:
    """ "Ngày hội toàn dân học tập số 2026" -> "ngay-hoi-toan-dan-hoc-tap-so-2026"."""
    return re.sub(r"\s+", "-", fold(name))[:70].strip("-")


def parse_units(text: str) -> tuple[list[AdminUnit], list[str]]:
    """Units from codes separated by commas or spaces; the codes not found."""
    codes = [c for c in re.split(r"[\s,;]+", text or "") if c]
    units, unknown = [], []
    for code in dict.fromkeys(codes):
        unit = by_code(code)
        (units.append(unit) if unit is not None else unknown.append(code))
    return units, unknown


def may_declare(user: User | None, units: list[AdminUnit]) -> bool:
    """An admin for any units; an official only for their own unit and the units below it."""
    if user is None or not (user.has_role("admin") or user.has_role("official")):
        return False
    return bool(units) and all(may_edit(user, unit) for unit in units)


def may_manage(user: User | None, campaign: Campaign) -> bool:
    return may_declare(user, list(campaign.units))


def by_slug(slug: str) -> Campaign | None:
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug))


def declare(name: str, starts_on: date, ends_on: date, units: list[AdminUnit], audiences: list[str],
            actor: User | None, slug: str = "") -> Campaign:
    """Create a campaign (the caller commits); raises CampaignError with the field at fault."""
    name = " ".join((name or "").split())
    if not name:
        raise CampaignError("name", _("Please fill in this field."))
    if not (date(2000, 1, 1) <= starts_on and ends_on <= date(2100, 12, 31)):
        raise CampaignError("starts_on", _("Please check the dates."))
    if ends_on < starts_on:
        raise CampaignError("ends_on", _("The last day cannot be before the first day."))
    if (ends_on - starts_on).days >= MAX_DAYS:
        raise CampaignError("ends_on", _("A campaign lasts at most one year."))
    if not units:
        raise CampaignError("units", _("Name at least one unit."))
    audiences = [a for a in AUDIENCES if a in audiences]
    if not audiences:
        raise CampaignError("audiences", _("Choose at least one audience."))
    slug = slugify(slug or name)
    if not slug:
        raise CampaignError("slug", _("The web address needs letters or digits."))
    if by_slug(slug) is not None:
        raise CampaignError("slug", _("Another campaign already has this web address; choose another."))
    campaign = Campaign(slug=slug, name=name, starts_on=starts_on, ends_on=ends_on, audiences=",".join(audiences),
                        created_by=actor.id if actor is not None else None)
    campaign.units = list(units)
    db.session.add(campaign)
    db.session.flush()
    return campaign


def list_campaigns() -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.name)))
