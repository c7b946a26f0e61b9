"""The class table: statuses, filters, sorting, a constant number of queries, the learner's page, essays."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.classes.models import Classroom
from lms.classes.progress import class_progress, name_key
from lms.courses.models import CourseResult, Lesson, LessonProgress
from lms.courses.services import mark_lesson_done
from lms.db import db, now_utc
from lms.quiz.grading import update_course_result
from lms.quiz.models import Answer, Attempt
from tests.classes_helpers import course_id, enroll, make_attempt, make_class
from tests.conftest import login, make_user, post_form


def _lessons(app, user_id: int, slug: str, *, days_ago: int = 0, count: int | None = None) -> None:
    with app.app_context():
        lessons = db.session.scalars(
            select(Lesson).join(Lesson.course).where(Lesson.course.has(slug=slug)).order_by(Lesson.position)
        ).all()
        for lesson in lessons[:count]:
            mark_lesson_done(user_id, lesson)  # as the learner's "done" button does
            db.session.get(LessonProgress, (user_id, lesson.id)).completed_at = now_utc() - timedelta(days=days_ago)
        db.session.commit()


def _finish(app, user_id: int, slug: str, score: float, number: int = 1) -> None:
    make_attempt(app, user_id, slug, number=number, state="finished", score=score)
    with app.app_context():
        update_course_result(user_id, course_id(app, slug))
        db.session.commit()


@pytest.fixture
def klass(app, client, courses, units):
    """A class on the citizens' path (dien-thoai with a quiz, mat-khau without) with six learners."""
    teacher = make_user(app, "co.lan", roles={"teacher"}, locale="en")
    class_id = make_class(app, teacher)
    names = {
        "idle": "Đặng Văn Dũng",
        "fresh": "Nguyễn Thị Em",
        "none": "Trần Văn An",
        "done": "Lê Thị Bích",
        "out": "Phạm Văn Cường",
        "essay": "Vũ Thị Giang",
    }
    ids = {key: make_user(app, f"09123456{i:02d}", full_name=name) for i, (key, name) in enumerate(names.items())}
    enroll(app, class_id, *ids.values())
    _lessons(app, ids["done"], "dien-thoai")
    _lessons(app, ids["done"], "mat-khau")
    _finish(app, ids["done"], "dien-thoai", 100.0)
    _finish(app, ids["out"], "dien-thoai", 20.0, 1)
    _finish(app, ids["out"], "dien-thoai", 40.0, 2)  # max_attempts is 2
    _lessons(app, ids["idle"], "dien-thoai", days_ago=10, count=1)
    _lessons(app, ids["fresh"], "dien-thoai", count=1)
    make_attempt(app, ids["essay"], "dien-thoai", state="pending_review", score=None, essay="Dùng mật khẩu dài")
    login(client, "co.lan")
    return {"class_id": class_id, "ids": ids, "teacher": teacher}


def _statuses(html: str) -> dict[str, str]:
    rows = re.findall(r'<tr data-status="(\w+)">\s*<td class="who"><a [^>]*>([^<]+)</a>', html)
    return {name: status for status, name in rows}


def test_statuses_of_learners_and_cells(app, klass) -> None:
    with app.app_context():
        table = class_progress(db.session.get(Classroom, klass["class_id"]))
    by_id = {row.user_id: row for row in table.rows}
    ids = klass["ids"]
    assert [c.slug for c in table.courses] == ["dien-thoai", "mat-khau"]
    assert by_id[ids["none"]].status == "not_started"
    assert by_id[ids["done"]].status == "passed"
    done = by_id[ids["done"]].cells
    assert done[0].certificate and done[0].best_percent == 100.0 and done[0].lessons_done == 2
    assert done[1].status == "passed" and not done[1].has_quiz  # no quiz: all lessons done is a pass
    assert by_id[ids["out"]].status == "stuck" and by_id[ids["out"]].cells[0].attempts_used == 2
    assert by_id[ids["idle"]].status == "stuck"
    assert by_id[ids["fresh"]].status == "in_progress"
    essay = by_id[ids["essay"]]
    assert essay.status == "in_progress" and essay.cells[0].pending == 1
    assert table.counts() == {"not_started": 1, "in_progress": 2, "stuck": 2, "passed": 1, "all": 6}


def test_page_filters_and_sorts(client, klass) -> None:
    base = f"/teach/classes/{klass['class_id']}/"
    html = client.get(base).get_data(as_text=True)
    assert list(_statuses(html)) == [
        "Trần Văn An",
        "Lê Thị Bích",
        "Phạm Văn Cường",
        "Đặng Văn Dũng",
        "Nguyễn Thị Em",
        "Vũ Thị Giang",
    ]  # by given name, Vietnamese style
    assert "Stuck (2)" in html and "Not started (1)" in html and "Passed (1)" in html
    assert "1 essay answer(s) wait for your grade." in html
    stuck = _statuses(client.get(base + "?status=stuck").get_data(as_text=True))
    assert set(stuck) == {"Phạm Văn Cường", "Đặng Văn Dũng"} and set(stuck.values()) == {"stuck"}
    assert set(_statuses(client.get(base + "?status=not_started").get_data(as_text=True))) == {"Trần Văn An"}
    assert set(_statuses(client.get(base + "?status=passed").get_data(as_text=True))) == {"Lê Thị Bích"}
    by_progress = list(_statuses(client.get(base + "?sort=progress&dir=desc").get_data(as_text=True)))
    assert by_progress[0] == "Lê Thị Bích" and by_progress[-1] == "Trần Văn An"
    by_name_desc = list(_statuses(client.get(base + "?sort=name&dir=desc").get_data(as_text=True)))
    assert by_name_desc[0] == "Vũ Thị Giang"
    assert client.get(base + "?status=bogus&sort=bogus").status_code == 200


