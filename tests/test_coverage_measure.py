"""The measure on a hand-built population with known answers (the same on SQLite and PostgreSQL).

On 2026-06-30, 2026 (tests/coverage_helpers.py):
  a1  citizen, 26734: a path certificate and a course certificate  -> counted once
  a2  citizen, 26734: revoked path certificate, then a valid one     -> counted once, from March
  a3  citizen, 26740: revoked only                                   -> not counted
  a4  citizen, 26740: issued 15 July, after the report date         -> not counted (counted on 31 Dec)
  a5  official, 26740: issued Nov 2025                               -> counted, in the "before the year" bucket
  a6  worker, 26734: holds the citizens' path                        -> not counted (not their audience)
  a7  student, 00004 (Hà Nội)                                        -> counted in 01, not in 79
  a8  citizen registered at province 79 itself                       -> counted in 79
  a9  citizen without a unit                                         -> counted in no unit ("unassigned")
  a10 official, 26734: course certificate only                      -> not counted
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import delete, select, update

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.coverage.measure import Scope, counts, live_counts
from lms.coverage.models import Baseline
from lms.coverage.report import Figure, build_report, default_date, percent_of, sort_rows
from lms.coverage.targets import TargetValue
from lms.db import db
from lms.units.services import by_code
from tests.coverage_helpers import REPORT_DAY, add_certificate, build_population


@pytest.fixture
def population(app, units):
    return build_population(app)


def figures(report, indicator: str) -> tuple:
    f = report.figures[indicator]
    return f.covered, f.population, f.percent, f.status


def test_province_figures(app, population) -> None:
    with app.app_context():
        report = build_report(by_code("79"), 2026, REPORT_DAY)
        # a1 (two certificates) and a2 (revoked + re-issued) once each, a8 at the province itself
        assert figures(report, "citizens") == (3, 30, Decimal("10.00"), "met")  # target 10% set for 79
        assert report.figures["citizens"].target.unit_code == "79"
        assert figures(report, "officials") == (1, 4, Decimal("25.00"), "behind")  # default target 100%
        assert report.figures["officials"].gap == Decimal("75.00")
        # no baseline anywhere in 79: "no baseline", never a division by zero
        assert figures(report, "students") == (0, None, None, "none")
        assert report.figures["students"].baseline_status == "none"
        # a baseline for one commune of two: summed but flagged, no percent
        assert figures(report, "workers") == (0, 5, None, "none")
        assert report.figures["workers"].baseline_status == "partial"
        assert report.figures["all"].covered == 4
        assert report.unassigned == 0


def test_commune_figures_and_inherited_targets(app, population) -> None:
    with app.app_context():
        saigon = build_report(by_code("26734"), 2026, REPORT_DAY)
        assert figures(saigon, "citizens") == (2, 10, Decimal("20.00"), "met")  # own count target: 2 persons
        assert saigon.figures["citizens"].target == TargetValue("citizens", "count", 2.0, "test", "26734")
        assert saigon.figures["citizens"].gap == 0
        assert figures(saigon, "workers") == (0, 5, Decimal("0.00"), "behind")
        assert figures(saigon, "vneid") == (3, 8, Decimal("37.50"), "behind")  # reported 3 of 8 adults
        assert saigon.children == []
        tan_dinh = build_report(by_code("26740"), 2026, REPORT_DAY)
        assert figures(tan_dinh, "citizens") == (0, 20, Decimal("0.00"), "behind")  # 79's 10% applies
        assert tan_dinh.figures["citizens"].target.unit_code == "79"
        assert figures(tan_dinh, "officials") == (1, None, None, "none")


def test_country_figures(app, population) -> None:
    with app.app_context():
        report = build_report(None, 2026, REPORT_DAY)
        assert report.figures["citizens"].covered == 3  # a9 has no unit
        assert report.unassigned == 1
        assert report.figures["officials"].covered == 1
        assert report.figures["students"].covered == 1
        assert report.figures["workers"].covered == 0
        # the country's population is the sum of its provinces; Hà Nội has no citizens' baseline
        assert report.figures["citizens"].population == 30 and report.figures["citizens"].percent is None
        assert report.figures["students"].population == 2 and report.figures["students"].complete is False
        assert report.figures["citizens"].target.unit_code is None  # the default, 100%
        by_code_ = {row.node.code: row for row in report.children}
        assert set(by_code_) == {"79", "01"}
        assert by_code_["01"].figures["students"].percent == Decimal("50.00")
        assert by_code_["79"].figures["citizens"].covered == 3


def test_drill_down_rows_and_direct_registrations(app, population) -> None:
    with app.app_context():
        report = build_report(by_code("79"), 2026, REPORT_DAY)
        rows = {row.node.code if row.node else "direct": row for row in report.children}
        assert set(rows) == {"26734", "26740", "direct"}
        assert rows["26734"].figures["citizens"].covered == 2
        assert rows["26740"].figures["officials"].covered == 1
        assert rows["direct"].figures["citizens"].covered == 1  # a8
        ordered = sort_rows(report.children, "percent", True, "citizens")
        assert [r.node.code if r.node else None for r in ordered] == ["26734", "26740", None]
        ordered = sort_rows(report.children, "covered", False, "all")
        assert [r.node.code if r.node else None for r in ordered] == ["26740", "26734", None]


def test_report_date_moves_the_figures(app, population) -> None:
    with app.app_context():
        assert build_report(by_code("79"), 2026, date(2026, 12, 31)).figures["citizens"].covered == 4  # + a4
        assert build_report(by_code("79"), 2026, date(2026, 2, 10)).figures["citizens"].covered == 1  # a1 only
        assert build_report(by_code("79"), 2026, date(2026, 2, 9)).figures["citizens"].covered == 0
        # a revoked certificate never counts, even on a date before its revocation was known
        assert build_report(by_code("79"), 2026, date(2026, 1, 31)).figures["citizens"].covered == 0
        # 2025's report uses 2025's baseline and targets
        past = build_report(by_code("26734"), 2025, date(2025, 12, 31))
        assert past.figures["citizens"].covered == 0 and past.figures["citizens"].population == 999
        assert past.figures["citizens"].target.value == 70.0  # Plan 370-KH/TU, 2025


def test_trend_is_cumulative_per_month(app, population) -> None:
    with app.app_context():
        trend = build_report(by_code("79"), 2026, REPORT_DAY).trend
        assert [p.month for p in trend] == [1, 2, 3, 4, 5, 6]
        assert [p.covered["citizens"] for p in trend] == [0, 1, 2, 3, 3, 3]
        assert [p.covered["officials"] for p in trend] == [1] * 6  # covered since November 2025
        full = build_report(by_code("79"), 2026, date(2026, 12, 31)).trend
        assert len(full) == 12 and full[6].covered["citizens"] == 4
        assert build_report(by_code("79"), 2027, date(2026, 6, 30)).trend == []
        # 2025 seen from mid-2026: its own twelve months, nothing issued in 2026
        past = build_report(by_code("79"), 2025, REPORT_DAY).trend
        assert len(past) == 12 and past[-1].covered == {"officials": 1, "students": 0, "workers": 0, "citizens": 0}
        assert past[9].covered["officials"] == 0 and past[10].covered["officials"] == 1  # November


def test_table_equals_definition(app, population) -> None:
    with app.app_context():
        for day in (date(2025, 12, 31), date(2026, 2, 10), REPORT_DAY, date(2026, 12, 31)):
            for scope in (Scope(None), Scope("/79/"), Scope("/79/26734/"), Scope("/01/")):
                assert counts(scope, day) == live_counts(scope, day), (scope, day)
        assert counts(Scope(None), REPORT_DAY)[(None, "citizens")] == 1  # a9


def _check(app) -> dict:
    with app.app_context():
        fast = counts(Scope(None), date(2026, 12, 31))
        assert fast == live_counts(Scope(None), date(2026, 12, 31))
        return fast


def test_triggers_follow_every_change(app, population) -> None:
    ids = population
    unit = {}
    with app.app_context():
        unit = {code: by_code(code).id for code in ("26734", "26740", "00004")}
    before = _check(app)
    assert before[(unit["26734"], "citizens")] == 2
    with app.app_context():  # the person moves: counted where they live now
        db.session.get(User, ids["a1"]).unit_id = unit["00004"]
        db.session.commit()
    after = _check(app)
    assert after[(unit["26734"], "citizens")] == 1 and after[(unit["00004"], "citizens")] == 1
    with app.app_context():  # a new audience: the old path no longer counts
        db.session.get(User, ids["a5"]).audience = "citizens"
        db.session.commit()
    assert (unit["26740"], "officials") not in _check(app)
    with app.app_context():  # revoked by a Core UPDATE (no ORM event would see it; the trigger does)
        db.session.execute(update(Certificate).where(Certificate.user_id == ids["a2"],
                                                     Certificate.status == "valid").values(status="revoked"))
        db.session.commit()
    assert (unit["26734"], "citizens") not in _check(app)
    with app.app_context():
        db.session.execute(delete(Certificate).where(Certificate.user_id == ids["a7"]))
        cert = db.session.scalar(select(Certificate).where(Certificate.user_id == ids["a4"]))
        cert.user_id = ids["a3"]  # moved to another person: both are recomputed
        db.session.commit()
    after = _check(app)
    assert (unit["00004"], "students") not in after and after[(unit["26740"], "citizens")] == 1
    with app.app_context():
        add_certificate(ids["a6"], "workers", date(2026, 3, 1))
        db.session.commit()
    assert _check(app)[(unit["26734"], "workers")] == 1
    with app.app_context():  # a person's data deleted: their row goes too
        db.session.execute(delete(Certificate).where(Certificate.user_id == ids["a9"]))
        db.session.execute(delete(User).where(User.id == ids["a9"]))
        db.session.commit()
    assert (None, "citizens") not in _check(app)


def test_percent_and_status_rules() -> None:
    assert percent_of(1, 3) == Decimal("33.33") and percent_of(2, 3) == Decimal("66.67")
    assert percent_of(1, 8) == Decimal("12.50") and percent_of(1, 0) is None and percent_of(0, None) is None
    target = TargetValue("citizens", "percent", 70.0, "")
    assert Figure("citizens", 70, 100, True, target).status == "met"
    assert Figure("citizens", 63, 100, True, target).status == "near"  # 90% of the target
    assert Figure("citizens", 62, 100, True, target).status == "behind"
    assert Figure("citizens", 5, 0, True, target).percent is None  # a zero baseline: no division
    assert Figure("citizens", 5, None, True, target).status == "none"
    count = TargetValue("vneid", "count", 1000.0, "")
    assert Figure("vneid", 950, None, False, count).status == "near"
    assert Figure("vneid", 950, None, False, count).gap == 50
    assert Figure("vneid", None, 10, True, count).status == "none"  # not reported


def test_default_report_date() -> None:
    today = date(2026, 11, 27)
    assert default_date(2026, today) == today
    assert default_date(2025, today) == date(2025, 12, 31)
    assert default_date(2027, today) == today


def test_roll_up_with_an_older_district_level(app) -> None:
    """Pre-2025 data: province > district > commune. A figure entered at any level wins over the
    sum below it; a unit is complete only when everything below it is."""
    from lms.coverage.baselines import save_baselines
    from lms.units.importer import UnitRow, import_units

    with app.app_context():
        import_units([UnitRow("75", "Đồng Nai", "province", None), UnitRow("731", "Biên Hòa", "district", "75"),
                      UnitRow("26041", "Trảng Dài", "commune", "731"), UnitRow("26044", "Tân Phong", "commune", "731"),
                      UnitRow("732", "Long Khánh", "district", "75"), UnitRow("26080", "Xuân An", "commune", "732"),
                      UnitRow("26098", "Bảo Vinh", "commune", "75")], "t", "old-list")
        ids = {code: by_code(code).id for code in ("731", "732", "26041", "26044", "26080", "26098")}
        save_baselines([(ids["26041"], "citizens", 2026, 10), (ids["26044"], "citizens", 2026, 20),
                        (ids["732"], "citizens", 2026, 300), (ids["26080"], "citizens", 2026, 7),
                        (ids["26098"], "citizens", 2026, 5)])
        db.session.commit()
        report = build_report(by_code("75"), 2026, REPORT_DAY)
        rows = {row.node.code: row.figures["citizens"] for row in report.children}
        assert (rows["731"].population, rows["731"].complete) == (30, True)  # its two communes
        assert (rows["732"].population, rows["732"].complete) == (300, True)  # its own figure, not 7
        assert report.figures["citizens"].population == 335 and report.figures["citizens"].complete
        db.session.execute(delete(Baseline).where(Baseline.unit_id == ids["26044"]))
        db.session.commit()
        report = build_report(by_code("75"), 2026, REPORT_DAY)
        assert report.figures["citizens"].population == 315 and not report.figures["citizens"].complete
        assert report.figures["citizens"].percent is None and report.figures["citizens"].baseline_status == "partial"
