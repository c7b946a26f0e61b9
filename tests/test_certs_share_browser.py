"""The holder's Share and Copy buttons in real Chromium at 360x640: the copy fallback puts the
link in the clipboard, Web Share gets the link, no JavaScript error; without JavaScript the link
is in plain view. Screenshots: docs/screenshots/cert-share.png, cert-share-card.png."""

from __future__ import annotations

import pytest

from tests.certs_helpers import PASSWORD, pass_quiz, record
from tests.conftest import make_user, require_chromium, vi
from tests.test_certs_browser import NAME, SHOTS, build_app, phone, serve, wait_until

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def holder_site(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    app = build_app(tmp_path_factory.mktemp("certs-share"))
    make_user(app, "0912345678", PASSWORD, full_name=NAME, unit_code="26734")
    code = pass_quiz(app, app.test_client())["certificate"]["code"]
    server = serve(app)
    yield app, f"http://127.0.0.1:{server.server_port}", code
    server.shutdown()


def signed_in_page(browser, base: str, **options):
    context = phone(browser) if not options else browser.new_context(
        viewport={"width": 360, "height": 640}, device_scale_factor=1, locale="vi-VN", **options)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(f"{base}/login")
    page.fill("#login", "0912345678")
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_load_state()
    return context, page, problems


def test_copy_link_and_web_share_on_a_phone(holder_site, browser) -> None:
    app, base, code = holder_site
    link = f"http://localhost/V/{record(app, code).token}"  # LMS_BASE_URL is unset in tests
    context, page, problems = signed_in_page(browser, base)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.goto(f"{base}/certificates/{code}")
    assert page.input_value("#share-url") == link
    copy = page.locator("#copy-button")
    assert copy.is_visible() and copy.inner_text() == vi("Copy link")
    copy.click()
    wait_until(page, "document.getElementById('share-status').textContent.length > 0")
    assert page.inner_text("#share-status") == vi("Link copied. Paste it into Zalo, Facebook or a message.")
    assert page.evaluate("navigator.clipboard.readText()") == link
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width  # nothing wider than the phone
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#share").screenshot(path=str(SHOTS / "cert-share.png"))
    assert problems == []
    context.close()

    # a phone with Web Share (Android: Zalo, Facebook, Messages in one list)
    context, page, problems = signed_in_page(browser, base)
    page.add_init_script("navigator.share = function (data) { window.sharedData = data; return Promise.resolve(); };")
    page.goto(f"{base}/certificates/{code}")
    share = page.locator("#share-button")
    assert share.is_visible() and share.inner_text() == vi("Share")
    share.click()
    wait_until(page, "window.sharedData !== undefined")
    shared = page.evaluate("window.sharedData")
    assert shared["url"] == link and NAME not in shared["title"]
    assert problems == []
    context.close()

    # the share sheet refused (not closed by the person): the link is copied instead
    context, page, problems = signed_in_page(browser, base)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page.add_init_script("navigator.share = function () { return Promise.reject(new TypeError('no')); };")
    page.goto(f"{base}/certificates/{code}")
    page.click("#share-button")
    wait_until(page, "document.getElementById('share-status').textContent.length > 0")
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert problems == []
    context.close()


def test_without_javascript_the_link_is_in_plain_view(holder_site, browser) -> None:
    app, base, code = holder_site
    context, page, _problems = signed_in_page(browser, base, java_script_enabled=False)
    page.goto(f"{base}/certificates/{code}")
    assert page.locator("#share-url").is_visible()
    assert page.input_value("#share-url") == f"http://localhost/V/{record(app, code).token}"
    assert not page.locator("#copy-button").is_visible() and not page.locator("#share-button").is_visible()
    assert page.locator("a.share-fb").is_visible()
    context.close()


def test_the_card_a_chat_app_shows(holder_site, browser) -> None:
    """The og:image as a chat app fetches it (the screenshot is the card itself)."""
    app, base, code = holder_site
    token = record(app, code).token
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{base}/V/{token}")
    image = page.locator('meta[property="og:image"]').get_attribute("content")
    assert image == f"http://localhost/V/{token}/card.png?s=valid"
    answer = page.request.get(f"{base}/V/{token}/card.png?s=valid")
    assert answer.ok and answer.headers["content-type"] == "image/png"
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "cert-share-card.png").write_bytes(answer.body())
    context.close()
