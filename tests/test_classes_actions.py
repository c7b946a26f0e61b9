"""A teacher's actions for one learner: reset an attempt, grant an attempt, more time, remove."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.accounts.models import AuditLog
from lms.courses.models import Course, CourseResult
from lms.db import db, now_utc
from lms.quiz import attempts as quiz
from lms.quiz.grading import update_course_result
from lms.quiz.models import Answer, Attempt, QuizOverride
from tests.classes_helpers import course_id, enroll, make_attempt, make_class
from tests.conftest import login, make_user, post_form


@pytest.fixture
def setup(app, client, courses, units):
    teacher = make_user(app, "co.lan", roles={"teacher"})
    learner = make_user(app, "0912345601", full_name="Nguyễn Văn An")
    class_id = make_class(app, teacher)
    enroll(app, class_id, learner)
    login(client, "co.lan")
    return {
        "class_id": class_id,
        "learner": learner,
        "teacher": teacher,
        "course": course_id(app, "dien-thoai"),
        "page": f"/teach/classes/{class_id}/learners/{learner}",
    }


def _course(app) -> Course:
    return db.session.scalar(select(Course).where(Course.slug == "dien-thoai"))


def _audit(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == action))


def test_reset_frees_an_attempt_and_keeps_the_data(app, client, setup) -> None:
    learner = setup["learner"]
    first = make_attempt(app, learner, "dien-thoai", number=1, score=20.0)
    make_attempt(app, learner, "dien-thoai", number=2, score=40.0)
    with app.app_context():
        update_course_result(learner, setup["course"])
        db.session.commit()
        assert quiz.attempts_used(learner, _course(app)) == 2
        with pytest.raises(quiz.QuizError):
            quiz.start_attempt(learner, _course(app), app.extensions["lms"].question_types)
    response = post_form(client, setup["page"], {}, action=f"{setup['page']}/attempts/{first}/reset")
    assert response.status_code == 302
    with app.app_context():
        attempt = db.session.get(Attempt, first)
        assert attempt.state == "abandoned" and attempt.score_percent == 20.0
        assert db.session.scalar(select(func.count(Answer.id)).where(Answer.attempt_id == first)) == 1
        assert quiz.attempts_used(learner, _course(app)) == 1
        result = db.session.get(CourseResult, (learner, setup["course"]))
        assert result.attempts_finished == 1 and result.best_percent == 40.0
        started = quiz.start_attempt(learner, _course(app), app.extensions["lms"].question_types)
        assert started.number == 3
    assert _audit(app, "attempt_reset") == 1


def test_reset_a_running_attempt(app, client, setup) -> None:
    running = make_attempt(app, setup["learner"], "dien-thoai", state="in_progress", minutes_left=5)
    post_form(client, setup["page"], {}, action=f"{setup['page']}/attempts/{running}/reset")
    with app.app_context():
        assert db.session.get(Attempt, running).state == "abandoned"
        assert quiz.open_attempt(setup["learner"], _course(app)) is None


def test_grant_an_extra_attempt(app, client, setup) -> None:
    url = f"{setup['page']}/courses/{setup['course']}/attempt"
    for _ in range(2):
        assert post_form(client, setup["page"], {}, action=url).status_code == 302
    with app.app_context():
        assert quiz.allowed_attempts(setup["learner"], _course(app)) == 4  # 2 + 2
        assert db.session.get(QuizOverride, (setup["learner"], setup["course"])).extra_attempts == 2
    assert _audit(app, "attempt_granted") == 2


def test_extend_time_for_future_and_running_attempts(app, client, setup) -> None:
    running = make_attempt(app, setup["learner"], "dien-thoai", state="in_progress", minutes_left=3)
    with app.app_context():
        before = db.session.get(Attempt, running).deadline
    url = f"{setup['page']}/courses/{setup['course']}/time"
    assert post_form(client, setup["page"], {"minutes": "15"}, action=url).status_code == 302
    with app.app_context():
        assert db.session.get(Attempt, running).deadline - before == timedelta(minutes=15)
        assert db.session.get(QuizOverride, (setup["learner"], setup["course"])).extra_minutes == 15
        db.session.get(Attempt, running).state = "finished"
        db.session.commit()
        now = now_utc()
        fresh = quiz.start_attempt(setup["learner"], _course(app), app.extensions["lms"].question_types, now=now)
        assert fresh.deadline == now + timedelta(minutes=10 + 15)
    for bad in ("0", "601", "abc"):
        post_form(client, setup["page"], {"minutes": bad}, action=url)
    with app.app_context():
        assert db.session.get(QuizOverride, (setup["learner"], setup["course"])).extra_minutes == 15


def test_extend_time_after_the_deadline_counts_from_now(app, client, setup) -> None:
    running = make_attempt(app, setup["learner"], "dien-thoai", state="in_progress", minutes_left=-20)
    post_form(client, setup["page"], {"minutes": "10"}, action=f"{setup['page']}/courses/{setup['course']}/time")
    with app.app_context():
        remaining = quiz.remaining_seconds(db.session.get(Attempt, running))
    assert 9 * 60 < remaining <= 10 * 60


def test_remove_keeps_records(app, client, setup) -> None:
    from lms.classes.models import Enrollment

    attempt = make_attempt(app, setup["learner"], "dien-thoai", score=90.0)
    response = post_form(client, setup["page"], {}, action=f"{setup['page']}/remove")
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(Enrollment, (setup["class_id"], setup["learner"]))
        assert row is not None and row.removed_at is not None
        assert db.session.get(Attempt, attempt) is not None
    assert client.get(setup["page"]).status_code == 404
    assert "Nguyễn Văn An" not in client.get(f"/teach/classes/{setup['class_id']}/").get_data(as_text=True)
    assert _audit(app, "class_remove_learner") == 1


def test_actions_need_the_csrf_token(app, client, setup) -> None:
    attempt = make_attempt(app, setup["learner"], "dien-thoai", score=20.0)
    for action in (
        f"/attempts/{attempt}/reset",
        f"/courses/{setup['course']}/attempt",
        "/remove",
        f"/courses/{setup['course']}/time",
    ):
        assert client.post(setup["page"] + action, data={"minutes": "5"}).status_code == 400
    with app.app_context():
        assert db.session.get(Attempt, attempt).state == "finished"
        assert db.session.get(QuizOverride, (setup["learner"], setup["course"])) is None


def test_actions_on_a_course_outside_the_class_or_another_learners_attempt(app, client, setup) -> None:
    other_class = make_class(app, setup["teacher"], slugs=["mat-khau"], name="Chỉ mật khẩu")
    enroll(app, other_class, setup["learner"])
    page = f"/teach/classes/{other_class}/learners/{setup['learner']}"
    assert post_form(client, page, {}, action=f"{page}/courses/{setup['course']}/attempt").status_code == 404
    stranger = make_user(app, "0912345699")
    theirs = make_attempt(app, stranger, "dien-thoai", score=10.0)
    response = post_form(client, setup["page"], {}, action=f"{setup['page']}/attempts/{theirs}/reset")
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Attempt, theirs).state == "finished"
