"""Sessions and tokens (security issue, item 3): logout ends the session on the server, a password
change or reset ends every session and token, tokens can be listed and revoked, an account with a
pending password change gets no token, cookies are SameSite=Lax/HttpOnly/Secure over HTTPS."""

from __future__ import annotations

import base64
import json
import zlib
from datetime import timedelta

from sqlalchemy import func, select

from lms.accounts.models import ApiToken, AuditLog, User, UserSession
from lms.db import db
from tests.conftest import csrf_from, login, make_user, post_form

PASSWORD = "mat-khau-tot-2026"
NEW_PASSWORD = "may-cay-lua-99"


def token(client, username: str = "0912345678", password: str = PASSWORD, **extra) -> str:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password, **extra})
    assert response.status_code == 200, response.json
    return response.json["token"]


def bearer(raw: str) -> dict:
    return {"Authorization": "Bearer " + raw}


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def decode_cookie(value: str) -> dict:
    """What anyone holding the cookie can read (Flask signs it, it does not encrypt it)."""
    compressed = value.startswith(".")
    payload = value.lstrip(".").split(".")[0]
    data = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return json.loads(zlib.decompress(data) if compressed else data)


def logout(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me").get_data(as_text=True))})


def set_must_change(app, value: bool = True) -> None:
    with app.app_context():
        user = db.session.scalar(select(User))
        user.must_change_password = value
        db.session.commit()


# -- logout ends the session on the server -------------------------------------------------------


def test_cookie_captured_before_logout_no_longer_works(app) -> None:
    """The attack run replayed a session cookie copied before the owner signed out."""
    make_user(app)
    victim = app.test_client()
    login(victim)
    stolen = session_cookie(victim)
    logout(victim)
    attacker = app.test_client()
    attacker.set_cookie("session", stolen)
    assert attacker.get("/me").status_code == 302  # sent to the sign-in page
    with app.app_context():
        assert db.session.scalar(select(func.count(UserSession.id))) == 0


def test_logout_on_one_device_keeps_the_other(app) -> None:
    make_user(app)
    phone, laptop = app.test_client(), app.test_client()
    login(phone)
    login(laptop)
    logout(phone)
    assert phone.get("/me").status_code == 302
    assert laptop.get("/me").status_code == 200


def test_session_expires_on_the_server(app) -> None:
    make_user(app)
    client = app.test_client()
    login(client)
    with app.app_context():
        row = db.session.scalar(select(UserSession))
        row.expires_at = row.expires_at - timedelta(hours=app.config["LMS_SESSION_HOURS"] + 1)
        db.session.commit()
    assert client.get("/me").status_code == 302


def test_cookie_carries_no_part_of_the_password_hash(app) -> None:
    make_user(app)
    client = app.test_client()
    login(client)
    content = decode_cookie(session_cookie(client))
    with app.app_context():
        password_hash = db.session.scalar(select(User.password_hash))
    assert "lms_pw" not in content
    text = json.dumps(content)
    for start in range(0, len(password_hash) - 8):
        assert password_hash[start:start + 8] not in text
    assert set(content) >= {"lms_sid", "lms_user_id"}


def test_sign_in_replaces_the_previous_session_id(app) -> None:
    """No session fixation: a sid planted before sign-in is not the one that is signed in."""
    make_user(app)
    client = app.test_client()
    login(client)
    first = decode_cookie(session_cookie(client))["lms_sid"]
    login(client)
    assert decode_cookie(session_cookie(client))["lms_sid"] != first
    with app.app_context():
        assert db.session.scalar(select(func.count(UserSession.id))) == 1


# -- password change and reset end sessions and tokens ------------------------------------------


def test_password_change_ends_other_sessions_and_every_token(app) -> None:
    make_user(app)
    phone, laptop = app.test_client(), app.test_client()
    login(phone)
    login(laptop)
    raw = token(app.test_client())
    assert phone.get("/api/v1/auth/tokens", headers=bearer(raw)).status_code == 200
    response = post_form(phone, "/password", {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert phone.get("/me").status_code == 200  # this browser goes on with a new session
    assert laptop.get("/me").status_code == 302
    assert app.test_client().get("/api/v1/auth/tokens", headers=bearer(raw)).status_code == 401


def test_cli_set_password_ends_every_session_and_token(app, runner) -> None:
    """The attack run used an API token after `lms users set-password` had reset the account."""
    make_user(app)
    browser = app.test_client()
    login(browser)
    raw = token(app.test_client())
    result = runner.invoke(args=["lms", "users", "set-password", "0912345678"])
    assert result.exit_code == 0, result.output
    assert browser.get("/me").status_code == 302
    api = app.test_client()
    assert api.get("/api/v1/auth/tokens", headers=bearer(raw)).status_code == 401
    assert api.put("/api/v1/attempts/1/answers/1", json={"response": "a"}, headers=bearer(raw)).status_code == 401


def test_first_sign_in_password_change_ends_the_one_time_password_tokens(app) -> None:
    make_user(app)
    set_must_change(app)
    client = app.test_client()
    login(client)
    post_form(client, "/password", {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    with app.app_context():
        assert not db.session.scalar(select(User.must_change_password))
    assert client.get("/me").status_code == 200
    token(app.test_client(), password=NEW_PASSWORD)  # now the account may have a token


def test_teacher_reissuing_a_one_time_password_ends_the_old_ones_session(app) -> None:
    """A new one-time password is a reset: whoever signed in with the old one is signed out."""
    from lms.classes import passwords
    from lms.classes.models import PasswordSheet
    from tests.classes_helpers import make_class, roster_csv, upload

    units_and_courses(app)
    teacher = app.test_client()
    teacher_id = make_user(app, "co.lan", roles={"teacher"})
    login(teacher, "co.lan")
    class_id = make_class(app, teacher_id)
    page = upload(teacher, class_id, roster_csv("Nguyễn Văn An,0912345601,1958,")).headers["Location"]
    post_form(teacher, page, {}, action=page + "/import")
    with app.app_context():
        one_time = passwords.read_sheet(db.session.scalar(select(PasswordSheet)))[0]["password"]
    learner = app.test_client()
    login(learner, "0912345601", one_time)
    assert learner.get("/password").status_code == 200
    post_form(teacher, f"/teach/classes/{class_id}/roster", {}, action=f"/teach/classes/{class_id}/passwords")
    assert learner.get("/password").status_code == 302  # signed out: back to the sign-in page
    assert "/login" in learner.get("/password").headers["Location"]


def units_and_courses(app) -> None:
    from lms.courses.loader import import_courses
    from lms.units.importer import UnitRow, import_units
    from tests.conftest import FIXTURES

    with app.app_context():
        import_units([UnitRow("79", "Thành phố Hồ Chí Minh", "province", None),
                      UnitRow("26734", "Phường Sài Gòn", "commune", "79")], "test", "test-list")
        import_courses(FIXTURES / "courses", app.extensions["lms"].question_types)


# -- pending password change: no token, no attempts ---------------------------------------------


def test_pending_password_change_gets_no_token(app, client) -> None:
    """The attack run got a token with a one-time password and started an attempt."""
    make_user(app)
    set_must_change(app)
    response = client.post("/api/v1/auth/token", json={"username": "0912345678", "password": PASSWORD})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "password_change_required"
    assert "mật khẩu" in response.json["error"]["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_pending_password_change_cannot_start_an_attempt_with_an_older_token(app, client) -> None:
    from lms.quiz.models import Attempt
    from tests.quiz_helpers import import_quizbank

    import_quizbank(app)
    make_user(app)
    raw = token(client)
    set_must_change(app)  # e.g. set by a direct data fix; the token was issued before
    response = client.post("/api/v1/courses/kiem-tra/attempts", headers=bearer(raw))
    assert response.status_code == 403
    assert response.json["error"]["code"] == "password_change_required"
    with app.app_context():
        assert db.session.scalar(select(func.count(Attempt.id))) == 0
    set_must_change(app, False)
    assert client.post("/api/v1/courses/kiem-tra/attempts", headers=bearer(raw)).status_code == 201


# -- tokens: listed and revoked by their owner and by an admin ----------------------------------


def test_owner_lists_and_revokes_tokens_through_the_api(app, client) -> None:
    make_user(app)
    make_user(app, "0987000000")
    phone = token(client, label="Điện thoại của tôi")
    tablet = token(client, label="Máy tính bảng")
    other = token(client, "0987000000")
    listing = client.get("/api/v1/auth/tokens", headers=bearer(phone)).json
    assert [t["label"] for t in listing] == ["Máy tính bảng", "Điện thoại của tôi"]
    assert [t["current"] for t in listing] == [False, True]
    assert set(listing[0]) == {"id", "label", "created_at", "expires_at", "current"}
    assert phone not in json.dumps(listing) and tablet not in json.dumps(listing)
    tablet_id = listing[0]["id"]
    other_id = client.get("/api/v1/auth/tokens", headers=bearer(other)).json[0]["id"]
    # someone else's token is not found, and stays alive
    assert client.delete(f"/api/v1/auth/tokens/{other_id}", headers=bearer(phone)).status_code == 404
    assert client.get("/api/v1/auth/tokens", headers=bearer(other)).status_code == 200
    assert client.delete(f"/api/v1/auth/tokens/{tablet_id}", headers=bearer(phone)).status_code == 204
    assert client.get("/api/v1/auth/tokens", headers=bearer(tablet)).status_code == 401
    assert [t["id"] for t in client.get("/api/v1/auth/tokens", headers=bearer(phone)).json] != [tablet_id]
    assert client.delete(f"/api/v1/auth/tokens/{tablet_id}", headers=bearer(phone)).status_code == 404
    assert client.get("/api/v1/auth/tokens").status_code == 401
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "revoke_token")) == 1


def test_token_label_defaults_to_the_user_agent(app, client) -> None:
    make_user(app)
    response = client.post("/api/v1/auth/token", json={"username": "0912345678", "password": PASSWORD},
                           headers={"User-Agent": "BinhDanApp/1.2 (Android)"})
    listing = client.get("/api/v1/auth/tokens", headers=bearer(response.json["token"])).json
    assert listing[0]["label"] == "BinhDanApp/1.2 (Android)"


def test_owner_revokes_tokens_on_the_account_page(app) -> None:
    make_user(app)
    raw_a = token(app.test_client(), label="Ứng dụng A")
    raw_b = token(app.test_client(), label="Ứng dụng B")
    browser = app.test_client()
    login(browser)
    assert "/me/tokens" in browser.get("/me").get_data(as_text=True)
    page = browser.get("/me/tokens").get_data(as_text=True)
    assert "Ứng dụng A" in page and "Ứng dụng B" in page and raw_a not in page
    with app.app_context():
        id_a = db.session.scalar(select(ApiToken.id).where(ApiToken.label == "Ứng dụng A"))
    response = post_form(browser, "/me/tokens", {}, action=f"/me/tokens/{id_a}/revoke")
    assert response.status_code == 302
    api = app.test_client()
    assert api.get("/api/v1/auth/tokens", headers=bearer(raw_a)).status_code == 401
    assert api.get("/api/v1/auth/tokens", headers=bearer(raw_b)).status_code == 200
    assert browser.post(f"/me/tokens/{id_a}/revoke").status_code == 400  # no CSRF token, nothing done
    post_form(browser, "/me/tokens", {}, action="/me/tokens/revoke-all")
    assert api.get("/api/v1/auth/tokens", headers=bearer(raw_b)).status_code == 401
    assert "Chưa có ứng dụng nào" in browser.get("/me/tokens").get_data(as_text=True)


def test_one_owner_cannot_revoke_anothers_token_on_the_page(app) -> None:
    make_user(app)
    make_user(app, "0987000000")
    victim_token = token(app.test_client(), "0987000000")
    with app.app_context():
        victim_id = db.session.scalar(select(ApiToken.id))
    browser = app.test_client()
    login(browser)
    post_form(browser, "/me/tokens", {}, action=f"/me/tokens/{victim_id}/revoke")
    assert app.test_client().get("/api/v1/auth/tokens", headers=bearer(victim_token)).status_code == 200


def test_admin_lists_and_revokes_tokens_with_the_cli(app, runner) -> None:
    make_user(app)
    raw_a = token(app.test_client(), label="may-a")
    raw_b = token(app.test_client(), label="may-b")
    listed = runner.invoke(args=["lms", "users", "tokens", "list", "0912345678"])
    assert listed.exit_code == 0 and "may-a" in listed.output and "may-b" in listed.output
    assert raw_a not in listed.output
    token_id = int(listed.output.splitlines()[-1].split("\t")[0])  # newest first: may-a is last
    assert runner.invoke(args=["lms", "users", "tokens", "revoke", "0912345678", str(token_id)]).exit_code == 0
    api = app.test_client()
    assert api.get("/api/v1/auth/tokens", headers=bearer(raw_a)).status_code == 401
    assert api.get("/api/v1/auth/tokens", headers=bearer(raw_b)).status_code == 200
    bad = runner.invoke(args=["lms", "users", "tokens", "revoke", "0912345678", "99999"])
    assert bad.exit_code != 0 and "no token" in bad.output
    assert runner.invoke(args=["lms", "users", "tokens", "revoke", "0912345678", "--all"]).exit_code == 0
    assert api.get("/api/v1/auth/tokens", headers=bearer(raw_b)).status_code == 401
    assert "no token" in runner.invoke(args=["lms", "users", "tokens", "list", "0912345678"]).output
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "revoke_tokens")) == 2


def test_expired_tokens_are_not_listed(app, client) -> None:
    make_user(app)
    raw = token(client)
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        row.expires_at = row.expires_at - timedelta(days=365)
        db.session.commit()
    fresh = token(client)
    listing = client.get("/api/v1/auth/tokens", headers=bearer(fresh)).json
    assert len(listing) == 1 and listing[0]["current"]
    assert client.get("/api/v1/auth/tokens", headers=bearer(raw)).status_code == 401


# -- cookies ------------------------------------------------------------------------------------


def _set_cookie_header(app) -> str:
    make_user(app)
    client = app.test_client()
    return login(client).headers["Set-Cookie"]


def test_session_cookie_is_samesite_lax_and_httponly(app) -> None:
    header = _set_cookie_header(app)
    assert "SameSite=Lax" in header and "HttpOnly" in header
    assert "Secure" not in header  # plain http (tests, a laptop)
    assert app.permanent_session_lifetime == timedelta(hours=app.config["LMS_SESSION_HOURS"])


def app_with(tmp_path, template_db, **settings):
    """An app of its own with these settings, on a fresh copy of the test database."""
    import shutil

    from lms import create_app
    from tests.conftest import DB_KIND, _reset_postgres, base_config

    instance = tmp_path / "instance"
    instance.mkdir()
    url = template_db
    if DB_KIND != "postgres":
        url = "sqlite:///" + str(instance / "lms.sqlite3")
        shutil.copy(template_db.removeprefix("sqlite:///"), instance / "lms.sqlite3")
    app = create_app({**base_config(instance, url), **settings})
    if DB_KIND == "postgres":
        with app.app_context():
            _reset_postgres(app)
    return app


def test_session_cookie_is_secure_when_served_over_https(tmp_path, template_db) -> None:
    app = app_with(tmp_path, template_db, LMS_BASE_URL="https://hoc.example.vn")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    make_user(app)
    client = app.test_client()
    page = client.get("/login", base_url="https://hoc.example.vn")
    response = client.post("/login", base_url="https://hoc.example.vn", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "login": "0912345678", "password": PASSWORD})
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"] and "SameSite=Lax" in response.headers["Set-Cookie"]


def test_operator_cookie_settings_win(tmp_path, template_db) -> None:
    app = app_with(tmp_path, template_db, SESSION_COOKIE_SAMESITE="Strict", LMS_SESSION_COOKIE_SECURE=True,
                    PERMANENT_SESSION_LIFETIME=timedelta(hours=8))
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Strict"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.permanent_session_lifetime == timedelta(hours=8)


def test_mounted_lms_leaves_the_hosts_cookie_settings_alone(tmp_path) -> None:
    from flask import Flask

    from lms import LMS

    host = Flask("portal", instance_path=str(tmp_path / "host"))
    host.config.update(SECRET_KEY="host-secret", LMS_DATABASE_URL=f"sqlite:///{tmp_path}/host.sqlite3",
                       SESSION_COOKIE_SAMESITE="Strict", LMS_BASE_URL="https://portal.example.vn")
    LMS(host, url_prefix="/hoc")
    assert host.config["SESSION_COOKIE_SAMESITE"] == "Strict"
    assert host.config["SESSION_COOKIE_SECURE"] is False  # the host's (Flask's default), not ours
    assert host.permanent_session_lifetime == timedelta(days=31)  # Flask's default, the host's choice
