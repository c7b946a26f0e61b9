"""The signed-in page cache: served from memory while nothing changed, fresh the moment anything did.

Every change below is made the way the LMS or another server makes it (the pages' own forms, the
services, a plain SQL statement with no ORM involved); the page must show it on the next request.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from lms.courses.loader import import_courses
from lms.courses.models import Course, Lesson
from lms.db import db
from tests.conftest import FIXTURES, csrf_from, login, make_user, post_form

COURSE = "dien-thoai"


def _cache(app):
    return app.extensions["lms"].extras["page_cache"]


@pytest.fixture
def learner(courses):
    make_user(courses)
    return courses


def _signed_in(app):
    client = app.test_client()
    login(client)
    return client


def _lesson_url(app, index: int = 0) -> str:
    with app.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.slug == COURSE))
        return f"/courses/{COURSE}/lessons/{course.lessons[index].slug}"


def test_a_repeated_page_is_served_from_the_cache_with_a_fresh_working_token(learner) -> None:
    client = _signed_in(learner)
    url = _lesson_url(learner)
    first = client.get(url).get_data(as_text=True)
    hits = _cache(learner).hits
    second = client.get(url).get_data(as_text=True)
    assert _cache(learner).hits == hits + 1
    assert "lms-csrf-placeholder" not in first + second
    # the body is the same page, with this request's own token in its forms
    assert re.sub(r'value="[^"]{40,}"', "", first) == re.sub(r'value="[^"]{40,}"', "", second)
    # the token of the cached copy is accepted: marking the lesson done from it works
    response = client.post(url + "/done", data={"csrf_token": csrf_from(second)})
    assert response.status_code == 302


def test_a_second_browser_of_the_same_learner_gets_its_own_valid_token(learner) -> None:
    url = _lesson_url(learner)
    _signed_in(learner).get(url)
    other = _signed_in(learner)
    page = other.get(url).get_data(as_text=True)
    assert other.post(url + "/done", data={"csrf_token": csrf_from(page)}).status_code == 302


def test_marking_a_lesson_done_shows_at_once_on_the_course_and_path_pages(learner) -> None:
    client = _signed_in(learner)
    course_page = f"/courses/{COURSE}/"
    before_course, before_home = client.get(course_page).get_data(as_text=True), client.get("/").get_data(as_text=True)
    client.get(course_page), client.get("/")  # now certainly cached
    post_form(client, _lesson_url(learner), {}, action=_lesson_url(learner) + "/done")
    after_course, after_home = client.get(course_page).get_data(as_text=True), client.get("/").get_data(as_text=True)
    assert after_course != before_course
    assert after_home != before_home
    assert "1/2" in after_course or "1 / 2" in after_course or "1/2" in after_home


def test_a_change_made_by_plain_sql_elsewhere_reaches_the_page(learner) -> None:
    """Another server, a command or a Core statement: no ORM event, the trigger still moves the version."""
    client = _signed_in(learner)
    course_page = f"/courses/{COURSE}/"
    before = client.get(course_page).get_data(as_text=True)
    with learner.app_context():
        lesson = db.session.scalar(sa.select(Lesson).join(Course).where(Course.slug == COURSE))
        db.session.execute(sa.text(
            "INSERT INTO lms_lesson_progress (user_id, lesson_id, completed_at) VALUES (1, :lesson, :now)"),
            {"lesson": lesson.id, "now": "2026-12-01 10:00:00"})
        db.session.commit()
    assert client.get(course_page).get_data(as_text=True) != before


def test_a_course_re_imported_with_new_text_shows_the_new_text(learner, tmp_path) -> None:
    import shutil

    client = _signed_in(learner)
    url = _lesson_url(learner)
    assert "Một dòng mới của bài học" not in client.get(url).get_data(as_text=True)
    client.get(url)
    folder = tmp_path / "courses"
    shutil.copytree(FIXTURES / "courses", folder)
    lesson_file = folder / COURSE / "lessons" / "01-bat-may.md"
    lesson_file.write_text(lesson_file.read_text(encoding="utf-8") + "\n\nMột dòng mới của bài học.\n",
                           encoding="utf-8")
    with learner.app_context():
        import_courses(folder, learner.extensions["lms"].question_types)
    assert "Một dòng mới của bài học" in client.get(url).get_data(as_text=True)


def test_a_graded_attempt_shows_on_the_course_page(learner) -> None:
    from lms.quiz.attempts import start_attempt, submit_attempt

    client = _signed_in(learner)
    course_page = f"/courses/{COURSE}/"
    client.get(course_page)
    before = client.get(course_page).get_data(as_text=True)
    registry = learner.extensions["lms"].question_types
    with learner.app_context():
        course = db.session.scalar(sa.select(Course).where(Course.slug == COURSE))
        attempt = start_attempt(1, course, registry)
        db.session.commit()
        middle = client.get(course_page).get_data(as_text=True)
        submit_attempt(attempt.id, registry)
        db.session.commit()
    after = client.get(course_page).get_data(as_text=True)
    assert middle != before  # the running attempt shows ("continue")
    assert after != middle  # and then its score


def test_two_learners_never_share_a_cached_page(learner) -> None:
    make_user(learner, "0912345679", full_name="Trần Thị Bình", roles={"teacher"})
    first = _signed_in(learner)
    second = learner.test_client()
    login(second, "0912345679")
    first.get("/courses/"), first.get("/courses/")
    assert "/teach/" not in first.get("/courses/").get_data(as_text=True)
    assert "/teach/" in second.get("/courses/").get_data(as_text=True)  # the teacher's own menu


def test_a_flashed_message_is_shown_once_and_never_cached(learner) -> None:
    client = _signed_in(learner)
    client.get("/")
    with client.session_transaction() as cookie_session:
        cookie_session["_flashes"] = [("info", "Một thông báo thử")]
    assert "Một thông báo thử" in client.get("/").get_data(as_text=True)
    assert "Một thông báo thử" not in client.get("/").get_data(as_text=True)


def test_signing_out_ends_the_cached_pages_too(learner) -> None:
    client = _signed_in(learner)
    client.get("/courses/")
    assert "/me" in client.get("/courses/").get_data(as_text=True)  # the account link of a signed-in page
    post_form(client, "/me", {}, action="/logout")
    page = client.get("/courses/").get_data(as_text=True)
    assert "/me" not in page and "/login" in page


def test_a_role_granted_elsewhere_shows_at_once(learner) -> None:
    from lms.accounts.models import User
    from lms.accounts.services import set_roles

    client = _signed_in(learner)
    client.get("/courses/"), client.get("/courses/")
    assert "/teach/" not in client.get("/courses/").get_data(as_text=True)
    with learner.app_context():
        set_roles(db.session.get(User, 1), {"teacher"})
        db.session.commit()
    assert "/teach/" in client.get("/courses/").get_data(as_text=True)


def test_a_lesson_page_is_shared_by_learners_in_the_same_state_and_only_them(learner) -> None:
    make_user(learner, "0912345679", full_name="Trần Thị Bình")
    make_user(learner, "0912345670", full_name="Lê Văn Cường", roles={"teacher"})
    url = _lesson_url(learner)
    first, second, teacher = _signed_in(learner), learner.test_client(), learner.test_client()
    login(second, "0912345679")
    login(teacher, "0912345670")
    first.get(url)
    hits = _cache(learner).hits
    assert url + "/done" in second.get(url).get_data(as_text=True)
    assert _cache(learner).hits == hits + 1  # the second learner got the first one's page: nobody's data is on it
    # one learner finishes it: only their page says so
    post_form(first, url, {}, action=url + "/done")
    done_page, other_page = first.get(url).get_data(as_text=True), second.get(url).get_data(as_text=True)
    assert "form" in other_page and url + "/done" in other_page
    assert url + "/done" not in done_page
    # the teacher's menu never reaches a learner's copy, nor the reverse
    assert "/teach/" in teacher.get(url).get_data(as_text=True)
    assert "/teach/" not in second.get(url).get_data(as_text=True)
    for page in (done_page, other_page):
        assert "Nguyễn Văn An" not in page and "Trần Thị Bình" not in page
