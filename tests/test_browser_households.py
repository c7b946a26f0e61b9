"""A household linked on phones (Chromium, 360x640): An invites Bình by phone number; Bình, signed in
on her own phone, finds the invitation on her page and accepts; both adults hold their path
certificate, so each member's page shows the "Gia đình số" badge."""

from __future__ import annotations

from datetime import date

import pytest

from lms.db import db
from tests.certs_helpers import PASSWORD
from tests.conftest import make_user, require_chromium
from tests.coverage_helpers import add_certificate
from tests.test_browser_invitations import sign_in
from tests.test_certs_browser import build_app, phone, serve, shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    app = build_app(tmp_path_factory.mktemp("households"))
    an = make_user(app, "0912345678", PASSWORD, full_name="Nguyễn Văn An", unit_code="26734")
    binh = make_user(app, "0987654321", PASSWORD, full_name="Trần Thị Bình", unit_code="26734")
    with app.app_context():
        add_certificate(an, "citizens", date(2026, 3, 1))
        add_certificate(binh, "citizens", date(2026, 3, 2))
        db.session.commit()
    server = serve(app)
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_invite_and_accept_on_a_phone(site, browser) -> None:
    _app, url = site
    inviter = phone(browser)
    page = inviter.new_page()
    sign_in(page, url, "0912345678")
    page.goto(url + "/me")
    page.click("a:has-text('Lập hộ gia đình của tôi')")
    page.fill("input[name=login]", "0987654321")
    page.click("button:has-text('Gửi lời mời'), input[value='Gửi lời mời']")
    page.wait_for_load_state()
    assert "họ sẽ thấy lời mời trên trang của mình" in page.locator("main").inner_text()
    fits(page)
    shot(page, "households-invite.png")

    invited = phone(browser)
    other = invited.new_page()
    sign_in(other, url, "0987654321")
    other.goto(url + "/me")
    other.click("a:has-text('Lời mời vào một hộ gia đình')")
    other.wait_for_load_state()
    text = other.locator("main").inner_text()
    assert "Nguyễn Văn An mời bạn vào hộ gia đình của họ." in text
    fits(other)
    shot(other, "households-invitation.png")
    other.click("button:has-text('Đồng ý')")
    other.wait_for_load_state()
    text = other.locator("main").inner_text()
    assert "Gia đình số" in text and "Nguyễn Văn An" in text and "Trần Thị Bình" in text
    fits(other)
    shot(other, "households-digital.png")
    invited.close()

    page.goto(url + "/me")
    assert page.locator("#household-status .badge.ok").inner_text() == "Gia đình số"
    fits(page)
    inviter.close()
