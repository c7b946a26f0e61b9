"""A citizen's journey in real Chromium at 360x640: register, path, lesson, done, English and back.

Screenshots are written to docs/screenshots/ (the README shows them).
"""

from __future__ import annotations

import pytest

from tests.browser_helpers import real_site, serving
from tests.conftest import REPO, require_chromium

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
SHOTS = REPO / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic", "--no-first-run"]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    with serving(real_site(tmp_path_factory.mktemp("browser-instance"))) as url:
        yield url


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_citizen_journey(live_server: str, browser) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server + "/")
    assert page.locator("h1").inner_text() == "Học kỹ năng số, từng bước một"
    shot(page, "01-welcome.png")
    page.click("text=Tạo tài khoản")
    page.fill("#login", "0912000111")
    page.fill("#full_name", "Nguyễn Thị Hoa")
    page.fill("#birth_year", "1958")
    page.select_option("#audience", "citizens")
    page.select_option("#province", "79")  # the script reloads the commune list for this province
    page.wait_for_selector("#commune option:has-text('Phường Sài Gòn')", state="attached")
    page.select_option("#commune", label="Phường Sài Gòn")
    page.fill("#password", "hoa-lan-rung-58")
    shot(page, "02-register.png")
    page.click("#submit")
    page.wait_for_url(live_server + "/")
    assert "Lộ trình học của tôi" in page.content()
    # nothing overflows a 360 px screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "03-home.png")
    page.locator("a.card").first.click()
    page.locator("ol.steps a").first.click()
    assert page.locator("article.lesson h1").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "04-lesson.png")
    page.click("text=Tôi đã học xong bài này")
    page.wait_for_load_state()
    assert "Đã học xong bài. Bạn làm tốt lắm!" in page.content()
    page.click("button:has-text('English')")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    # marking the first lesson done led on to the second, whose English page links back to the first
    assert page.url.endswith("/lessons/02-ket-noi-internet") and "← Previous" in page.content()
    shot(page, "05-lesson-en.png")
    page.click("button:has-text('Tiếng Việt')")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "vi"
    page.goto(live_server + "/")
    assert "1/" in page.locator("main").inner_text()
    context.close()


def test_works_without_javascript(live_server: str, browser) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 640}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/register")
    page.fill("#login", "0912000222")
    page.fill("#full_name", "Trần Văn Bình")
    page.select_option("#audience", "workers")
    page.select_option("#province", "01")
    page.click("#pick_province")  # without JavaScript the button reloads the communes
    page.select_option("#commune", label="Phường Ba Đình")
    page.fill("#password", "binh-minh-len-99")
    page.click("#submit")
    page.wait_for_url(live_server + "/")
    assert "Lộ trình học của tôi" in page.content()
    context.close()
