"""A roster invitation as the people involved see it, on a phone (Chromium, 360x640): the teacher's
preview shows an invitation for an existing account without revealing whose it is; the learner,
at their next sign-in, is asked whether to join and joins with one tap."""

from __future__ import annotations

import pytest

from tests.certs_helpers import PASSWORD
from tests.classes_helpers import make_class, roster_csv
from tests.conftest import make_user, require_chromium
from tests.test_certs_browser import build_app, phone, serve, shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    app = build_app(tmp_path_factory.mktemp("invitations"))
    make_user(app, "0912345678", PASSWORD, full_name="Nguyễn Văn An", unit_code="26734")
    teacher = make_user(app, "co.lan", PASSWORD, roles={"teacher"}, full_name="Cô Lan")
    class_id = make_class(app, teacher, name="Lớp tin học tổ 5")
    server = serve(app)
    yield app, f"http://127.0.0.1:{server.server_port}", class_id
    server.shutdown()


def sign_in(page, site_url: str, login: str) -> None:
    page.goto(site_url + "/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form [type=submit]")
    page.wait_for_load_state()


def test_a_teacher_invites_and_the_learner_accepts_on_a_phone(site, browser, tmp_path) -> None:
    app, url, class_id = site
    teacher = phone(browser)
    page = teacher.new_page()
    sign_in(page, url, "co.lan")
    roster = tmp_path / "danh-sach.csv"
    roster.write_bytes(roster_csv("Nguyen Van Binh,0912345678,1955,"))  # the phone is An's: another name
    page.goto(f"{url}/teach/classes/{class_id}/roster")
    page.set_input_files("input[type=file]", str(roster))
    page.click("main form[enctype] [type=submit]")
    page.wait_for_load_state()
    preview = page.locator("main").inner_text()
    assert "Nguyễn Văn An" not in preview  # the account's real name is never shown
    assert "Cần kiểm tra" in preview and "N. V. A." in preview  # only the initials, beside the row
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "classes-roster-invitation.png")
    page.check("input[name=tick-2]")  # the teacher ticks the row: the person is invited
    page.click("#import")
    page.wait_for_load_state()
    teacher.close()

    learner = phone(browser)
    page = learner.new_page()
    sign_in(page, url, "0912345678")
    assert "/invitations" in page.url, page.url
    text = page.locator("main").inner_text()
    assert "Lớp tin học tổ 5" in text and "Cô Lan" in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "classes-invitation.png")
    page.click("button:has-text('Tham gia lớp')")
    page.wait_for_load_state()
    assert "Lớp tin học tổ 5" in page.locator("main").inner_text()
    learner.close()
