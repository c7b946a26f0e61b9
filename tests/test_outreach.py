"""The outreach report's figures against a hand-built population (tests/outreach_helpers.py has
the known answers), the period rules and the activity checks, without a request."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lms.outreach.periods import Period, PeriodError, parse_period
from tests.coverage_helpers import build_population
from tests.outreach_helpers import add_activities

Q2 = Period("quarter", date(2026, 4, 1), date(2026, 6, 30))


@pytest.fixture
def population(app, units):
    build_population(app)
    add_activities(app)
    return app


def test_a_province_quarter_adds_up_to_the_hand_built_figures(population) -> None:
    from lms.outreach.report import build
    from lms.units.services import by_code

    with population.test_request_context():
        report = build(by_code("79"), Q2)
        total = report.total
        assert (total.tally.total_count, total.tally.total_reached) == (4, 6550)
        assert total.tally.count == {"meeting": 1, "talk": 0, "broadcast": 1, "post": 1, "visual": 1,
                                     "community": 0, "day_1010": 0}
        assert total.tally.reached["broadcast"] == 1200 and total.tally.reached["post"] == 5000
        # coverage at 30 June, and who was newly covered in the quarter
        assert total.figures["citizens"].covered == 3 and total.figures["officials"].covered == 1
        assert total.figures["all"].covered == 4
        assert total.new == {"officials": 0, "students": 0, "workers": 0, "citizens": 1, "all": 1}
        assert total.figures["citizens"].population == 30 and total.figures["citizens"].percent == Decimal("10.00")
        rows = {(row.code, row.own): row for row in report.rows}
        assert [(r.code, r.own) for r in report.rows] == [("79", True), ("26734", False), ("26740", False)]
        own, saigon, tandinh = rows[("79", True)], rows[("26734", False)], rows[("26740", False)]
        assert (own.tally.total_count, own.tally.total_reached, own.tally.count["post"]) == (1, 5000, 1)
        assert (saigon.tally.total_count, saigon.tally.total_reached) == (2, 1250)
        assert (tandinh.tally.total_count, tandinh.tally.total_reached) == (1, 300)
        # rows add up to the total
        assert sum(r.tally.total_reached for r in report.rows) == total.tally.total_reached
        assert own.figures["citizens"].covered == 1 and own.new["citizens"] == 1  # a8, at the province itself
        assert saigon.figures["citizens"].covered == 2 and saigon.new["citizens"] == 0
        assert saigon.figures["citizens"].percent == Decimal("20.00")
        assert tandinh.figures["officials"].covered == 1 and tandinh.new["all"] == 0
        assert sum(r.figures["all"].covered for r in report.rows) == total.figures["all"].covered


def test_other_periods_and_a_commune(population) -> None:
    from lms.outreach.report import build
    from lms.units.services import by_code

    with population.test_request_context():
        year = build(by_code("79"), Period("year", date(2026, 1, 1), date(2026, 12, 31)))
        assert (year.total.tally.total_count, year.total.tally.total_reached) == (6, 7390)
        assert year.total.tally.count["day_1010"] == 1
        q1 = build(by_code("79"), Period("quarter", date(2026, 1, 1), date(2026, 3, 31)))
        assert (q1.total.tally.total_count, q1.total.tally.total_reached) == (1, 40)  # the talk of 31 March
        assert q1.total.figures["citizens"].covered == 2 and q1.total.new["citizens"] == 2  # a1, a2
        # the banners began on 30 June: they count in June, never in July as well
        july = build(by_code("79"), Period("month", date(2026, 7, 1), date(2026, 7, 31)))
        assert july.total.tally.total_count == 0
        assert july.total.new["citizens"] == 1  # a4, covered on 15 July
        commune = build(by_code("26734"), Q2)
        assert (commune.total.tally.total_count, commune.total.tally.total_reached) == (2, 1250)
        assert commune.rows == []  # a commune has no units below
        hanoi = build(by_code("01"), Q2)
        assert (hanoi.total.tally.total_count, hanoi.total.tally.total_reached) == (1, 77)
        country = build(None, Q2)
        assert country.total.tally.total_count == 5
        assert [r.code for r in country.rows] == ["01", "79"]  # Hà Nội before Hồ Chí Minh


def test_periods() -> None:
    today = date(2026, 8, 20)
    assert parse_period({}, today) == Period("month", date(2026, 8, 1), date(2026, 8, 31))
    assert parse_period({"period": "month", "year": "2024", "month": "2"}, today).end == date(2024, 2, 29)
    assert parse_period({"period": "quarter", "year": "2026", "quarter": "4"}, today) == Period(
        "quarter", date(2026, 10, 1), date(2026, 12, 31))
    assert parse_period({"period": "quarter"}, today).start == date(2026, 7, 1)
    assert parse_period({"period": "year", "year": "2025"}, today).slug == "2025"
    custom = parse_period({"period": "custom", "from": "2026-01-15", "to": "2026-03-31"}, today)
    assert custom.slug == "2026-01-15_2026-03-31" and custom.args()["from"] == "2026-01-15"
    for bad in ({"period": "week"}, {"month": "13"}, {"year": "99999999999999999999"}, {"year": "x"},
                {"period": "quarter", "quarter": "5"}, {"period": "custom", "from": "2026-03-01", "to": "2026-02-01"},
                {"period": "custom", "from": "hôm qua", "to": "2026-02-01"},
                {"period": "custom", "from": "2020-01-01", "to": "2027-01-01"}):
        with pytest.raises(PeriodError):
            parse_period(bad, today)


def test_the_checks_refuse_bad_activities(app, units) -> None:
    from lms.outreach.services import MAX_REACHED, ActivityData, OutreachError, check
    from lms.units.services import by_code

    with app.test_request_context():
        unit = by_code("26734")
        good = ActivityData(unit, "meeting", date(2026, 4, 5), None, 50, "  ghi chú \r\n dòng 2 ")
        cleaned = check(good)
        assert cleaned.ends_on == date(2026, 4, 5) and cleaned.note == "ghi chú \n dòng 2"
        cases = {
            "unit": ActivityData(None, "meeting", date(2026, 4, 5), None, 50),
            "kind": ActivityData(unit, "concert", date(2026, 4, 5), None, 50),
            "starts_on": ActivityData(unit, "meeting", date(1999, 4, 5), None, 50),
            "ends_on": ActivityData(unit, "meeting", date(2026, 4, 5), date(2026, 4, 4), 50),
            "reached": ActivityData(unit, "meeting", date(2026, 4, 5), None, MAX_REACHED + 1),
            "note": ActivityData(unit, "meeting", date(2026, 4, 5), None, 5, "x" * 1001),
        }
        for field, data in cases.items():
            with pytest.raises(OutreachError) as error:
                check(data)
            assert error.value.field == field
        with pytest.raises(OutreachError):
            check(ActivityData(unit, "meeting", date(2026, 4, 5), None, -1))
        with pytest.raises(OutreachError):
            check(ActivityData(unit, "visual", date(2026, 1, 1), date(2027, 1, 2), 1))  # longer than a year
