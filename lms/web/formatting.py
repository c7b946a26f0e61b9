"""Template filters that format for the user's locale (Babel)."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale

from lms.audiences import audience_label
from lms.web.markdown import render_markdown


def current_locale() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "vi"


def register_template_filters(app: Flask) -> None:
    @app.template_filter("lms_date")
    def _date(value: date | datetime | None, fmt: str = "medium") -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return format_datetime(value, fmt)
        return format_date(value, fmt)

    @app.template_filter("lms_number")
    def _number(value: float | int | None) -> str:
        return "" if value is None else format_decimal(value)

    @app.template_filter("lms_percent")
    def _percent(value: float | None, digits: int = 0) -> str:
        if value is None:
            return ""
        return format_percent(value / 100, format="#,##0" + ("." + "0" * digits if digits else "") + "%")

    @app.template_filter("lms_markdown")
    def _markdown(value: str) -> str:
        return render_markdown(value or "")

    @app.template_filter("lms_audience")
    def _audience(value: str | None) -> str:
        return audience_label(value) if value else ""

    @app.template_global("lms_locale")
    def _locale() -> str:
        return current_locale()
