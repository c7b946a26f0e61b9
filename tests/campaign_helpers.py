"""A hand-built campaign population with known answers (see tests/test_campaigns.py's docstring)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from lms.db import db
from tests.conftest import make_user
from tests.coverage_helpers import add_certificate

START, END = date(2026, 10, 10), date(2026, 10, 12)


def vn(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment given in Vietnam's time (UTC+7), as the aware UTC datetime the tables store."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


def build_campaign_population(app) -> dict[str, int]:
    """Learners c1..c10, their lessons, attempts and certificates, baselines for 2026, and a third
    commune 26750 without a baseline. Needs the ``units`` and ``courses`` fixtures."""
    from lms.courses.models import Course, Lesson, LessonProgress
    from lms.coverage.baselines import save_baselines
    from lms.quiz.models import Attempt
    from lms.units.importer import UnitRow, import_units
    from lms.units.services import by_code

    with app.app_context():
        import_units([UnitRow("26750", "Xã Nhỏ Xinh", "commune", "79")], "test", "test-list")
    people = {
        "c1": ("citizens", "26734"), "c2": ("citizens", "26734"), "c3": ("citizens", "26740"),
        "c4": ("citizens", "26740"), "c5": ("workers", "26734"), "c6": ("officials", "26734"),
        "c7": ("citizens", "00004"), "c8": ("citizens", "26734"), "c9": ("citizens", "79"),
        "c10": ("citizens", "26750"),
    }
    ids = {name: make_user(app, f"cd-{name}", audience=audience, unit_code=unit, full_name=f"Người Dự {name.upper()}")
           for name, (audience, unit) in people.items()}
    with app.app_context():
        lessons = list(db.session.scalars(select(Lesson.id).order_by(Lesson.id)))
        course = db.session.scalars(select(Course.id)).first()

        def read(who: str, lesson: int, at: datetime) -> None:
            db.session.add(LessonProgress(user_id=ids[who], lesson_id=lessons[lesson], completed_at=at))

        read("c1", 0, vn(START, 0, 30))  # 00:30 on the first day in Vietnam (17:30 UTC the day before): in
        read("c2", 0, vn(START - timedelta(days=1), 23, 30))  # the evening before: out
        db.session.add(Attempt(user_id=ids["c2"], course_id=course, number=1, snapshot={},
                               started_at=vn(END, 23, 0)))  # 23:00 on the last day: in
        read("c4", 0, vn(END + timedelta(days=1), 0, 0))  # midnight after the last day: out
        read("c5", 0, vn(START, 9))  # a worker: the campaign's audience too
        read("c6", 0, vn(START, 9))  # an official: not the campaign's audience
        read("c7", 0, vn(START, 9))  # Hà Nội: not the campaign's unit
        read("c8", 0, vn(START, 9))
        read("c8", 1, vn(START + timedelta(days=1), 9))
        add_certificate(ids["c1"], "citizens", START)  # covered in the window
        add_certificate(ids["c2"], "citizens", date(2026, 10, 1))  # covered before it
        add_certificate(ids["c3"], "citizens", END)
        add_certificate(ids["c3"], "an-toan-tren-mang", START, kind="course")  # a certificate, no coverage
        add_certificate(ids["c4"], "citizens", END + timedelta(days=1))  # after it
        add_certificate(ids["c5"], "citizens", START)  # a worker's certificate, not their own path
        add_certificate(ids["c6"], "officials", START)
        add_certificate(ids["c7"], "citizens", START)
        add_certificate(ids["c8"], "citizens", START, status="revoked")
        add_certificate(ids["c9"], "citizens", START)  # registered at the province itself
        add_certificate(ids["c10"], "citizens", START)  # the commune without a baseline
        unit = {code: by_code(code).id for code in ("26734", "26740")}
        save_baselines([
            (unit["26734"], "citizens", 2026, 100), (unit["26734"], "workers", 2026, 20),
            (unit["26740"], "citizens", 2026, 10), (unit["26740"], "workers", 2026, 5),
            (unit["26740"], "officials", 2026, 999),  # not the campaign's audience: never added
        ])
        db.session.commit()
    return ids
