"""Learners who are behind, for the teacher to call: a list on the class's pages and a CSV.

"Behind" means: has not passed every course of the class, and either has not started (no
lesson done, no attempt since joining), or has used every attempt of a course without passing
it, or has done nothing in the class for ``LMS_STUCK_DAYS`` days (7 by default). The page says
this rule in words. Those who did nothing for longest come first.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from lms.accounts.validators import normalize_phone
from lms.classes.gradebook import safe_text
from lms.classes.progress import ClassProgress, LearnerRow
from lms.i18n import _
from lms.textcheck import printable

REASONS: tuple[str, ...] = ("not_started", "no_attempts_left", "idle")


@dataclass
class Behind:
    row: LearnerRow
    reason: str
    #: whole days since the last activity (None when there was none)
    idle_days: int | None
    #: the mobile number to call, "0912 345 678"; None when the login is a username
    phone: str | None


def spaced_phone(phone: str) -> str:
    """ "0912345678" -> "0912 345 678": read aloud easily, and Excel keeps the leading 0 of text."""
    return f"{phone[:4]} {phone[4:7]} {phone[7:]}"


def behind(progress: ClassProgress, now: datetime, days: int) -> list[Behind]:
    """The class's learners who are behind (see the module), not started first, then longest idle."""
    found: list[Behind] = []
    for row in progress.rows:
        if row.status == "passed":
            continue
        last = row.last_activity
        idle_days = (now - last).days if last is not None else None
        if row.status == "not_started" or last is None:
            reason = "not_started"
        elif idle_days is not None and idle_days >= days:
            reason = "idle"
        elif any(c.status == "stuck" for c in row.cells):  # stuck without being idle: no attempt left
            reason = "no_attempts_left"
        else:
            continue
        phone = normalize_phone(row.login)
        found.append(Behind(row, reason, idle_days, spaced_phone(phone) if phone else None))
    return sorted(found, key=lambda b: (b.reason != "not_started", -(b.idle_days or 0), b.row.name_key))


def reason_text(item: Behind) -> str:
    if item.reason == "not_started":
        return _("Not started yet")
    if item.reason == "no_attempts_left":
        return _("Used every attempt without passing: give one more attempt")
    return _("Nothing done for %(n)d days", n=item.idle_days or 0)


def to_csv(items: list[Behind], last_day: dict[int, str], courses: int) -> bytes:
    """The list to call, in the reader's language, UTF-8 with a BOM so Excel shows the Vietnamese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Full name"), _("Phone number"), _("Username"), _("Why"), _("Last activity"),
                     _("Courses passed (of %(n)d)", n=courses)])
    for item in items:
        row = item.row
        line = [printable(row.full_name), item.phone or "", "" if item.phone else row.login, reason_text(item),
                last_day.get(row.user_id, ""), row.passed_count]
        writer.writerow([safe_text(v) for v in line])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
