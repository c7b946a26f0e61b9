"""The learner's journey without a browser: success shown when the path is complete, one name for
the path certificate, a passed course shown as passed, "Tiếp tục học", and the registration form's
places (communes in place, the join poster's province and commune, the password rule)."""

from __future__ import annotations

import re

from sqlalchemy import select

from lms.accounts.models import User
from lms.classes.models import Classroom
from lms.courses.models import Course, CourseResult
from lms.db import db, now_utc
from lms.units.models import AdminUnit
from tests.certs_helpers import pass_quiz, pdf_text
from tests.classes_helpers import make_class
from tests.conftest import login, make_user, post_form
from tests.quiz_helpers import token_for

NAME = "Chứng nhận phổ cập kỹ năng số"


def _pass_without_quiz(app, username: str, slug: str) -> None:
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == username))
        course_id = db.session.scalar(select(Course.id).where(Course.slug == slug))
        db.session.add(CourseResult(user_id=uid, course_id=course_id, passed=True, passed_at=now_utc()))
        db.session.commit()


def _continue(page: str) -> tuple[str, str] | None:
    found = re.search(r'<a class="button block" id="continue" href="([^"]+)">([^<]+)</a>', page)
    return (found.group(1), found.group(2)) if found else None


def test_last_course_passed_shows_the_path_certificate_on_the_result_and_the_path_page(app, client, courses) -> None:
    make_user(app, "0912000009", full_name="Đỗ Thị Hạnh")
    _pass_without_quiz(app, "0912000009", "mat-khau")
    login(client, "0912000009")
    before = client.get("/").get_data(as_text=True)
    assert "path-done" not in before
    result = pass_quiz(app, client, "0912000009")  # dien-thoai, the path's last course not passed
    page = client.get(f"/attempts/{result['id']}/result").get_data(as_text=True)
    assert "Bạn đã hoàn thành lộ trình học!" in page and NAME in page
    code = re.search(r'href="/certificates/([0-9A-Z-]+)/pdf"', page).group(1)
    share = re.search(r'href="([^"]+)" data-share="([^"]+)"', page)
    assert share.group(1) == f"http://localhost/verify?code={code}" and share.group(2) == NAME
    assert "lms.js" in page  # the share sheet, where the phone has one
    # the path page shows it at the top, under its title, from then on
    home = client.get("/").get_data(as_text=True)
    assert home.index("<h1>") < home.index('class="path-done"') < home.index('class="steps"')
    assert f"/certificates/{code}/pdf" in home
    assert _continue(home) is None  # nothing left to continue
    # one name everywhere: the certificate's page, the profile, the PDF, the API
    assert NAME in client.get(f"/certificates/{code}").get_data(as_text=True)
    assert "Chứng nhận kỹ năng số cơ bản" not in client.get(f"/certificates/{code}").get_data(as_text=True)
    assert NAME in client.get("/me").get_data(as_text=True)
    assert NAME in pdf_text(client.get(f"/certificates/{code}/pdf").data)
    assert client.get(f"/certificates/{code}/credential.json").json["name"] == NAME  # the Open Badge
    mine = client.get("/api/v1/me/certificates", headers=token_for(client, "0912000009")).json
    assert next(c["title"] for c in mine if c["kind"] == "path") == NAME
    assert client.get(f"/api/v1/certificates/{code}").json["title"] == NAME
    # in English, the same one name, and the page says what was completed (as the PDF does)
    post_form(client, "/", {"locale": "en"}, action="/language")
    page = client.get(f"/certificates/{code}").get_data(as_text=True)
    assert "Universal digital skills certificate" in page and "Universal digital skills programme for citizens" in page
    assert "Universal digital skills certificate" in client.get("/me").get_data(as_text=True)


def test_a_course_passed_through_its_quiz_shows_as_passed_in_the_path(app, client, courses) -> None:
    make_user(app)
    login(client)
    pass_quiz(app, client)  # no lesson opened
    home = client.get("/").get_data(as_text=True)
    card = home[home.index("/courses/dien-thoai/"):]
    card = card[: card.index("</li>")]
    assert "<span class=\"badge ok\">Đạt</span>" in card and "0/2" not in card and "0 / 2" not in card
    bar = re.search(r'<progress max="(\d+)" value="(\d+)"', card)
    assert bar.group(1) == bar.group(2) == "2"
    assert 'max="2" value="1"' in home  # 1 of the path's 2 courses
    course = client.get("/courses/dien-thoai/").get_data(as_text=True)
    assert "<span class=\"badge ok\">Đạt</span>" in course and '<progress max="2" value="2"' in course


