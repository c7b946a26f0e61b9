"""Many submits of one attempt at once give exactly one grade (run on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from lms.accounts.models import AuditLog
from lms.certificates.models import Certificate
from lms.courses.loader import import_courses
from lms.courses.models import Course, CourseResult
from lms.db import db
from lms.quiz.answers import save_answer
from lms.quiz.attempts import start_attempt, submit_attempt
from tests.conftest import FIXTURES, make_user
from tests.quiz_helpers import right_answers


def test_twenty_concurrent_submits_grade_once(app) -> None:
    registry = app.extensions["lms"].question_types
    user_id = make_user(app)
    with app.app_context():
        import_courses(FIXTURES / "courses", registry)
        course = db.session.scalar(select(Course).where(Course.slug == "dien-thoai"))
        attempt_id = start_attempt(user_id, course, registry).id
        course_id = course.id
    keys = right_answers(app, attempt_id)
    with app.app_context():
        from lms.quiz.models import Attempt

        attempt = db.session.get(Attempt, attempt_id)
        for position, response in keys.items():
            save_answer(attempt, position, response, registry)
    outcomes: list[bool] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(20)

    def submit() -> None:
        try:
            with app.app_context():
                barrier.wait()
                outcomes.append(submit_attempt(attempt_id, registry).newly_graded)
                db.session.remove()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sorted(outcomes) == [False] * 19 + [True]
    with app.app_context():
        result = db.session.get(CourseResult, (user_id, course_id))
        assert result.attempts_finished == 1 and result.passed
        assert db.session.scalar(select(func.count(Certificate.id)).where(Certificate.kind == "course")) == 1
        issued = db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "certificate_issued"))
        assert issued == 1
