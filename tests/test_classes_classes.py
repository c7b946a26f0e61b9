"""Creating and editing a class: audience, unit, organisation, courses or the whole path, dates."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from lms.accounts.models import AuditLog
from lms.classes.models import Classroom
from lms.classes.services import class_courses
from lms.db import db
from tests.classes_helpers import course_id
from tests.conftest import login, make_user, post_form

NEW = "/teach/classes/new"
BASE = {
    "name": "Lớp kỹ năng số tổ 3",
    "audience": "workers",
    "organisation_kind": "enterprise",
    "organisation": "Công ty May Việt Tiến",
    "province": "79",
    "commune": "26740",
    "course_mode": "path",
}


@pytest.fixture
def teacher(app, client, courses, units):
    user_id = make_user(app, "co.lan", roles={"teacher"}, locale="en")
    login(client, "co.lan")
    return user_id


def _only_class(app) -> Classroom:
    return db.session.scalar(select(Classroom))


def test_create_a_class_on_the_audience_path(app, client, teacher) -> None:
    response = post_form(client, NEW, {**BASE, "starts_on": "2026-12-01", "ends_on": "2027-01-31"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/roster")
    with app.app_context():
        classroom = _only_class(app)
        assert (classroom.name, classroom.audience, classroom.organisation_kind, classroom.organisation) == (
            "Lớp kỹ năng số tổ 3",
            "workers",
            "enterprise",
            "Công ty May Việt Tiến",
        )
        assert classroom.unit.code == "26740" and classroom.teacher_id == teacher and classroom.uses_path
        assert (classroom.starts_on, classroom.ends_on) == (date(2026, 12, 1), date(2027, 1, 31))
        assert [c.slug for c in class_courses(classroom)] == ["dien-thoai", "mat-khau"]
        assert len(classroom.join_code) == 8
        assert db.session.scalar(select(AuditLog.action).where(AuditLog.object_type == "class")) == "class_create"


def test_create_a_class_with_chosen_courses_in_order(app, client, teacher) -> None:
    data = {**BASE, "course_mode": "chosen", "courses": [str(course_id(app, "mat-khau"))], "audience": ""}
    assert post_form(client, NEW, data).status_code == 302
    with app.app_context():
        classroom = _only_class(app)
        assert not classroom.uses_path and classroom.audience is None
        assert [c.slug for c in class_courses(classroom)] == ["mat-khau"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Please fill in this field."),
        ({"audience": ""}, "Choose who the learners are: the path depends on it."),
        ({"audience": "martians"}, "Choose who the learners are."),
        ({"course_mode": "chosen"}, "Tick at least one course."),
        ({"organisation_kind": "club"}, "Choose the kind of organisation."),
        ({"starts_on": "2027-02-01", "ends_on": "2027-01-01"}, "The end date is before the start date."),
    ],
)
def test_invalid_class_forms(app, client, teacher, changes: dict, message: str) -> None:
    response = post_form(client, NEW, {**BASE, **changes})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert _only_class(app) is None


def test_unknown_course_ids_are_dropped(app, client, teacher) -> None:
    data = {**BASE, "course_mode": "chosen", "courses": [str(course_id(app, "dien-thoai")), "99999"]}
    assert post_form(client, NEW, data).status_code == 302
    with app.app_context():
        assert [c.slug for c in class_courses(_only_class(app))] == ["dien-thoai"]


def test_province_button_lists_its_communes_without_javascript(client, teacher) -> None:
    response = post_form(client, NEW, {"name": "", "province": "01", "pick_province": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Phường Ba Đình" in html and "Phường Tân Định" not in html


def test_edit_switches_to_chosen_courses_and_back(app, client, teacher) -> None:
    post_form(client, NEW, BASE)
    with app.app_context():
        class_id = _only_class(app).id
    edit = f"/teach/classes/{class_id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert 'value="Lớp kỹ năng số tổ 3"' in page and '<option selected value="26740">' in page
    data = {
        **BASE,
        "name": "Lớp đổi tên",
        "course_mode": "chosen",
        "courses": [str(course_id(app, "mat-khau")), str(course_id(app, "dien-thoai"))],
    }
    assert post_form(client, edit, data).status_code == 302
    with app.app_context():
        classroom = _only_class(app)
        assert classroom.name == "Lớp đổi tên"
        assert [c.slug for c in class_courses(classroom)] == ["mat-khau", "dien-thoai"]
    assert post_form(client, edit, BASE).status_code == 302
    with app.app_context():
        assert [c.slug for c in class_courses(_only_class(app))] == ["dien-thoai", "mat-khau"]


def test_learners_cannot_create_classes(app, client, courses, units) -> None:
    make_user(app, "0912345601")
    login(client, "0912345601")
    assert client.get(NEW).status_code == 403
    assert client.get("/teach/").status_code == 403
