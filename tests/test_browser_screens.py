"""Public screens and the portal block in real Chromium.

The block is placed in a page served by a second loopback server (another origin, as a province's
portal would be): its content must load, while other pages (e.g. /login) must refuse to be framed.
Screenshots: the display page at 1920x1080, the campaign page at 360x640 (docs/screenshots/).
"""

from __future__ import annotations

import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from werkzeug.serving import make_server

from lms import create_app
from lms.db import db
from lms.schema import upgrade
from tests.campaign_helpers import build_campaign_population
from tests.conftest import FIXTURES, base_config, require_chromium
from tests.test_browser import shot

pytestmark = pytest.mark.browser
SLUG = "ngay-hoi-toan-dan-hoc-tap-so-2026"


@pytest.fixture(scope="module")
def lms_site(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    instance = tmp_path_factory.mktemp("screens")
    app = create_app(base_config(instance, f"sqlite:///{instance}/lms.sqlite3") | {"TESTING": False})
    with app.app_context():
        upgrade()
        from lms.courses.loader import import_courses
        from lms.units.importer import UnitRow, import_units

        import_courses(FIXTURES / "courses", app.extensions["lms"].question_types)
        import_units([
            UnitRow("79", "Thành phố Hồ Chí Minh", "province", None),
            UnitRow("26734", "Phường Sài Gòn", "commune", "79"),
            UnitRow("26740", "Phường Tân Định", "commune", "79"),
            UnitRow("01", "Thành phố Hà Nội", "province", None),
            UnitRow("00004", "Phường Ba Đình", "commune", "01"),
        ], "test", "test-list")
    build_campaign_population(app)
    with app.app_context():
        from lms.campaigns.services import declare
        from lms.units.services import by_code

        declare("Ngày hội toàn dân học tập số 2026", date(2026, 10, 10), date(2026, 10, 12), [by_code("79")],
                ["citizens", "workers"], None)
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def portal(lms_site: str):
    """A tiny "province portal" on another port (another origin) with two iframes."""
    page = (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Cổng thông tin tỉnh</title></head>'
            f'<body><h1>Cổng thông tin tỉnh</h1>'
            f'<iframe id="block" src="{lms_site}/embed/figures?unit=79" title="Số liệu" width="600" height="260">'
            f'</iframe><iframe id="login" src="{lms_site}/login" title="Đăng nhập" width="600" height="300">'
            f'</iframe></body></html>').encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/portal.html"
    server.shutdown()
    server.server_close()


def _frame(page, url_part: str):
    for _ in range(50):
        for frame in page.frames:
            if frame is not page.main_frame and url_part in frame.url:
                return frame
        page.wait_for_timeout(100)
    return None


def test_the_block_renders_in_a_page_of_another_origin_and_the_login_page_does_not(portal, lms_site, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if "frame" in message.text.lower() else None)
    page.goto(portal)
    page.wait_for_load_state("load")
    block = _frame(page, "/embed/figures")
    assert block is not None
    block.wait_for_selector("h1")
    assert "Phường" not in block.inner_text("body")  # the province's totals, no unit list
    assert "người đã có chứng nhận phổ cập kỹ năng số" in block.inner_text("body")
    assert "Thành phố Hồ Chí Minh" in block.inner_text("h1")
    # /login refuses: Chromium replaces the frame's document with an error page, no form inside
    login = page.frame_locator("#login")
    assert login.locator("#password").count() == 0
    login_frame = page.query_selector("#login").content_frame()
    assert login_frame is None or login_frame.query_selector("#password") is None
    assert any("frame-ancestors" in text or "X-Frame-Options" in text for text in refused), refused
    shot(page, "embed-block-in-portal.png")
    context.close()


def test_the_display_page_fills_a_full_hd_screen_without_javascript(lms_site, browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{lms_site}/display/figures?unit=79")
    hero = page.locator(".hero-n").bounding_box()
    assert hero["height"] > 150  # readable across a hall: a number over 150 px tall at 1920x1080
    shot(page, "display-figures-1920.png")
    page.goto(f"{lms_site}/display/campaigns/{SLUG}")
    assert page.locator(".board li").count() == 2
    shot(page, "display-campaign-1920.png")
    context.close()


def test_the_campaign_page_on_a_phone(lms_site, browser):
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1)
    page = context.new_page()
    page.goto(f"{lms_site}/campaigns/{SLUG}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "campaign-page-phone.png")
    context.close()
