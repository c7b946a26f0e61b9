"""The offline check knows revocations: opened once online, the page keeps the signed revocation
list; offline (the browser context cut off), a revoked certificate's token says REVOKED with the
revocation date, a valid one says VALID with course and commune names (not slugs or codes) and a
Vietnamese date, and every verdict names the list's date. Screenshots: docs/screenshots/
cert-offline-revoked.png, cert-offline-valid.png."""

from __future__ import annotations

import pytest

from tests.certs_helpers import PASSWORD, pass_quiz, record
from tests.conftest import make_user, require_chromium
from tests.test_certs_browser import build_app, serve, shot, wait_until

pytestmark = pytest.mark.browser


def check(page, token: str) -> str:
    root = page.locator("[data-lms-verify-offline]")
    page.evaluate("document.querySelector('[data-lms-verify-offline]').removeAttribute('data-status')")
    page.fill("input[name=token]", token)
    page.click(".lms-vo-form button")
    wait_until(page, "document.querySelector('[data-lms-verify-offline]').hasAttribute('data-status')")
    return root.get_attribute("data-status")


def test_offline_page_shows_revoked_from_the_kept_list(browser, tmp_path) -> None:
    require_chromium()
    app = build_app(tmp_path / "instance")
    make_user(app, "0912345678", PASSWORD, full_name="Nguyễn Thị Ánh Tuyết", unit_code="26734")
    make_user(app, "0912000002", PASSWORD, full_name="Trần Văn Bình", unit_code="26734")
    client = app.test_client()
    revoked = pass_quiz(app, client, "0912345678")["certificate"]["code"]
    valid = pass_quiz(app, client, "0912000002")["certificate"]["code"]
    result = app.test_cli_runner().invoke(args=["lms", "certs", "revoke", revoked, "--reason", "Cấp nhầm người"])
    assert result.exit_code == 0, result.output
    revoked_token, valid_token = record(app, revoked).token, record(app, valid).token
    server = serve(app)
    url = f"http://127.0.0.1:{server.server_port}"
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1, locale="vi-VN",
                                  timezone_id="Asia/Ho_Chi_Minh", service_workers="block")
    try:
        page = context.new_page()
        page.goto(f"{url}/verify/offline")  # online: keys and the signed revocation list are kept
        wait_until(page, "localStorage.getItem('lms-cert-revocations') !== null")
        wait_until(page, "localStorage.getItem('lms-cert-keys') !== null")
        context.set_offline(True)
        assert page.evaluate("fetch('/verify/offline/revoked.json').then(() => 'online', () => 'offline')") == "offline"

        assert check(page, f"HTTPS://HOC.EXAMPLE.VN/V/{revoked_token}") == "revoked"
        assert "ĐÃ THU HỒI" in page.inner_text(".lms-vo-status")
        text = page.inner_text(".lms-vo-result")
        assert "Danh sách thu hồi ngày" in text and "Ngày thu hồi" in text
        assert "Nguyễn T. Á. T." in text and "Nguyễn Thị Ánh Tuyết" not in text
        assert page.locator(".st-revoked").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(154, 52, 18)"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        shot(page, "cert-offline-revoked.png")

        assert check(page, valid_token) == "valid"
        text = page.inner_text(".lms-vo-result")
        assert "CÒN HIỆU LỰC" in page.inner_text(".lms-vo-status")
        assert "Dùng điện thoại thông minh" in text and "dien-thoai" not in text  # the course's name
        assert "Phường Sài Gòn, Thành phố Hồ Chí Minh" in text and "26734" not in text  # the commune's
        assert "Trần V. B." in text and "thg" in text and "-20" not in text  # a Vietnamese date, not ISO
        assert "Danh sách thu hồi ngày" in text
        shot(page, "cert-offline-valid.png")

        forged = valid_token[:-8] + "AAAAAAAA"
        assert check(page, forged) == "invalid"
        assert "Danh sách thu hồi ngày" in page.inner_text(".lms-vo-result")  # under every verdict
    finally:
        context.close()
        server.shutdown()
        server.server_close()


def test_without_a_list_a_good_signature_is_not_called_valid(browser, tmp_path) -> None:
    """A device that never fetched the list (or whose list is too old) does not say VALID."""
    require_chromium()
    app = build_app(tmp_path / "instance")
    make_user(app, "0912345678", PASSWORD, full_name="Lê Văn Ước", unit_code="26734")
    code = pass_quiz(app, app.test_client(), "0912345678")["certificate"]["code"]
    token = record(app, code).token
    server = serve(app)
    url = f"http://127.0.0.1:{server.server_port}"
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="vi-VN", service_workers="block")
    try:
        page = context.new_page()
        page.route("**/verify/offline/revoked.json", lambda route: route.abort())  # the list never arrives
        page.goto(f"{url}/verify/offline")
        wait_until(page, "localStorage.getItem('lms-cert-keys') !== null")
        assert check(page, token) == "unconfirmed"
        assert page.locator("[data-lms-verify-offline]").get_attribute("data-result") == "valid"
        text = page.inner_text(".lms-vo-result")
        assert "Máy này chưa có danh sách thu hồi" in text
        assert "CHỮ KÝ HỢP LỆ" in page.inner_text(".lms-vo-status") and "CÒN HIỆU LỰC" not in text
        # an old list (8 days) does not confirm either: re-sign nothing, just age the kept copy's date
        page.unroute("**/verify/offline/revoked.json")
        page.goto(f"{url}/verify/offline")
        wait_until(page, "localStorage.getItem('lms-cert-revocations') !== null")
        context.set_offline(True)
        page.evaluate("""() => { const real = Date.now; Date.now = () => real() + 8 * 86400000; }""")
        assert check(page, token) == "unconfirmed"
        assert "cũ hơn 7 ngày" in page.inner_text(".lms-vo-result")
    finally:
        context.close()
        server.shutdown()
        server.server_close()
