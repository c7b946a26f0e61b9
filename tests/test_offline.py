"""Learning without a signal, server side: the course package, the offline quiz page, and the
queue's flush (order, idempotency, permissions, the server's clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.certificates.models import Certificate
from lms.courses.models import Course, LessonProgress
from lms.db import db, now_utc
from lms.quiz.models import Answer, Attempt, OfflineOp
from tests.conftest import csrf_from, login, make_user
from tests.quiz_helpers import right_answers, secrets_of

PASSWORD = "mat-khau-tot-2026"


@pytest.fixture
def learner(courses, client):
    make_user(courses, "0912345678", PASSWORD)
    login(client)
    return courses


def _untimed(app, slug: str = "dien-thoai") -> None:
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == slug))
        course.quiz_settings = {**course.quiz_settings, "time_limit_minutes": None}
        db.session.commit()


def _token(client) -> dict:
    return {"X-CSRFToken": csrf_from(client.get("/courses/dien-thoai/").get_data(as_text=True))}


def _sync(client, ops: list, headers: dict):
    return client.post("/offline/sync", json={"ops": ops}, headers=headers)


def test_package_lists_pages_images_and_size_and_starts_only_an_untimed_attempt(learner, client) -> None:
    app = learner
    headers = _token(client)
    timed = client.post("/courses/dien-thoai/offline", headers=headers).get_json()
    assert timed["timed"] is True and timed["attempt"] is None and timed["quiz"] is None  # no clock started
    urls = [f["url"] for f in timed["files"]]
    assert urls[:3] == ["/courses/dien-thoai/", "/courses/dien-thoai/lessons/01-bat-may",
                        "/courses/dien-thoai/lessons/02-ket-noi-wifi"]
    assert "/courses/dien-thoai/images/nut-nguon.svg" in urls
    assert timed["size"] == sum(f["size"] for f in timed["files"]) > 0
    _untimed(app)
    package = client.post("/courses/dien-thoai/offline", headers=headers).get_json()
    assert package["attempt"] and package["quiz"] == "/courses/dien-thoai/offline/quiz"
    assert package["version"] != timed["version"]
    again = client.get("/courses/dien-thoai/offline.json")
    assert again.get_json()["version"] == package["version"] and "no-store" in again.headers["Cache-Control"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Attempt.id))) == 1  # asking again starts nothing
    page = client.get("/courses/dien-thoai/offline/quiz").get_data(as_text=True)
    assert page.count('<fieldset class="question"') == 3
    for secret in secrets_of(app, package["attempt"]):
        assert secret not in page and secret not in str(package), secret
    assert client.post("/courses/dien-thoai/offline").status_code == 400  # no CSRF token


def test_package_needs_a_learner_signed_in(courses, client) -> None:
    assert client.get("/courses/dien-thoai/offline.json").status_code in (302, 401)
    assert client.get("/courses/khong-co/offline.json").status_code in (302, 401)


def test_flush_applies_in_order_once_then_submits_grades_and_certifies(learner, client) -> None:
    app = learner
    _untimed(app)
    headers = _token(client)
    attempt = client.post("/courses/dien-thoai/offline", headers=headers).get_json()["attempt"]
    right = right_answers(app, attempt)
    wrong = {p: ("sai" if not isinstance(r, bool) else not r) for p, r in right.items()}
    ops = [{"id": "done-1", "kind": "done", "course": "dien-thoai", "lesson": "01-bat-may"},
           {"id": "done-2", "kind": "done", "course": "dien-thoai", "lesson": "02-ket-noi-wifi"}]
    ops += [{"id": f"w{p}", "kind": "answer", "attempt": attempt, "position": p, "response": r}
            for p, r in wrong.items() if isinstance(r, bool)]
    ops += [{"id": f"a{p}", "kind": "answer", "attempt": attempt, "position": p, "response": r}
            for p, r in right.items()]
    ops.append({"id": "submit-1", "kind": "submit", "attempt": attempt})
    first = _sync(client, ops, headers).get_json()["results"]
    assert [r["id"] for r in first] == [op["id"] for op in ops]
    assert all(r["status"] == "saved" for r in first[:-1]) and first[-1]["status"] == "submitted"
    assert first[-1]["result"] == f"/attempts/{attempt}/result"
    # the reply was lost: the phone sends it all again; nothing is applied twice
    second = _sync(client, ops, headers).get_json()["results"]
    assert all(r.get("replay") for r in second) and [r["status"] for r in second] == [r["status"] for r in first]
    with app.app_context():
        done = db.session.get(Attempt, attempt)
        assert done.state == "finished" and done.passed is True  # the later (right) answers won
        assert db.session.scalar(select(func.count(Answer.id)).where(Answer.attempt_id == attempt)) == len(right)
        assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 2
        assert db.session.scalar(select(func.count(Certificate.id))) == 1
        assert db.session.scalar(select(func.count()).select_from(OfflineOp)) == len(ops)
    result = client.get(f"/attempts/{attempt}/result").get_data(as_text=True)
    assert 'id="late-answers"' not in result


def test_another_learners_attempt_is_refused_and_unchanged(learner, client) -> None:
    app = learner
    _untimed(app)
    attempt = client.post("/courses/dien-thoai/offline", headers=_token(client)).get_json()["attempt"]
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    make_user(app, "0912000009", PASSWORD)
    login(client, "0912000009")
    headers = _token(client)
    results = _sync(client, [{"id": "x1", "kind": "answer", "attempt": attempt, "position": 1, "response": "a"},
                             {"id": "x2", "kind": "submit", "attempt": attempt},
                             {"id": "x3", "kind": "done", "course": "dien-thoai", "lesson": "khong-co"}],
                    headers).get_json()["results"]
    assert [r["status"] for r in results] == ["not_found", "not_found", "not_found"]
    assert client.get("/courses/dien-thoai/offline/quiz").get_data(as_text=True).count("fieldset") == 0
    with app.app_context():
        assert db.session.get(Attempt, attempt).state == "in_progress"
        assert db.session.scalar(select(func.count(Answer.id))) == 0
        assert db.session.scalar(select(OfflineOp.attempt_id).where(OfflineOp.op_id == "x1")) is None


def test_bad_bodies_are_clear_400s_and_csrf_is_required(learner, client) -> None:
    headers = _token(client)
    assert client.post("/offline/sync", json={"ops": "x"}, headers=headers).status_code == 400
    assert client.post("/offline/sync", data="not json", headers=headers).status_code == 400
    assert client.post("/offline/sync", json={"ops": []}).status_code == 400  # no token
    results = _sync(client, [{"kind": "answer"}, {"id": "y" * 65, "kind": "done"}, {"id": "z", "kind": "oops"}],
                    headers).get_json()["results"]
    assert [r["status"] for r in results] == ["bad_request"] * 3


def test_timed_attempt_counts_only_what_reached_the_server_in_time(learner, client) -> None:
    app = learner
    headers = _token(client)
    client.post("/courses/dien-thoai/quiz/start", headers=headers)
    package = client.post("/courses/dien-thoai/offline", headers=headers).get_json()
    attempt = package["attempt"]
    assert package["timed"] and attempt and package["quiz"]
    page = client.get(package["quiz"]).get_data(as_text=True)
    assert "đồng hồ" in page.lower() or "clock" in page.lower()
    right = right_answers(app, attempt)
    positions = sorted(right)
    in_time = _sync(client, [{"id": "t1", "kind": "answer", "attempt": attempt, "position": positions[0],
                              "response": right[positions[0]]}], headers).get_json()["results"]
    assert in_time[0]["status"] == "saved"
    with app.app_context():  # the phone stayed offline past the deadline and its grace
        db.session.get(Attempt, attempt).deadline = now_utc() - timedelta(minutes=5)
        db.session.commit()
    late = [{"id": f"t{p}", "kind": "answer", "attempt": attempt, "position": p, "response": right[p]}
            for p in positions[1:]] + [{"id": "ts", "kind": "submit", "attempt": attempt}]
    results = _sync(client, late, headers).get_json()["results"]
    assert [r["status"] for r in results] == ["time_up"] + ["attempt_closed"] * (len(positions) - 2) + ["submitted"]
    with app.app_context():
        done = db.session.get(Attempt, attempt)
        assert done.state == "finished"
        given = [p for p, r in db.session.execute(select(Answer.position, Answer.response).where(
            Answer.attempt_id == attempt)) if r is not None]
        assert given == [positions[0]] and done.score_percent < 60  # graded on what arrived in time
    result = client.get(f"/attempts/{attempt}/result").get_data(as_text=True)
    assert 'id="late-answers"' in result and ", ".join(str(p) for p in positions[1:]) in result


def test_the_path_and_course_pages_offer_the_download_only_to_a_signed_in_learner(courses, client) -> None:
    assert 'id="offline-box"' not in client.get("/courses/dien-thoai/").get_data(as_text=True)
    make_user(courses, "0912345678", PASSWORD)
    login(client)
    course = client.get("/courses/dien-thoai/").get_data(as_text=True)
    assert 'id="offline-box" hidden data-slugs="dien-thoai"' in course  # shown by the script only
    assert "Tải về để học không cần mạng" in course and "lms-offline.js" in course
    home = client.get("/").get_data(as_text=True)
    assert 'id="offline-box" hidden data-slugs="' in home and "dien-thoai" in home
    assert 'id="lms-unsent"' in home and "data-user=" in home


def test_the_version_changes_with_the_course_content_and_the_attempt(learner, client) -> None:
    app = learner
    before = client.get("/courses/dien-thoai/offline.json").get_json()["version"]
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == "dien-thoai"))
        course.content_hash = "re-imported"
        db.session.commit()
    after = client.get("/courses/dien-thoai/offline.json").get_json()["version"]
    assert after != before  # the phone replaces its copy on its next connection
    client.post("/courses/dien-thoai/quiz/start", headers=_token(client))
    started = client.get("/courses/dien-thoai/offline.json").get_json()
    assert started["version"] != after and started["quiz"] == "/courses/dien-thoai/offline/quiz"


def test_staff_never_download_a_course(courses, client) -> None:
    make_user(courses, "giaovien", PASSWORD, roles={"teacher"}, audience=None)
    login(client, "giaovien")
    assert 'id="offline-box"' not in client.get("/courses/dien-thoai/").get_data(as_text=True)
    assert client.get("/courses/dien-thoai/offline.json").status_code == 403
    assert client.post("/courses/dien-thoai/offline", headers=_token(client)).status_code == 403
    assert client.get("/courses/dien-thoai/offline/quiz").status_code == 403
