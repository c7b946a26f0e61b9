"""Recording outreach activities and who may do it: plain functions, testable without a request.

An official records, changes and reports only for their own unit and the units below it
(:func:`lms.coverage.access.may_edit`); an admin for any unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_decimal
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.accounts.services import audit
from lms.coverage.access import may_edit
from lms.db import db
from lms.i18n import _
from lms.outreach.kinds import KINDS
from lms.outreach.models import OutreachActivity
from lms.units.models import AdminUnit

#: more people than the largest province has: a figure above it is a typing mistake
MAX_REACHED = 20_000_000
MAX_NOTE = 1000
FIRST_DAY, LAST_DAY = date(2020, 1, 1), date(2100, 12, 31)
#: an activity longer than this is a programme; record its parts
MAX_DAYS = 366
PAGE_SIZE = 25


class OutreachError(ValueError):
    """An activity that cannot be recorded; the message is for the user, ``field`` the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ActivityData:
    unit: AdminUnit | None
    kind: str
    starts_on: date | None
    ends_on: date | None
    reached: int | None
    note: str = ""


def is_staff(user: User | None) -> bool:
    return user is not None and user.has_role("official", "admin")


def may_record(user: User | None, unit: AdminUnit | None) -> bool:
    """An admin for any unit; an official for their own unit and the units below it."""
    return is_staff(user) and unit is not None and may_edit(user, unit)


def may_report(user: User | None, unit: AdminUnit | None) -> bool:
    """As :func:`may_record`; only an admin reports on the whole country (``unit`` None)."""
    if unit is None:
        return user is not None and user.has_role("admin")
    return may_record(user, unit)


def check(data: ActivityData) -> ActivityData:
    """The activity cleaned, or :class:`OutreachError` naming the first field at fault."""
    if data.unit is None:
        raise OutreachError("unit", _("Choose the unit that carried out the activity."))
    if data.kind not in KINDS:
        raise OutreachError("kind", _("Choose a kind of activity from the list."))
    if data.starts_on is None:
        raise OutreachError("starts_on", _("Please fill in this field."))
    ends_on = data.ends_on or data.starts_on
    if not (FIRST_DAY <= data.starts_on <= LAST_DAY and FIRST_DAY <= ends_on <= LAST_DAY):
        raise OutreachError("starts_on", _("Please check the dates."))
    if ends_on < data.starts_on:
        raise OutreachError("ends_on", _("The last day cannot be before the first day."))
    if (ends_on - data.starts_on).days >= MAX_DAYS:
        raise OutreachError("ends_on", _("An activity lasts at most one year; record its parts separately."))
    if data.reached is None:
        raise OutreachError("reached", _("Please fill in this field."))
    if not 0 <= data.reached <= MAX_REACHED:
        raise OutreachError("reached", _("The number of people reached is a whole number from 0 to %(max)s.",
                                         max=format_decimal(MAX_REACHED)))
    note = (data.note or "").replace("\r\n", "\n").strip()
    if len(note) > MAX_NOTE:
        raise OutreachError("note", _("The note is at most %(n)d characters.", n=MAX_NOTE))
    return ActivityData(data.unit, data.kind, data.starts_on, ends_on, data.reached, note)


def record(data: ActivityData, actor: User) -> OutreachActivity:
    """Record an activity (audited, committed); the caller has checked :func:`may_record`."""
    data = check(data)
    activity = OutreachActivity(unit_id=data.unit.id, kind=data.kind, starts_on=data.starts_on,
                                ends_on=data.ends_on, reached=data.reached, note=data.note, created_by=actor.id)
    db.session.add(activity)
    db.session.flush()
    audit(actor, "outreach_record", "outreach_activity", activity.id, _detail(activity))
    db.session.commit()
    return activity


def update(activity: OutreachActivity, data: ActivityData, actor: User) -> None:
    """Change an activity (audited, committed); the caller has checked both units with :func:`may_record`."""
    data = check(data)
    before = _detail(activity)
    activity.unit_id, activity.kind = data.unit.id, data.kind
    activity.starts_on, activity.ends_on = data.starts_on, data.ends_on
    activity.reached, activity.note = data.reached, data.note
    db.session.flush()
    db.session.expire(activity, ["unit"])
    audit(actor, "outreach_update", "outreach_activity", activity.id, {"before": before, "after": _detail(activity)})
    db.session.commit()


def remove(activity: OutreachActivity, actor: User) -> None:
    audit(actor, "outreach_delete", "outreach_activity", activity.id, _detail(activity))
    db.session.delete(activity)
    db.session.commit()


def _detail(activity: OutreachActivity) -> dict:
    return {"unit_id": activity.unit_id, "kind": activity.kind, "starts_on": activity.starts_on.isoformat(),
            "ends_on": activity.ends_on.isoformat(), "reached": activity.reached}


def activity_for(user: User, activity_id: int) -> OutreachActivity | None:
    """The activity if the user may change it; None (a 404) for one outside their units, so
    that another unit's activities cannot even be told to exist."""
    activity = db.session.get(OutreachActivity, activity_id)
    if activity is None or not may_record(user, activity.unit):
        return None
    return activity


def list_activities(scope: AdminUnit | None, start: date, end: date, page: int = 1,
                    kind: str | None = None, page_size: int = PAGE_SIZE) -> tuple[list[OutreachActivity], int]:
    """A page of the activities of ``scope`` and the units below it (all units for None) whose
    first day lies in [start, end], the latest first; and how many there are."""
    query = select(OutreachActivity).where(OutreachActivity.starts_on.between(start, end))
    if scope is not None:
        query = query.where(OutreachActivity.unit_id.in_(
            select(AdminUnit.id).where(AdminUnit.path.startswith(scope.path))))
    if kind in KINDS:
        query = query.where(OutreachActivity.kind == kind)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(OutreachActivity.starts_on.desc(), OutreachActivity.id.desc())
                              .limit(page_size).offset((max(page, 1) - 1) * page_size))
    return list(rows), int(total or 0)