def test_continue_learning_goes_to_the_next_lesson_then_the_running_attempt(app, client, courses) -> None:
    make_user(app)
    login(client)
    href, label = _continue(client.get("/").get_data(as_text=True))
    assert href == "/courses/dien-thoai/lessons/01-bat-may" and label == "Bắt đầu học"
    post_form(client, "/courses/dien-thoai/lessons/01-bat-may", {},
              action="/courses/dien-thoai/lessons/01-bat-may/done")
    href, label = _continue(client.get("/").get_data(as_text=True))
    assert href == "/courses/dien-thoai/lessons/02-ket-noi-wifi" and label == "Tiếp tục học"
    post_form(client, "/courses/dien-thoai/lessons/02-ket-noi-wifi", {},
              action="/courses/dien-thoai/lessons/02-ket-noi-wifi/done")
    href, _label = _continue(client.get("/").get_data(as_text=True))
    assert href == "/courses/dien-thoai/quiz"  # every lesson done: the quiz is next
    started = post_form(client, "/courses/dien-thoai/quiz", {}, action="/courses/dien-thoai/quiz/start")
    assert started.status_code == 302
    href, label = _continue(client.get("/").get_data(as_text=True))
    assert re.fullmatch(r"/attempts/\d+/q/1", href) and label == "Tiếp tục học"
    assert client.get(href).status_code == 200


def test_communes_of_a_province_as_json(app, client, units) -> None:
    response = client.get("/register/communes/79.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.json == {"province": "79", "communes": [
        {"code": "26734", "name": "Phường Sài Gòn"}, {"code": "26740", "name": "Phường Tân Định"}]}
    assert response.cache_control.public and response.cache_control.max_age == 86400
    again = client.get("/register/communes/79.json", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    for bad in ("26734", "99", "x" * 40):
        missing = client.get(f"/register/communes/{bad}.json")
        assert missing.status_code == 404 and missing.json["error"] == "unknown_province"


def test_register_shows_the_password_rule_and_comes_back_at_the_communes(app, client, units) -> None:
    page = client.get("/register?next=/join/ABC").get_data(as_text=True)
    assert "Ít nhất 8 ký tự" in page  # before any attempt
    assert 'data-communes="/register/communes/PROVINCE.json"' in page
    assert re.search(r'formaction="/register\?next=[^"]*#pick-commune"', page)
    assert 'id="pick-commune"' in page
    chosen = post_form(client, "/register", {"province": "79", "pick_province": "1", "audience": "citizens"})
    assert chosen.status_code == 200
    assert '<option value="26740">Phường Tân Định</option>' in chosen.get_data(as_text=True)


def test_register_from_a_join_poster_prefills_the_class_province_and_commune(app, client, courses, units) -> None:
    teacher = make_user(app, "co.lan", roles={"teacher"}, full_name="Phạm Thị Lan")
    with app.app_context():
        unit_id = db.session.scalar(select(AdminUnit.id).where(AdminUnit.code == "26740"))
    class_id = make_class(app, teacher, unit_id=unit_id)
    with app.app_context():
        code = db.session.get(Classroom, class_id).join_code
    join = client.get(f"/join/{code}").get_data(as_text=True)
    link = re.search(r'href="(/register\?[^"]+)"', join).group(1).replace("&amp;", "&")
    assert "unit=26740" in link and "audience=citizens" in link
    form = client.get(link).get_data(as_text=True)
    assert '<option selected value="79">' in form and '<option selected value="26740">' in form
    # a province-level class chooses the province only; a bad code chooses nothing
    form = client.get("/register?unit=79").get_data(as_text=True)
    assert '<option selected value="79">' in form and "selected value=\"267" not in form
    bad = client.get("/register?unit=%3Cscript%3E")
    assert bad.status_code == 200 and "<option selected" not in bad.get_data(as_text=True).replace(
        '<option selected value="citizens">', "")
    # registering there puts the learner in that commune and back on the class's page
    response = post_form(client, link, {
        "login": "0912000333", "full_name": "Lê Thị Mai", "audience": "citizens", "province": "79",
        "commune": "26740", "password": "hoa-lan-rung-58",
    })
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/join/{code}")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "0912000333"))
        assert user.unit.code == "26740"


def test_the_class_form_loads_communes_the_same_way(app, client, units) -> None:
    make_user(app, "co.lan", roles={"teacher"}, full_name="Phạm Thị Lan")
    login(client, "co.lan")
    page = client.get("/teach/classes/new").get_data(as_text=True)
    assert 'action="/teach/classes/new" data-communes="/register/communes/PROVINCE.json"' in page
    assert 'formaction="/teach/classes/new#pick-commune"' in page and 'id="pick-commune"' in page
    assert "lms.js" in page
    # the no-JS reload keeps what was typed and lists the province's communes, in order
    chosen = post_form(client, "/teach/classes/new", {"name": "Lớp tổ 5", "province": "79", "pick_province": "1"})
    text = chosen.get_data(as_text=True)
    assert chosen.status_code == 200 and 'value="Lớp tổ 5"' in text
    assert text.index("Phường Sài Gòn") < text.index("Phường Tân Định")


def test_the_form_addresses_are_this_page_and_escaped(app, client, units) -> None:
    page = client.get('/register?_external=1&_scheme=javascript&next=/x"><b>').get_data(as_text=True)
    action = re.search(r'<form method="post" novalidate action="([^"]*)"', page).group(1)
    assert action.startswith("/register?") and "javascript" in action  # only as a query value
    assert '"><b>' not in page  # escaped, whatever was typed in the address
