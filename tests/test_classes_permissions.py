"""Every teacher route, walked as another teacher and as learners: 403 or 404, never data, no change.
An admin sees every class; a teacher lists only their own."""

from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.classes.models import Classroom, Enrollment, PasswordSheet, RosterUpload
from lms.db import db
from lms.quiz.models import Answer, Attempt, QuizOverride
from tests.classes_helpers import course_id, enroll, make_attempt, make_class, roster_csv, upload
from tests.conftest import csrf_from, login, make_user, post_form

SECRET_CLASS = "Lớp Bí Mật Số Một"
SECRET_LEARNER = "Học Viên Bí Mật"
FORM_DATA = {
    "minutes": "30",
    "percent": "100",
    "feedback": "x",
    "name": "Đổi tên",
    "course_mode": "path",
    "audience": "citizens",
    "user_id": "0",
    "code": "x",
}


@pytest.fixture
def world(app, client, courses, units):
    """Teacher A's class with a learner, an attempt, an essay, an upload and a password sheet."""
    owner = make_user(app, "co.lan", roles={"teacher"})
    make_user(app, "thay.binh", roles={"teacher"})
    make_user(app, "quan.tri", roles={"admin"})
    learner = make_user(app, "0912345601", full_name=SECRET_LEARNER)
    make_user(app, "0912345602", full_name="Người Ngoài")
    class_id = make_class(app, owner, name=SECRET_CLASS)
    enroll(app, class_id, learner)
    attempt = make_attempt(app, learner, "dien-thoai", state="pending_review", score=None, essay="Bí mật")
    running = make_attempt(app, learner, "dien-thoai", number=2, state="in_progress", minutes_left=5)
    login(client, "co.lan")
    page = upload(client, class_id, roster_csv("Trần Thị Mới,0912345603,1960,")).headers["Location"]
    post_form(client, page, {}, action=page + "/import")
    upload(client, class_id, roster_csv("Lê Chưa Nhập,0912345604,1960,"))
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    with app.app_context():
        classroom = db.session.get(Classroom, class_id)
        return {
            "class_id": class_id,
            "user_id": learner,
            "attempt_id": attempt,
            "running": running,
            "course_id": course_id(app, "dien-thoai"),
            "code": classroom.join_code,
            "upload_id": db.session.scalar(select(func.max(RosterUpload.id))),
            "sheet_id": db.session.scalar(select(PasswordSheet.id)),
            "answer_id": db.session.scalar(select(Answer.id).where(Answer.fraction.is_(None))),
        }


def _state(app, class_id: int) -> tuple:
    """Everything a refused request could have changed (another teacher may create their own class)."""
    with app.app_context():
        return (
            tuple(db.session.execute(select(Attempt.id, Attempt.state, Attempt.deadline).order_by(Attempt.id))),
            tuple(db.session.execute(select(Enrollment.user_id, Enrollment.removed_at).order_by(Enrollment.user_id))),
            tuple(db.session.execute(select(Answer.id, Answer.fraction).order_by(Answer.id))),
            tuple(db.session.execute(select(QuizOverride.user_id, QuizOverride.extra_minutes))),
            tuple(db.session.execute(select(PasswordSheet.id, PasswordSheet.secret))),
            tuple(db.session.execute(select(RosterUpload.id, RosterUpload.imported_at))),
            tuple(db.session.execute(select(Classroom.name, Classroom.join_code).where(Classroom.id == class_id))),
            tuple(db.session.execute(select(User.id, User.password_hash).order_by(User.id))),
        )


def _urls(app, world) -> list[tuple[str, str, bool]]:
    """(method, url, has a class in it) for every route of the teacher blueprint."""
    found = []
    with app.test_request_context("/"):
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("lms_classes."):
                continue
            for kind in ["csv", "xlsx"] if "kind" in rule.arguments else [None]:
                values = {name: world[name] for name in rule.arguments if name in world}
                if kind:
                    values["kind"] = kind
                url = url_for(rule.endpoint, **values)
                for method in sorted(rule.methods & {"GET", "POST"}):
                    found.append((method, url, "class_id" in rule.arguments))
    assert len(found) >= 30, found
    return found


