"""Vietnam's time: certificates, classes and coverage all date things by the day in Vietnam."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from lms.db import now_utc

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today(now: datetime | None = None) -> date:
    """The date in Vietnam: a certificate earned at 06:30 on 1 July is dated 1 July."""
    return (now or now_utc()).astimezone(VIETNAM).date()


def local_day(stamp: datetime | None) -> date | None:
    """The date in Vietnam of a moment (revocations are dated like issues), or None."""
    return stamp.astimezone(VIETNAM).date() if stamp is not None else None
