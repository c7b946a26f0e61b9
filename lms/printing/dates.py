"""Dates as Vietnamese documents print them."""

from __future__ import annotations

from datetime import date


def vi_date(day: date) -> str:
    """ "ngày 05 tháng 02 năm 2026": a leading zero for days below 10 and for months 1-2,
    as Vietnamese administrative documents write them."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"