def _walk(app, client, world, as_user: str) -> list[str]:
    login(client, as_user)
    token = csrf_from(client.get("/").get_data(as_text=True))
    before = _state(app, world["class_id"])
    leaks = []
    for method, url, in_class in _urls(app, world):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={**FORM_DATA, "csrf_token": token})
        body = response.get_data()
        if as_user.startswith("09") or in_class:
            if response.status_code not in (403, 404):
                leaks.append(f"{method} {url} -> {response.status_code}")
        elif response.status_code >= 500:
            leaks.append(f"{method} {url} -> {response.status_code}")
        for secret in (SECRET_CLASS, SECRET_LEARNER, world["code"], "Trần Thị Mới", "Lê Chưa Nhập"):
            if secret.encode() in body:
                leaks.append(f"{method} {url} shows {secret!r}")
    assert _state(app, world["class_id"]) == before, "a refused request changed something"
    return leaks


@pytest.mark.parametrize("as_user", ["thay.binh", "0912345601", "0912345602"])
def test_no_class_route_gives_anything_to_others(app, client, world, as_user: str) -> None:
    assert _walk(app, client, world, as_user) == []


def test_signed_out_visitors_are_sent_to_sign_in(app, client, world) -> None:
    for method, url, _in_class in _urls(app, world):
        response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": "x"})
        # a page sends to sign-in; a form post without a valid CSRF token is refused before anything else
        expected = 302 if method == "GET" else 400
        assert response.status_code == expected, (method, url, response.status_code)
        if method == "GET":
            assert "/login" in response.headers["Location"]
        assert SECRET_LEARNER.encode() not in response.get_data()


def test_the_owner_and_an_admin_see_the_class(app, client, world) -> None:
    for user in ("co.lan", "quan.tri"):
        login(client, user)
        for method, url, in_class in _urls(app, world):
            if method == "GET" and in_class and not url.endswith((".pdf", ".csv", ".xlsx")) and "/done" not in url:
                response = client.get(url)
                assert response.status_code == 200, (user, url, response.status_code)
        html = client.get(f"/teach/classes/{world['class_id']}/").get_data(as_text=True)
        assert SECRET_LEARNER in html
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})


def test_teacher_lists_only_their_classes_admin_all(app, client, world) -> None:
    with app.app_context():
        other = db.session.scalar(select(User.id).where(User.username == "thay.binh"))
    make_class(app, other, name="Lớp của thầy Bình")
    login(client, "thay.binh")
    html = client.get("/teach/").get_data(as_text=True)
    assert "Lớp của thầy Bình" in html and SECRET_CLASS not in html
    client.post("/logout", data={"csrf_token": csrf_from(html)})
    login(client, "quan.tri")
    html = client.get("/teach/").get_data(as_text=True)
    assert "Lớp của thầy Bình" in html and SECRET_CLASS in html


def test_a_learner_of_the_class_sees_only_their_own_data(app, client, world) -> None:
    login(client, "0912345601")
    assert client.get("/teach/").status_code == 403
    assert client.get(f"/teach/classes/{world['class_id']}/learners/{world['user_id']}").status_code == 403
    # their own attempt is theirs to see (quiz pages); another learner's is not found
    running = client.get(f"/attempts/{world['running']}/")
    assert running.status_code == 302 and f"/attempts/{world['running']}/q/" in running.headers["Location"]
    with app.app_context():
        newcomer = db.session.scalar(select(User.id).where(User.username == "0912345603"))
    other_attempt = make_attempt(app, newcomer, "dien-thoai", score=10.0)
    assert client.get(f"/attempts/{other_attempt}/").status_code == 404
