"""Formatting for big tables, memoised per request: Babel costs ~50 µs a call, and a 500 x 5
progress table has only a few dozen distinct percentages and days."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_date, format_percent

from lms.clock import local_day


class Formats:
    def __init__(self) -> None:
        self._percent: dict[float, str] = {}
        self._day: dict[date, str] = {}

    def percent(self, value: float | None) -> str:
        """ "85 %" in the page's locale; an empty string for no value."""
        if value is None:
            return ""
        if value not in self._percent:
            self._percent[value] = format_percent(value / 100, format="#,##0%")
        return self._percent[value]

    def day(self, stamp: datetime | None) -> str:
        """The day in Vietnam, short form ("27/11/2026")."""
        if stamp is None:
            return ""
        day = local_day(stamp)
        if day not in self._day:
            self._day[day] = format_date(day, "short")
        return self._day[day]
