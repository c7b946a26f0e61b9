"""Registration, sign-in, password change: good and bad input."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.db import db
from tests.conftest import csrf_from, login, make_user, post_form

GOOD = {
    "login": "0987654321", "full_name": "Trần Thị Bích", "birth_year": "1962", "audience": "citizens",
    "province": "79", "commune": "26734", "password": "hoa-sen-no-2026",
}


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def test_register_with_phone_then_home_shows_path(client, units, courses) -> None:
    response = post_form(client, "/register", GOOD)
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Lộ trình học của tôi" in home
    assert "Dùng điện thoại thông minh" in home
    with units.app_context():
        user = db.session.scalar(select(User).where(User.phone == "0987654321"))
        assert user.full_name == "Trần Thị Bích"
        assert user.unit.code == "26734"
        assert user.password_hash != GOOD["password"] and "hoa-sen" not in user.password_hash


def test_phone_number_is_normalised(client, units) -> None:
    assert post_form(client, "/register", {**GOOD, "login": "+84 987 654 321"}).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me").get_data(as_text=True))})
    login(client, "0987654321", GOOD["password"])


def test_no_javascript_province_button_lists_communes(client, units) -> None:
    response = post_form(client, "/register", {"province": "79", "pick_province": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Phường Tân Định" in html and "Phường Ba Đình" not in html
    assert count_users(units) == 0


def test_username_taken(client, units) -> None:
    make_user(units, "0987654321")
    response = post_form(client, "/register", GOOD)
    assert response.status_code == 422
    assert "đã được đăng ký" in response.get_data(as_text=True)
    assert count_users(units) == 1


def test_weak_password_in_english(client, units) -> None:
    token = csrf_from(client.get("/register").get_data(as_text=True))
    client.post("/language", data={"locale": "en", "csrf_token": token})
    response = post_form(client, "/register", {**GOOD, "password": "12345678"})
    assert response.status_code == 422
    assert "too easy to guess" in response.get_data(as_text=True)
    assert count_users(units) == 0


def test_unknown_unit(client, units) -> None:
    response = post_form(client, "/register", {**GOOD, "province": "", "commune": "99999"})
    assert response.status_code == 422
    assert "Chúng tôi không biết đơn vị hành chính này" in response.get_data(as_text=True)
    assert count_users(units) == 0


def test_birth_year_in_future(client, units) -> None:
    response = post_form(client, "/register", {**GOOD, "birth_year": "2999"})
    assert response.status_code == 422
    assert "Năm sinh không thể ở tương lai" in response.get_data(as_text=True)
    assert count_users(units) == 0


def test_missing_csrf_token_is_400_and_creates_nothing(client, units) -> None:
    client.get("/register")
    response = client.post("/register", data=GOOD)
    assert response.status_code == 400
    assert count_users(units) == 0


def test_login_wrong_password_then_right(client, app) -> None:
    make_user(app)
    bad = post_form(client, "/login", {"login": "0912345678", "password": "sai-mat-khau"})
    assert bad.status_code == 401
    assert "Sai số điện thoại" in bad.get_data(as_text=True)
    login(client)
    assert "Nguyễn Văn An" in client.get("/me").get_data(as_text=True)


def test_open_redirect_is_refused(client, app) -> None:
    make_user(app)
    response = post_form(client, "/login", {"login": "0912345678", "password": "mat-khau-tot-2026",
                                            "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_change_password_ends_other_sessions(app) -> None:
    make_user(app)
    phone, laptop = app.test_client(), app.test_client()
    login(phone)
    login(laptop)
    response = post_form(phone, "/password", {"old_password": "mat-khau-tot-2026", "new_password": "may-cay-lua-99"})
    assert response.status_code == 302
    assert phone.get("/me").status_code == 200
    assert laptop.get("/me").status_code == 302  # signed out
    login(app.test_client(), "0912345678", "may-cay-lua-99")


def test_must_change_password_first(client, app) -> None:
    make_user(app)
    with app.app_context():
        user = db.session.scalar(select(User))
        user.must_change_password = True
        db.session.commit()
    login(client)
    assert client.get("/me").headers["Location"].startswith("/password")


def test_logout_requires_post_with_token(client, app) -> None:
    make_user(app)
    login(client)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me").get_data(as_text=True))})
    assert client.get("/me").status_code == 302


def test_locale_is_kept_per_user_across_devices(client, app) -> None:
    make_user(app)
    login(client)
    post_form(client, "/me", {"locale": "en"}, action="/language")
    other_device = app.test_client()
    login(other_device)
    html = other_device.get("/me").get_data(as_text=True)
    assert 'lang="en"' in html and "My certificates" in html


def test_guest_locale_is_kept_in_session(client, courses) -> None:
    assert 'lang="vi"' in client.get("/courses/").get_data(as_text=True)
    post_form(client, "/courses/", {"locale": "en"}, action="/language")
    assert 'lang="en"' in client.get("/courses/").get_data(as_text=True)
    assert 'lang="vi"' in post_form(client, "/courses/", {"locale": "vi", "next": "/courses/"}, action="/language",
                                    follow_redirects=True).get_data(as_text=True)


def test_dates_are_formatted_for_the_locale(app) -> None:
    from datetime import date

    with app.test_request_context("/"):
        from flask import render_template_string
        from flask_babel import force_locale

        with force_locale("vi"):
            vi = render_template_string("{{ d|lms_date }}", d=date(2026, 7, 1))
        with force_locale("en"):
            en = render_template_string("{{ d|lms_date }}", d=date(2026, 7, 1))
    assert vi != en and "2026" in vi and "Jul" in en


def test_signed_in_account_without_audience_lands_on_the_catalogue(client, courses) -> None:
    from lms.accounts.models import User

    make_user(courses, "admin1", roles={"admin"})
    with courses.app_context():
        user = db.session.scalar(select(User).where(User.username == "admin1"))
        user.audience = None
        db.session.commit()
    login(client, "admin1")
    assert client.get("/").headers["Location"].endswith("/courses/")
