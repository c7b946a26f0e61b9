"""A forgotten password on a phone (Chromium, 360x640): the recovery code shown at registration,
"Quên mật khẩu" with that code, a teacher's new one-time password and the first sign-in that
asks only for the new password. Screenshots go to docs/screenshots/recovery-*.png."""

from __future__ import annotations

import pytest

from tests.classes_helpers import enroll, make_class
from tests.conftest import make_user, require_chromium
from tests.test_certs_browser import build_app, fits, phone, serve, shot

pytestmark = pytest.mark.browser
TEACHER_PASSWORD = "mat-khau-tot-2026"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    app = build_app(tmp_path_factory.mktemp("recovery"))
    teacher = make_user(app, "co.lan", TEACHER_PASSWORD, roles={"teacher"}, full_name="Cô Lan")
    class_id = make_class(app, teacher, name="Lớp tin học tổ 5")
    server = serve(app)
    yield app, f"http://127.0.0.1:{server.server_port}", class_id
    server.shutdown()


def test_register_forget_and_come_back_with_the_recovery_code(site, browser) -> None:
    _app, url, _class_id = site
    context = phone(browser)
    page = context.new_page()
    page.goto(url + "/register")
    page.fill("#login", "0912000333")
    page.fill("#full_name", "Lê Thị Mai")
    page.fill("#birth_year", "1960")
    page.select_option("#audience", "citizens")
    page.select_option("#province", "79")
    page.wait_for_selector("#commune option:has-text('Phường Sài Gòn')", state="attached")
    page.select_option("#commune", label="Phường Sài Gòn")
    page.fill("#password", "mai-vang-no-60")
    page.click("#submit")
    page.wait_for_url(url + "/")
    code = page.locator("#recovery-code").inner_text()
    assert len(code) == 19 and code.count("-") == 3
    assert "Hãy chép ngay mã này ra giấy" in page.locator("main").inner_text()
    assert fits(page)
    shot(page, "recovery-01-code.png")

    page.goto(url + "/me")
    page.click("main button:has-text('Đăng xuất')")
    page.wait_for_load_state()
    page.goto(url + "/login")
    assert "Nhờ giáo viên hoặc cán bộ xã" in page.locator("main").inner_text()
    shot(page, "recovery-02-login.png")
    page.click("#forgot")
    page.wait_for_url(url + "/forgot")
    page.fill("#login", "0912000333")
    page.fill("#code", code.lower().replace("-", " "))  # copied by hand: small letters, spaces
    page.fill("#new_password", "sen-hong-no-2026")
    page.fill("#confirm", "sen-hong-no-2026")
    assert fits(page)
    shot(page, "recovery-03-forgot.png")
    page.click("#submit")
    page.wait_for_url(url + "/")
    text = page.locator("main").inner_text()
    assert "Đã lưu mật khẩu mới và bạn đã đăng nhập" in text and "Lộ trình học của tôi" in text
    assert page.locator("#recovery-code").inner_text() != code  # the used code was replaced
    shot(page, "recovery-04-signed-in.png")
    context.close()


def test_a_teacher_gives_a_one_time_password_and_the_learner_chooses_their_own(site, browser) -> None:
    app, url, class_id = site
    learner = make_user(app, "0912000444", "hoa-cuc-trang-55", full_name="Phạm Văn Tư", unit_code="26734")
    enroll(app, class_id, learner)
    context = phone(browser)
    page = context.new_page()
    page.goto(url + "/login")
    page.fill("#login", "co.lan")
    page.fill("#password", TEACHER_PASSWORD)
    page.click("#submit")
    page.wait_for_load_state()
    page.goto(f"{url}/teach/classes/{class_id}/learners/{learner}")
    page.click("main button:has-text('Mật khẩu dùng một lần mới')")
    page.wait_for_load_state()
    one_time = page.locator("#one-time-password").inner_text()
    assert len(one_time) == 12 and fits(page)
    shot(page, "recovery-05-teacher.png")
    context.close()

    context = phone(browser)
    page = context.new_page()
    page.goto(url + "/login")
    page.fill("#login", "0912000444")
    page.fill("#password", one_time)
    page.click("#submit")
    page.wait_for_url(url + "/password")
    assert page.locator("input[type=password]").count() == 2  # only the new password, twice
    page.fill("#new_password", "lua-chin-vang-2026")
    page.fill("#confirm", "lua-chin-vang-2026")
    assert fits(page)
    shot(page, "recovery-06-first-password.png")
    page.click("#submit")
    page.wait_for_url(url + "/")
    assert "Lộ trình học của tôi" in page.locator("main").inner_text()
    assert page.locator("#recovery-code").count() == 1
    context.close()
