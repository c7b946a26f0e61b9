"""Join code and QR: the poster, the learner's way in (signed in, signing in, registering), rotation."""

from __future__ import annotations

from datetime import date, timedelta

import pypdfium2 as pdfium
import pytest
import zxingcpp
from sqlalchemy import select

from lms.accounts.models import User
from lms.classes import services
from lms.classes.models import Classroom, Enrollment
from lms.db import db
from tests.classes_helpers import make_class
from tests.conftest import csrf_from, login, make_user, post_form, vi


@pytest.fixture
def classroom(app, courses, units):
    teacher = make_user(app, "co.lan", roles={"teacher"}, full_name="Phạm Thị Lan")
    class_id = make_class(app, teacher, name="Lớp kỹ năng số Tân Định")
    with app.app_context():
        return {"id": class_id, "code": db.session.get(Classroom, class_id).join_code, "teacher": teacher}


def _enrolled(app, class_id: int, username: str) -> Enrollment | None:
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == username))
        row = db.session.get(Enrollment, (class_id, user_id))
        return None if row is None or row.removed_at is not None else row


def test_codes_are_readable_and_unique(app, classroom) -> None:
    with app.app_context():
        codes = {services.new_join_code() for _ in range(300)}
    assert len(codes) == 300
    for code in codes:
        assert len(code) == 8 and not set(code) & set("01ILOU")
    assert services.format_join_code("K7QM4XD2") == "K7QM-4XD2"
    assert services.normalize_join_code(" k7qm-4xd2 ") == "K7QM4XD2"


def test_signed_in_learner_joins_with_one_button(app, client, classroom) -> None:
    make_user(app, "0912345601")
    login(client, "0912345601")
    url = f"/join/{classroom['code']}"
    page = client.get(url).get_data(as_text=True)
    assert "Lớp kỹ năng số Tân Định" in page and "Phạm Thị Lan" in page
    assert _enrolled(app, classroom["id"], "0912345601") is None  # a GET changes nothing
    response = post_form(client, url, {})
    assert response.status_code == 302
    row = _enrolled(app, classroom["id"], "0912345601")
    assert row is not None and row.source == "join"
    assert post_form(client, url, {}).status_code == 302  # twice: still one enrollment
    with app.app_context():
        assert len(db.session.scalars(select(Enrollment)).all()) == 1


def test_typed_code_with_dash_and_lower_case(app, client, classroom) -> None:
    code = classroom["code"]
    response = post_form(client, "/join", {"code": f"{code[:4].lower()}-{code[4:].lower()}"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/join/{code}")
    response = post_form(client, "/join", {"code": "ZZZZ-ZZZZ"})
    assert response.status_code == 422
    assert client.get("/join/ZZZZZZZZ").status_code == 404


def test_signed_out_learner_signs_in_and_comes_back(app, client, classroom) -> None:
    make_user(app, "0912345601")
    url = f"/join/{classroom['code']}"
    page = client.get(url).get_data(as_text=True)
    assert f"/login?next=/join/{classroom['code']}" in page.replace("%2F", "/")
    response = post_form(
        client, f"/login?next={url}", {"login": "0912345601", "password": "mat-khau-tot-2026", "next": url}
    )
    assert response.headers["Location"].endswith(url)
    post_form(client, url, {})
    assert _enrolled(app, classroom["id"], "0912345601") is not None


def test_new_learner_registers_and_comes_back(app, client, classroom) -> None:
    url = f"/join/{classroom['code']}"
    page = client.get(url).get_data(as_text=True)
    assert "/register?next=" in page
    register = f"/register?next={url}&audience=citizens"
    response = post_form(
        client,
        register,
        {
            "login": "0912345602",
            "full_name": "Võ Thị Mới",
            "birth_year": "1961",
            "audience": "citizens",
            "province": "79",
            "commune": "26740",
            "password": "hoa-sen-trang-2026",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    post_form(client, url, {})
    assert _enrolled(app, classroom["id"], "0912345602") is not None


def test_register_ignores_an_outside_next(client, classroom) -> None:
    response = post_form(
        client,
        "/register?next=https://evil.example/x",
        {
            "login": "0912345603",
            "full_name": "Võ Thị Mới",
            "birth_year": "1961",
            "audience": "citizens",
            "password": "hoa-sen-trang-2026",
        },
    )
    assert response.status_code == 302 and "evil" not in response.headers["Location"]


def test_join_post_needs_sign_in_and_csrf(app, client, classroom) -> None:
    url = f"/join/{classroom['code']}"
    response = post_form(client, url, {})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    make_user(app, "0912345601")
    login(client, "0912345601")
    assert client.post(url, data={}).status_code == 400
    assert _enrolled(app, classroom["id"], "0912345601") is None


def test_ended_class_refuses_joins(app, client, classroom) -> None:
    with app.app_context():
        db.session.get(Classroom, classroom["id"]).ends_on = date.today() - timedelta(days=2)
        db.session.commit()
    make_user(app, "0912345601")
    login(client, "0912345601")
    url = f"/join/{classroom['code']}"
    assert vi("This class has ended; it no longer accepts learners.") in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_from(client.get("/join").get_data(as_text=True))})
    assert response.status_code == 302
    assert _enrolled(app, classroom["id"], "0912345601") is None


def test_removed_learner_can_rejoin(app, client, classroom) -> None:
    from lms.db import now_utc

    learner = make_user(app, "0912345601")
    with app.app_context():
        db.session.add(Enrollment(class_id=classroom["id"], user_id=learner, removed_at=now_utc()))
        db.session.commit()
    login(client, "0912345601")
    post_form(client, f"/join/{classroom['code']}", {})
    assert _enrolled(app, classroom["id"], "0912345601") is not None


def test_poster_pdf_qr_opens_the_join_page(app, client, classroom) -> None:
    app.config["LMS_BASE_URL"] = "https://hoc.example.vn"
    login(client, "co.lan")
    response = client.get(f"/teach/classes/{classroom['id']}/poster.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = pdfium.PdfDocument(response.data)
    assert len(pdf) == 1
    image = pdf[0].render(scale=150 / 72).to_pil().convert("L")
    expected = f"https://hoc.example.vn/join/{classroom['code']}"
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [expected]
    text = pdf[0].get_textpage().get_text_range()
    assert services.format_join_code(classroom["code"]) in text and "Tân Định" in text


def test_rotating_the_code_retires_the_old_one(app, client, classroom) -> None:
    login(client, "co.lan")
    page = f"/teach/classes/{classroom['id']}/join-code"
    html = client.get(page).get_data(as_text=True)
    assert services.format_join_code(classroom["code"]) in html and "<svg" in html
    assert post_form(client, page, {}).status_code == 302
    with app.app_context():
        new_code = db.session.get(Classroom, classroom["id"]).join_code
    assert new_code != classroom["code"]
    assert client.get(f"/join/{classroom['code']}").status_code == 404
    assert client.get(f"/join/{new_code}").status_code == 200
