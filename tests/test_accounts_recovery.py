"""Recovery codes: shown once, stored as a hash, normalised, rate-limited, replaced when used;
the sign-in page's way out; the first sign-in with a one-time password."""

from __future__ import annotations

import math
import re

from sqlalchemy import select

from lms.accounts import onetime
from lms.accounts.models import AuditLog, User
from lms.accounts.recovery import issue_recovery_code
from lms.db import db
from tests.conftest import csrf_from, login, make_user, post_form, vi

GOOD = {
    "login": "0987654321", "full_name": "Trần Thị Bích", "birth_year": "1962", "audience": "citizens",
    "province": "79", "commune": "26734", "password": "hoa-sen-no-2026",
}
CODE_RE = re.compile(r'id="recovery-code">([A-Z0-9-]+)<')
NO_MATCH = "This phone number or username and this recovery code do not match."
NEW = "cay-tre-xanh-2026"


def shown_code(html: str) -> str:
    match = CODE_RE.search(html)
    assert match, "no recovery code on the page"
    return match.group(1)


def give_code(app, username: str = "0912345678") -> str:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        code = issue_recovery_code(user)
        db.session.commit()
        return code


def recover(client, login_: str, code: str, password: str = NEW, confirm: str | None = None):
    return post_form(client, "/forgot", {"login": login_, "code": code, "new_password": password,
                                         "confirm": password if confirm is None else confirm})


def test_codes_are_short_unambiguous_and_random() -> None:
    codes = {onetime.new_recovery_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:200]:
        assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code)
        assert not set(code) & set("01ILO")
    bits = onetime.RECOVERY_GROUPS * onetime.RECOVERY_GROUP * math.log2(len(onetime.RECOVERY_ALPHABET))
    assert bits > 60
    assert onetime.normalize_recovery_code(" k7qx m3td-pw9a.hc4r ") == "K7QXM3TDPW9AHC4R"


def test_registration_shows_the_code_once_and_stores_only_a_hash(app, client, units, courses) -> None:
    response = post_form(client, "/register", GOOD)
    assert response.status_code == 302 and response.headers["Location"] == "/"  # still the learner's path
    home = client.get("/").get_data(as_text=True)
    code = shown_code(home)
    advice = vi("Write it on paper now and keep it safe. If you forget your password, this code lets you choose "
                "a new one (\"Forgot your password?\" on the sign-in page). It is shown only this once.")
    assert advice.replace('"', "&#34;") in home
    assert "Lộ trình học của tôi" in home
    assert CODE_RE.search(client.get("/").get_data(as_text=True)) is None  # only once
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.recovery_code_hash and len(user.recovery_code_hash) == 64
        assert code not in user.recovery_code_hash and code.replace("-", "") not in user.recovery_code_hash
        stored = " ".join(str(row.detail) for row in db.session.scalars(select(AuditLog)))
        assert code not in stored


def test_sign_in_page_offers_the_way_out(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/forgot"' in page and "Quên mật khẩu?" in page
    assert "Quên mật khẩu và không có mã khôi phục? Nhờ giáo viên hoặc cán bộ xã" in page
    forgot = client.get("/forgot").get_data(as_text=True)
    assert vi("Recovery code") in forgot
    assert 'action="/forgot/email"' not in forgot  # no mail configured: no e-mail option
    token = csrf_from(forgot)
    assert client.post("/forgot/email", data={"csrf_token": token, "email": "a@b.vn"}).status_code == 404


def test_the_code_sets_a_new_password_signs_out_elsewhere_and_is_replaced(app, client) -> None:
    make_user(app)
    code = give_code(app)
    elsewhere = app.test_client()
    login(elsewhere)
    typed = code.lower().replace("-", " ")  # case, spaces and dashes do not matter
    response = recover(client, "0912345678", typed)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    new_code = shown_code(home)
    assert new_code != code
    assert client.get("/me").status_code == 200  # signed in
    assert elsewhere.get("/me").status_code == 302  # the other session ended
    login(app.test_client(), "0912345678", NEW)
    # the used code no longer works; the new one does
    other = app.test_client()
    assert recover(other, "0912345678", code, "hoa-mai-vang-77").status_code == 422
    assert recover(other, "0912345678", new_code, "hoa-mai-vang-77").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "recover_with_code"))


def test_unknown_account_gets_the_same_answer_as_a_wrong_code(app, client) -> None:
    make_user(app)
    give_code(app)
    wrong = recover(client, "0912345678", "AAAA-BBBB-CCCC-DDDD")
    unknown = recover(app.test_client(), "0999999999", "AAAA-BBBB-CCCC-DDDD")
    nobody = recover(app.test_client(), "khongcoai", "AAAA-BBBB-CCCC-DDDD")
    assert wrong.status_code == unknown.status_code == nobody.status_code == 422
    for response in (wrong, unknown, nobody):
        assert vi(NO_MATCH) in response.get_data(as_text=True)
    strip = re.compile(r'name="csrf_token"[^>]*>|value="[^"]*"')
    assert strip.sub("", wrong.get_data(as_text=True)) == strip.sub("", unknown.get_data(as_text=True))


def test_ten_wrong_codes_are_limited_and_then_even_the_right_code_waits(app, client) -> None:
    make_user(app)
    code = give_code(app)
    statuses = [recover(client, "0912345678", f"AAAA-BBBB-CCCC-{n:04d}".replace("0", "A")).status_code
                for n in range(10)]
    assert statuses[:5] == [422] * 5 and set(statuses[5:]) == {429}
    blocked = recover(client, "0912345678", code)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "Nhập sai mã khôi phục quá nhiều lần" in blocked.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.must_change_password)) is False
    login(app.test_client())  # the password did not change, and sign-in has its own budget


