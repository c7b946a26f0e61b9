"""A new one-time password from someone who looks after the learner: their teacher (any member of
their classes), an official (learners of their unit and below), an admin. Shown once to the helper,
audited without the password; the learner chooses a new password at the next sign-in. Anyone
else gets 403 and nothing changes."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from lms.accounts.models import AuditLog, User
from lms.db import db
from tests.classes_helpers import enroll, make_class
from tests.conftest import login, make_user, post_form, vi

PASSWORD = "mat-khau-tot-2026"
OTP_RE = re.compile(r'id="one-time-password">([a-z2-9]{12})<')


@pytest.fixture
def world(app, courses, units) -> dict:
    """Teacher Lan's class with An (who chose her own password long ago; linked, not made by a
    roster); Bình outside every class; officials of a commune of HCMC and of Hà Nội; an admin."""
    ids = {
        "lan": make_user(app, "co.lan", roles={"teacher"}, full_name="Cô Lan"),
        "minh": make_user(app, "thay.minh", roles={"teacher"}, full_name="Thầy Minh"),
        "an": make_user(app, "0912345601", full_name="Nguyễn Văn An", unit_code="26734"),
        "binh": make_user(app, "0912345602", full_name="Trần Thị Bình", unit_code="00004"),
        "xa": make_user(app, "canbo.saigon", roles={"official"}, unit_code="26734", full_name="Cán Bộ Sài Gòn"),
        "tinh": make_user(app, "canbo.hcm", roles={"official"}, unit_code="79", full_name="Cán Bộ Thành Phố"),
        "hanoi": make_user(app, "canbo.hanoi", roles={"official"}, unit_code="01", full_name="Cán Bộ Hà Nội"),
        "admin": make_user(app, "quan.tri", roles={"admin"}, full_name="Quản Trị"),
    }
    ids["class"] = make_class(app, ids["lan"])
    enroll(app, ids["class"], ids["an"])
    return ids


def _hash(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).password_hash


def _give(app, helper: str, user_id: int, page: str = "/help/password"):
    client = app.test_client()
    login(client, helper, PASSWORD)
    return client, post_form(client, page, {}, action=f"/help/password/{user_id}")


def test_teacher_gives_any_member_a_one_time_password_shown_once(app, world) -> None:
    learner = app.test_client()
    login(learner, "0912345601", PASSWORD)
    teacher = app.test_client()
    login(teacher, "co.lan", PASSWORD)
    page = f"/teach/classes/{world['class']}/learners/{world['an']}"
    html = teacher.get(page).get_data(as_text=True)
    assert f'action="/help/password/{world["an"]}"' in html
    response = post_form(teacher, page, {"back": page}, action=f"/help/password/{world['an']}")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    body = response.get_data(as_text=True)
    password = OTP_RE.search(body).group(1)
    assert f'href="{page}"' in body
    with app.app_context():
        user = db.session.get(User, world["an"])
        assert user.must_change_password and check_password_hash(user.password_hash, password)
        audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "give_one_time_password"))
        assert audit.actor_id == world["lan"] and audit.object_id == str(world["an"])
        assert password not in str(audit.detail)
    assert learner.get("/me").status_code == 302  # the learner's old session ended
    assert learner.post("/login").status_code in (400, 422)
    again = app.test_client()
    first = login(again, "0912345601", password)
    assert first.headers["Location"] == "/password"  # must choose a new one at this sign-in
    done = post_form(again, "/password", {"new_password": "hoa-mai-no-2026", "confirm": "hoa-mai-no-2026"})
    assert done.headers["Location"] == "/"


def test_teacher_cannot_reset_someone_outside_their_classes(app, world) -> None:
    before = _hash(app, world["binh"])
    _client, response = _give(app, "co.lan", world["binh"])
    assert response.status_code == 403
    _client, other_teacher = _give(app, "thay.minh", world["an"])  # An is in Lan's class, not Minh's
    assert other_teacher.status_code == 403
    assert _hash(app, world["binh"]) == before
    with app.app_context():
        assert not db.session.get(User, world["an"]).must_change_password
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "give_one_time_password")) is None
    client = app.test_client()
    login(client, "co.lan", PASSWORD)
    assert client.get("/help/password?login=0912345602").status_code == 403
    assert vi("No account has this phone number or username.") in \
        client.get("/help/password?login=0999999999").get_data(as_text=True)


def test_officials_help_learners_of_their_unit_and_below_only(app, world) -> None:
    commune = app.test_client()
    login(commune, "canbo.saigon", PASSWORD)
    found = commune.get("/help/password?login=0912345601").get_data(as_text=True)
    assert "Nguyễn Văn An" in found and "Phường Sài Gòn" in found
    _client, response = _give(app, "canbo.hcm", world["an"])  # the province above the commune
    assert response.status_code == 200 and OTP_RE.search(response.get_data(as_text=True))
    before = _hash(app, world["an"])
    _client, outside = _give(app, "canbo.hanoi", world["an"])
    assert outside.status_code == 403
    assert _hash(app, world["an"]) == before
    hanoi = app.test_client()
    login(hanoi, "canbo.hanoi", PASSWORD)
    assert hanoi.get("/help/password?login=0912345601").status_code == 403
    _client, own = _give(app, "canbo.hanoi", world["binh"])
    assert own.status_code == 200


def test_admin_helps_any_learner_but_never_staff_and_learners_never(app, world) -> None:
    _client, response = _give(app, "quan.tri", world["binh"])
    assert response.status_code == 200
    for staff in ("lan", "xa", "admin"):
        before = _hash(app, world[staff])
        _client, refused = _give(app, "quan.tri", world[staff])
        assert refused.status_code == 403 and _hash(app, world[staff]) == before
    before = _hash(app, world["binh"])
    plain, refused = _give(app, "0912345601", world["binh"], page="/me")  # a learner, for another learner
    assert refused.status_code == 403 and plain.get("/help/password").status_code == 403
    assert _hash(app, world["binh"]) == before
