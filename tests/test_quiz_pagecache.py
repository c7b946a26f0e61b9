"""The question page of a running attempt is served from the page cache, and is never stale.

Each test first makes sure the page is in the cache (a second GET is a hit), then changes what the
page shows the way the LMS or another server does (the page's form, its script, a plain SQL
statement, the clock) and checks the next response shows the change.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.db import db, now_utc
from lms.quiz.models import Attempt
from tests.conftest import csrf_from, login, make_user
from tests.quiz_helpers import secrets_of
from tests.test_quiz_html import signed_in_attempt, start_quiz


def _cache(app):
    return app.extensions["lms"].extras["page_cache"]


def _cached_get(app, client, url: str) -> str:
    """GET until cached (the first GET of a new position records it); the last must be a hit."""
    for _ in range(2):
        assert client.get(url).status_code == 200
    hits = _cache(app).hits
    second = client.get(url)
    assert second.status_code == 200
    assert _cache(app).hits == hits + 1, "the question page was not served from the cache"
    return second.get_data(as_text=True)


def _checked(page: str) -> list[str]:
    return re.findall(r'name="response" value="([^"]+)" checked', page)


def _sql(app, statement: str, **params) -> None:
    """A plain SQL statement, as another server or a script would run it (JSON and times typed)."""
    types = {"r": sa.JSON(), "t": sa.JSON(), "d": Attempt.__table__.c.deadline.type,
             "now": Attempt.__table__.c.submitted_at.type}
    bound = sa.text(statement).bindparams(*(sa.bindparam(k, type_=types[k]) for k in params if k in types))
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(bound, params)


def _remaining(page: str) -> int:
    return int(re.search(r'data-remaining="(\d+)"', page).group(1))


@pytest.fixture
def running(app):
    client, attempt_id, items = signed_in_attempt(app)
    position = items["truefalse"]
    url = f"/attempts/{attempt_id}/q/{position}"
    return client, attempt_id, position, url


def test_each_saved_answer_shows_at_once_whoever_saved_it(app, running) -> None:
    client, attempt_id, position, url = running
    page = _cached_get(app, client, url)
    assert _checked(page) == []
    # the page's script
    saved = client.put(f"/attempts/{attempt_id}/answers/{position}", json={"response": True},
                       headers={"X-CSRFToken": csrf_from(page)})
    assert saved.status_code == 200
    page = client.get(url).get_data(as_text=True)
    assert _checked(page) == ["true"]
    assert _checked(_cached_get(app, client, url)) == ["true"]
    # the page's own form (JavaScript off)
    moved = client.post(url, data={"csrf_token": csrf_from(page), "response": "false", "answered": "1", "go": "next"})
    assert moved.status_code == 302
    assert _checked(client.get(url).get_data(as_text=True)) == ["false"]
    assert _checked(_cached_get(app, client, url)) == ["false"]
    # another server, by plain SQL: no ORM event, no trigger on answers
    _sql(app, "UPDATE lms_answers SET response = :r WHERE attempt_id = :a AND position = :p",
         r=True, a=attempt_id, p=position)
    assert _checked(client.get(url).get_data(as_text=True)) == ["true"]
    _sql(app, "DELETE FROM lms_answers WHERE attempt_id = :a", a=attempt_id)
    assert _checked(client.get(url).get_data(as_text=True)) == []


def test_a_submitted_attempt_no_longer_shows_its_question(app, running) -> None:
    client, attempt_id, _position, url = running
    page = _cached_get(app, client, url)
    assert client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": csrf_from(page)}).status_code == 302
    after = client.get(url)
    assert after.status_code == 302 and after.headers["Location"].endswith(f"/attempts/{attempt_id}/result")


def test_an_attempt_finished_elsewhere_by_sql_no_longer_shows_its_question(app, running) -> None:
    client, attempt_id, _position, url = running
    _cached_get(app, client, url)
    _sql(app, "UPDATE lms_attempts SET state = 'finished', submitted_at = :now WHERE id = :a",
         now=now_utc(), a=attempt_id)
    after = client.get(url)
    assert after.status_code == 302 and after.headers["Location"].endswith("/result")


def test_the_remaining_time_follows_the_clock_on_a_cached_page(app, running, monkeypatch) -> None:
    client, attempt_id, _position, url = running
    with app.app_context():
        deadline = db.session.get(Attempt, attempt_id).deadline
    assert deadline is not None  # the fixture quiz is timed
    first = _remaining(_cached_get(app, client, url))
    assert 0 < first <= 15 * 60
    from lms.quiz import fastpage

    later = now_utc() + timedelta(minutes=10)
    monkeypatch.setattr(fastpage, "now_utc", lambda: later)
    hits = _cache(app).hits
    page = client.get(url).get_data(as_text=True)
    assert _cache(app).hits == hits + 1  # the same cached body...
    assert _remaining(page) == max(0, int((deadline - later).total_seconds()))  # ...with the time of now
    assert first - _remaining(page) >= 599
    # past the deadline and its grace: the attempt is submitted and the result shown
    monkeypatch.setattr(fastpage, "now_utc", lambda: deadline + timedelta(minutes=5))
    monkeypatch.setattr("lms.quiz.attempts.now_utc", lambda: deadline + timedelta(minutes=5))
    after = client.get(url)
    assert after.status_code == 302 and after.headers["Location"].endswith("/result")
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).state == "finished"


def test_more_time_given_by_a_teacher_shows_at_once(app, running) -> None:
    client, attempt_id, _position, url = running
    before = _remaining(_cached_get(app, client, url))
    _sql(app, "UPDATE lms_attempts SET deadline = :d WHERE id = :a",
         d=now_utc() + timedelta(hours=2), a=attempt_id)
    after = _remaining(client.get(url).get_data(as_text=True))
    assert after > before + 60 * 60


def test_a_course_reimport_title_change_reaches_the_question_page(app, running) -> None:
    client, _attempt_id, _position, url = running
    assert "Đổi tên rồi" not in _cached_get(app, client, url)
    _sql(app, "UPDATE lms_courses SET title = :t WHERE slug = 'kiem-tra'", t={"vi": "Đổi tên rồi"})
    assert "Đổi tên rồi" in client.get(url).get_data(as_text=True)


def test_someone_elses_attempt_stays_a_404_after_the_owner_cached_it(app, running) -> None:
    client, attempt_id, _position, url = running
    _cached_get(app, client, url)
    make_user(app, "0987000000")
    stranger = app.test_client()
    login(stranger, "0987000000")
    assert stranger.get(url).status_code == 404


def test_moving_to_another_question_still_records_the_position(app, running) -> None:
    client, attempt_id, position, url = running
    _cached_get(app, client, url)
    other = 1 if position != 1 else 2
    assert client.get(f"/attempts/{attempt_id}/q/{other}").status_code == 200
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).current_position == other
    assert client.get(f"/attempts/{attempt_id}/").headers["Location"].endswith(f"/q/{other}")
    _cached_get(app, client, url)
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).current_position == position


def test_no_answer_key_or_feedback_is_ever_in_the_cache(app) -> None:
    import_client, attempt_id, items = signed_in_attempt(app)
    for position in sorted(items.values()):
        _cached_get(app, import_client, f"/attempts/{attempt_id}/q/{position}")
    secrets = secrets_of(app, attempt_id)
    assert secrets
    bodies = b"".join(_cache(app).pages.values()).decode()
    assert f"/attempts/{attempt_id}/q/" in bodies
    for secret in secrets:
        assert secret not in bodies


def test_a_second_attempt_does_not_get_the_first_ones_page(app, running) -> None:
    client, attempt_id, _position, _url = running
    first = _cached_get(app, client, f"/attempts/{attempt_id}/q/1")
    assert client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": csrf_from(first)}).status_code == 302
    second_id = start_quiz(client)
    assert second_id != attempt_id
    page = client.get(f"/attempts/{second_id}/q/1").get_data(as_text=True)
    assert f'data-attempt="{second_id}"' in page
