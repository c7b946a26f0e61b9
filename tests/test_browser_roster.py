"""The roster preview on a phone (Chromium, 360x640), with JavaScript off as on the cheapest
phones: a row naming an existing account with another birth year is "to check" beside the
account's initials; a wrong phone number is corrected in the page and checked again; "import the
valid rows" leaves the unticked row alone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.classes.models import ClassInvitation, Enrollment
from lms.db import db
from tests.certs_helpers import PASSWORD
from tests.classes_helpers import make_class, roster_csv
from tests.conftest import make_user, require_chromium
from tests.test_browser_invitations import sign_in
from tests.test_certs_browser import SHOTS, build_app, serve, shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    app = build_app(tmp_path_factory.mktemp("roster-browser"))
    other = make_user(app, "0987000001", PASSWORD, full_name="Nguyễn Thị Hoa", birth_year=1968, unit_code="26734")
    teacher = make_user(app, "co.lan", PASSWORD, roles={"teacher"}, full_name="Cô Lan")
    class_id = make_class(app, teacher, name="Lớp tin học tổ 5")
    server = serve(app)
    yield app, f"http://127.0.0.1:{server.server_port}", class_id, other
    server.shutdown()


def test_a_row_to_check_and_a_row_fixed_in_the_page_without_javascript(site, browser, tmp_path) -> None:
    app, url, class_id, other = site
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1, locale="vi-VN",
                                  service_workers="block", java_script_enabled=False)
    page = context.new_page()
    sign_in(page, url, "co.lan")
    roster = tmp_path / "danh-sach.csv"
    roster.write_bytes(roster_csv("Nguyễn Thị Hoa,0987000001,1990,",  # the phone of Hoa born in 1968
                                  "Trần Văn Bình,012345,1962,",         # a wrong phone number
                                  "Lê Thị Cúc,0987000003,1970,"))
    page.goto(f"{url}/teach/classes/{class_id}/roster")
    page.set_input_files("input[type=file]", str(roster))
    page.click("main form[enctype] [type=submit]")
    page.wait_for_load_state()
    row = page.locator('tr[data-line="2"]')
    assert row.get_attribute("data-status") == "invite"
    text = row.inner_text()
    assert "Cần kiểm tra" in text and "Trong danh sách của bạn" in text and "Tài khoản đã có" in text
    assert "N. T. H." in text and "1968" not in page.content()
    assert "tạo mới 1, ghép 0, mời 0, bỏ qua 2" in page.locator("#roster-plan").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "classes-roster-check.png")  # the whole page
    page.evaluate("document.querySelector('tr[data-line=\"2\"]').scrollIntoView()")  # CSP-safe: no eval in the page
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "classes-roster-check-row.png"))  # what the phone shows: 360x640

    page.fill("input[name=login-3]", "0987000002")
    page.click("#check-top")
    page.wait_for_load_state()
    assert page.locator('tr[data-line="3"]').get_attribute("data-status") == "new"
    assert "tạo mới 2, ghép 0, mời 0, bỏ qua 1" in page.locator("#roster-plan").inner_text()
    page.click("#import")
    page.wait_for_load_state()
    assert "/done" in page.url
    context.close()
    with app.app_context():
        assert db.session.get(Enrollment, (class_id, other)) is None
        assert db.session.scalar(select(ClassInvitation.id)) is None


def test_class_page_buttons_and_learners_to_remind_on_a_phone(site, browser) -> None:
    from tests.classes_helpers import enroll

    app, url, class_id, _other = site
    learner = make_user(app, "0987000009", PASSWORD, full_name="Đỗ Văn Chậm", unit_code="26734")
    enroll(app, class_id, learner, days_ago=20)
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1, locale="vi-VN",
                                  service_workers="block")
    page = context.new_page()
    sign_in(page, url, "co.lan")
    page.goto(f"{url}/teach/classes/{class_id}/")
    certificates = page.locator("#class-certificates")
    assert certificates.is_visible() and certificates.inner_text() == "Chứng nhận của lớp (PDF)"
    assert certificates.get_attribute("href") == f"/certificates/class/{class_id}.pdf"
    assert "Chứng nhận phổ cập kỹ năng số" in page.locator("#progress thead").inner_text()
    box = certificates.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    page.click("#class-reminders")
    page.wait_for_load_state()
    assert "Đỗ Văn Chậm" in page.locator("#reminders").inner_text()
    assert page.locator('a[href="tel:0987000009"]').inner_text() == "0987 000 009"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "classes-reminders.png")
    context.close()
