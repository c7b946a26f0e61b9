"""Labels and locale formatting shared by the pages, the exports and the PDF (the report is plain data)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import format_date, format_decimal, format_percent

from lms.audiences import AUDIENCES, audience_label
from lms.coverage.charts import Bar, Series, bar_chart, trend_chart
from lms.coverage.report import Figure, Report
from lms.i18n import _, _l

SHORT_LABELS = {
    "officials": _l("Officials"),
    "students": _l("Students"),
    "workers": _l("Workers"),
    "citizens": _l("Citizens"),
    "all": _l("All four audiences"),
    "vneid": _l("Confirmed on VNeID"),
}
STATUS_LABELS = {
    "met": _l("Target met"),
    "near": _l("Close to target"),
    "behind": _l("Behind target"),
    "none": _l("No target or no baseline"),
}


def indicator_label(code: str, short: bool = False) -> str:
    if short or code not in AUDIENCES:
        return str(SHORT_LABELS.get(code, code))
    return audience_label(code)


def number(value: int | None) -> str:
    return "" if value is None else format_decimal(value)


def percent(value: Decimal | float | None) -> str:
    if value is None:
        return ""
    return format_percent(Decimal(str(value)) / 100, format="#,##0.#%")


def target_text(figure: Figure) -> str:
    if figure.target is None:
        return ""
    if figure.target.kind == "count":
        return number(int(figure.target.value))
    return percent(figure.target.value)


def gap_text(figure: Figure) -> str:
    gap = figure.gap
    if gap is None:
        return ""
    if figure.target is not None and figure.target.kind == "count":
        return _("%(n)s persons", n=number(int(gap)))
    return _("%(n)s points", n=format_decimal(gap, format="#,##0.#"))


def percent_text(figure: Figure) -> str:
    """The percent, or why there is none: never a division by zero."""
    if figure.covered is None:
        return _("not reported")
    if figure.population is None:
        return _("no baseline")
    if not figure.complete:
        return _("baseline incomplete")
    if figure.population == 0:
        return _("baseline is 0")
    return share_text(figure)


#: the smallest share shown as a number; below it (but above none) the text says "< 0.1%"
SMALLEST_SHARE = Decimal("0.1")


def share_text(figure: Figure) -> str:
    """The percent as shown: a share too small to round to 0.1 % (1 in 520,000) is "< 0,1%", never "0%"."""
    if figure.covered and figure.population and Decimal(figure.covered) * 100 / figure.population < SMALLEST_SHARE:
        return "< " + percent(SMALLEST_SHARE)
    return percent(figure.percent)


def report_title(report: Report) -> str:
    name = report.unit.name if report.unit is not None else _("Whole country")
    return _("Universal digital skills: %(unit)s, %(year)d", unit=name, year=report.year)


def as_of_text(report: Report) -> str:
    return _("Figures as of %(date)s", date=format_date(report.on, "long"))


def share_description(report: Report) -> str:
    """The public page's card text for Zalo and Facebook (Open Graph): totals only, as the page."""
    parts = [f"{indicator_label(f.indicator, short=True)}: {percent_text(f)}" for f in report.audiences]
    return f"{as_of_text(report)}. " + "; ".join(parts)


def _bar(figure: Figure) -> Bar:
    target = figure.target.value if figure.target is not None and figure.target.kind == "percent" else None
    shown = percent_text(figure)
    if figure.target is not None:
        shown = _("%(value)s · target %(target)s", value=shown, target=target_text(figure))
    value = float(figure.percent) if figure.percent is not None else None
    return Bar(indicator_label(figure.indicator, short=True), value, target, figure.status, shown)


def bar_svg(report: Report) -> str:
    figures = report.audiences + [report.figures["vneid"]]
    return bar_chart([_bar(f) for f in figures], _("Share of each audience covered, against the target"))


def trend_svg(report: Report) -> str:
    series = [Series(indicator_label(a, short=True), [p.covered[a] for p in report.trend]) for a in AUDIENCES]
    labels = [str(month) for month in range(1, 13)]
    title = _("Covered persons at the end of each month of %(year)d", year=report.year)
    return trend_chart(series, labels, title, number=lambda n: format_decimal(n, format="#,##0"))


def month_name(year: int, month: int) -> str:
    return format_date(date(year, month, 1), "LLLL")
