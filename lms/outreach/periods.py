"""The period a report covers: a month, a quarter, a year or dates of one's own, read from the
query string. A bad choice is an :class:`PeriodError` with a message for the person."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from lms.i18n import _

PERIOD_KINDS: tuple[str, ...] = ("month", "quarter", "year", "custom")
FIRST_YEAR = 2020
#: a custom period longer than this is not a periodic report (and would count years of activities)
MAX_DAYS = 5 * 366


class PeriodError(ValueError):
    """A period that cannot be reported; the message is for the user."""


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date

    def args(self) -> dict[str, str | int]:
        """The period as URL parameters, for links that keep it."""
        if self.kind == "month":
            return {"period": "month", "year": self.start.year, "month": self.start.month}
        if self.kind == "quarter":
            return {"period": "quarter", "year": self.start.year, "quarter": (self.start.month - 1) // 3 + 1}
        if self.kind == "year":
            return {"period": "year", "year": self.start.year}
        return {"period": "custom", "from": self.start.isoformat(), "to": self.end.isoformat()}

    @property
    def slug(self) -> str:
        """For file names: "2026-06", "2026-Q2", "2026", "2026-01-15_2026-03-31"."""
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()}_{self.end.isoformat()}"


def _int(args: Mapping[str, str], name: str, default: int, low: int, high: int, message: str) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise PeriodError(message) from None
    if not low <= value <= high:
        raise PeriodError(message)
    return value


def _day(raw: str | None, message: str) -> date:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        raise PeriodError(message) from None


def parse_period(args: Mapping[str, str], today: date) -> Period:
    """The period named by ``period`` (month by default) with ``year``, ``month``, ``quarter`` or
    ``from`` and ``to`` (YYYY-MM-DD); missing parts are today's."""
    kind = (args.get("period") or "month").strip()
    if kind not in PERIOD_KINDS:
        raise PeriodError(_("Choose a month, a quarter, a year or your own dates."))
    last_year = today.year + 1
    year = _int(args, "year", today.year, FIRST_YEAR, last_year, _("Please check the year."))
    if kind == "month":
        month = _int(args, "month", today.month, 1, 12, _("Choose a month from 1 to 12."))
        return Period(kind, date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))
    if kind == "quarter":
        quarter = _int(args, "quarter", (today.month - 1) // 3 + 1, 1, 4, _("Choose a quarter from 1 to 4."))
        first = 3 * (quarter - 1) + 1
        return Period(kind, date(year, first, 1), date(year, first + 2, calendar.monthrange(year, first + 2)[1]))
    if kind == "year":
        return Period(kind, date(year, 1, 1), date(year, 12, 31))
    message = _("Write the dates as YYYY-MM-DD.")
    start, end = _day(args.get("from"), message), _day(args.get("to"), message)
    if not (date(FIRST_YEAR, 1, 1) <= start and end <= date(last_year, 12, 31)):
        raise PeriodError(_("Please check the dates."))
    if end < start:
        raise PeriodError(_("The last day cannot be before the first day."))
    if (end - start).days >= MAX_DAYS:
        raise PeriodError(_("A report covers at most five years."))
    return Period(kind, start, end)