def test_name_key_goes_by_given_name() -> None:
    names = ["Nguyễn Văn Bình", "Trần Thị An", "Lê Ánh"]
    assert sorted(names, key=name_key) == ["Trần Thị An", "Lê Ánh", "Nguyễn Văn Bình"]


def test_removed_learners_leave_the_table(app, client, klass) -> None:
    from lms.classes.services import remove_learner

    with app.app_context():
        remove_learner(
            db.session.get(Classroom, klass["class_id"]),
            klass["ids"]["none"],
            db.session.get(User, klass["teacher"]),
        )
    html = client.get(f"/teach/classes/{klass['class_id']}/").get_data(as_text=True)
    assert "Trần Văn An" not in html and "All (5)" in html


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: object, **kwargs: object) -> None:
        self.count += 1


def _queries(app, fn) -> int:
    counter = _Counter()
    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            fn()
        finally:
            event.remove(engine, "before_cursor_execute", counter)
    return counter.count


def test_constant_number_of_queries_whatever_the_class_size(app, client, klass) -> None:
    url = f"/teach/classes/{klass['class_id']}/"
    small_page = _queries(app, lambda: client.get(url))
    with app.app_context():
        small = _queries(app, lambda: class_progress(db.session.get(Classroom, klass["class_id"])))
    more = [make_user(app, f"08123456{i:02d}", full_name=f"Học viên {i}") for i in range(30)]
    enroll(app, klass["class_id"], *more)
    for i, user_id in enumerate(more):
        _lessons(app, user_id, "dien-thoai", count=1 + i % 2)
        if i % 3 == 0:
            _finish(app, user_id, "dien-thoai", 30.0 + i)
    with app.app_context():
        large = _queries(app, lambda: class_progress(db.session.get(Classroom, klass["class_id"])))
    large_page = _queries(app, lambda: client.get(url))
    assert small == large <= 12
    assert small_page == large_page


def test_learner_page_shows_attempts_and_progress(app, client, klass) -> None:
    out = klass["ids"]["out"]
    html = client.get(f"/teach/classes/{klass['class_id']}/learners/{out}").get_data(as_text=True)
    assert "Phạm Văn Cường" in html and "2/2" in html
    assert len(re.findall(r'data-attempt="\d+" data-state="finished"', html)) == 2
    assert "One more attempt" in html and "Give more time" in html


def test_essays_wait_and_grading_finishes_the_attempt(app, client, klass) -> None:
    class_id, learner = klass["class_id"], klass["ids"]["essay"]
    listing = client.get(f"/teach/classes/{class_id}/essays").get_data(as_text=True)
    assert "Vũ Thị Giang" in listing
    with app.app_context():
        answer = db.session.scalar(select(Answer).where(Answer.fraction.is_(None)))
    url = f"/teach/classes/{class_id}/essays/{answer.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Dùng mật khẩu dài" in page and "Hãy mô tả cách tạo mật khẩu mạnh" in page and "Dài, khó đoán" in page
    assert post_form(client, url, {"percent": "150"}).status_code == 422
    response = post_form(client, url, {"percent": "80", "feedback": "Tốt, nhưng hãy nêu ví dụ."})
    assert response.status_code == 302
    with app.app_context():
        answer = db.session.get(Answer, answer.id)
        attempt = db.session.get(Attempt, answer.attempt_id)
        assert answer.fraction == 0.8 and answer.graded_by_id == klass["teacher"]
        assert answer.feedback == "Tốt, nhưng hãy nêu ví dụ."
        assert attempt.state == "finished" and attempt.score_percent == 90.0
        result = db.session.get(CourseResult, (learner, attempt.course_id))
        assert result.passed and result.best_percent == 90.0
        assert db.session.scalar(select(Certificate).where(Certificate.user_id == learner)) is not None
    assert "No essay waits for a grade." in client.get(f"/teach/classes/{class_id}/essays").get_data(as_text=True)


def test_essay_of_another_class_is_not_found(app, client, klass) -> None:
    other_class = make_class(app, klass["teacher"], name="Lớp khác")
    with app.app_context():
        answer = db.session.scalar(select(Answer).where(Answer.fraction.is_(None)))
    assert client.get(f"/teach/classes/{other_class}/essays/{answer.id}").status_code == 404
    assert client.get(f"/teach/classes/{klass['class_id']}/essays/999999").status_code == 404