def test_a_weak_or_mistyped_new_password_keeps_the_code(app, client) -> None:
    make_user(app)
    code = give_code(app)
    weak = recover(client, "0912345678", code, "12345678")
    assert weak.status_code == 422 and vi("This password is too easy to guess. Choose another one.") in \
        weak.get_data(as_text=True)
    mismatch = recover(client, "0912345678", code, NEW, "cay-tre-xanh-2027")
    assert mismatch.status_code == 422 and vi("The two passwords are not the same.") in mismatch.get_data(as_text=True)
    assert recover(client, "0912345678", code).status_code == 302


def test_a_new_code_from_the_profile_needs_the_password_and_ends_the_old_one(app, client) -> None:
    make_user(app)
    old = give_code(app)
    login(client)
    token = csrf_from(client.get("/me").get_data(as_text=True))
    refused = client.post("/me/recovery-code", data={"csrf_token": token, "password": "sai-mat-khau"})
    assert vi("The current password is not right.") in client.get(refused.headers["Location"]).get_data(as_text=True)
    response = client.post("/me/recovery-code", data={"csrf_token": token, "password": "mat-khau-tot-2026"})
    new = shown_code(client.get(response.headers["Location"]).get_data(as_text=True))
    assert new != old
    other = app.test_client()
    assert recover(other, "0912345678", old).status_code == 422
    assert recover(other, "0912345678", new).status_code == 302


def test_first_sign_in_with_a_one_time_password_asks_only_for_the_new_one(app, client, courses) -> None:
    make_user(app, password="abcdefghjkmn")
    with app.app_context():
        db.session.scalar(select(User)).must_change_password = True
        db.session.commit()
    response = login(client, "0912345678", "abcdefghjkmn")
    assert response.headers["Location"] == "/password"
    page = client.get("/password").get_data(as_text=True)
    assert 'name="new_password"' in page and 'name="confirm"' in page and 'name="old_password"' not in page
    same = post_form(client, "/password", {"new_password": "abcdefghjkmn", "confirm": "abcdefghjkmn"})
    assert same.status_code == 422
    assert vi("Choose a password different from the one-time password.") in same.get_data(as_text=True)
    typo = post_form(client, "/password", {"new_password": NEW, "confirm": NEW + "x"})
    assert typo.status_code == 422
    done = post_form(client, "/password", {"new_password": NEW, "confirm": NEW})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Lộ trình học của tôi" in home
    code = shown_code(home)  # a roster account gets its recovery code here
    with app.app_context():
        user = db.session.scalar(select(User))
        assert not user.must_change_password and user.password_hash.startswith("scrypt:")
    assert recover(app.test_client(), "0912345678", code, "hoa-mai-vang-77").status_code == 302


def test_the_e_mail_address_on_the_profile_needs_the_password(app, client) -> None:
    make_user(app)
    login(client)
    token = csrf_from(client.get("/me").get_data(as_text=True))
    data = {"csrf_token": token, "email": "An.Nguyen@Example.VN", "password": "sai"}
    client.post("/me/email", data=data)
    with app.app_context():
        assert db.session.scalar(select(User.email)) is None
    bad = client.post("/me/email", data={**data, "email": "khong-phai-email", "password": "mat-khau-tot-2026"})
    assert vi("This is not an e-mail address (it looks like name@example.com).") in \
        client.get(bad.headers["Location"]).get_data(as_text=True)
    client.post("/me/email", data={**data, "password": "mat-khau-tot-2026"})
    with app.app_context():
        assert db.session.scalar(select(User.email)) == "an.nguyen@example.vn"
    assert 'value="an.nguyen@example.vn"' in client.get("/me").get_data(as_text=True)
    client.post("/me/email", data={**data, "email": "", "password": "mat-khau-tot-2026"})
    with app.app_context():
        assert db.session.scalar(select(User.email)) is None


def test_codes_and_one_time_passwords_never_reach_a_log(app, client, caplog) -> None:
    import logging

    make_user(app)
    make_user(app, "quan.tri", roles={"admin"}, full_name="Quản Trị")
    code = give_code(app)
    caplog.set_level(logging.DEBUG)
    recover(client, "0912345678", code)
    new_code = shown_code(client.get("/").get_data(as_text=True))
    admin = app.test_client()
    login(admin, "quan.tri")
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == "0912345678"))
    given = post_form(admin, "/help/password", {}, action=f"/help/password/{user_id}").get_data(as_text=True)
    one_time = re.search(r'id="one-time-password">([a-z2-9]{12})<', given).group(1)
    for secret in (code, code.replace("-", ""), new_code, new_code.replace("-", ""), one_time, NEW):
        assert secret not in caplog.text


def _from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_the_account_and_the_address_have_ceilings_too(app) -> None:
    make_user(app)
    give_code(app)
    # many addresses, one account: past 10 an hour, the addresses that failed on it wait
    for n in range(10):
        assert recover(_from(app, f"10.0.0.{n + 1}"), "0912345678", "AAAA-BBBB-CCCC-DDDD").status_code == 422
    assert recover(_from(app, "10.0.0.1"), "0912345678", "AAAA-BBBB-CCCC-DDDD").status_code == 429
    # one address, many accounts (known or not): past 20 an hour it waits
    spray = _from(app, "10.9.9.9")
    statuses = [recover(spray, f"09123400{n:02d}", "AAAA-BBBB-CCCC-DDDD").status_code for n in range(21)]
    assert statuses[:20] == [422] * 20 and statuses[20] == 429
