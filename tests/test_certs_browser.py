"""The verification pages in real Chromium at 360x640, and the offline check against the real routes.

Screenshots go to docs/screenshots/cert-*.png (valid, revoked, invalid, the phone certificate
page, and the PDF rasterised).
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image
from werkzeug.serving import make_server

from lms import create_app
from lms.db import db
from lms.printing.qr import qr_info
from lms.schema import upgrade
from tests.certs_helpers import PASSWORD, pass_quiz, record
from tests.conftest import FIXTURES, REPO, base_config, make_user, require_chromium
from tests.qr_readers import DECODERS, failures, matrix, pdf_images
from tests.quiz_helpers import token_for

pytestmark = pytest.mark.browser
SHOTS = REPO / "docs" / "screenshots"
NAME = "Nguyễn Thị Ánh Tuyết"


def build_app(instance: Path, **config):
    app = create_app(base_config(instance, f"sqlite:///{instance}/lms.sqlite3") | {"TESTING": False} | config)
    with app.app_context():
        upgrade()
        from lms.courses.loader import import_courses
        from lms.units.importer import UnitRow, import_units

        import_units([UnitRow("79", "Thành phố Hồ Chí Minh", "province", None),
                      UnitRow("26734", "Phường Sài Gòn", "commune", "79")], "test", "test-list")
        import_courses(FIXTURES / "courses", app.extensions["lms"].question_types)
        db.session.remove()
    return app


def serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    app = build_app(tmp_path_factory.mktemp("certs-browser"))
    make_user(app, "0912345678", PASSWORD, full_name=NAME, unit_code="26734")
    code = pass_quiz(app, app.test_client())["certificate"]["code"]
    server = serve(app)
    yield app, f"http://127.0.0.1:{server.server_port}", code
    server.shutdown()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def phone(browser):
    return browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1, locale="vi-VN",
                               service_workers="block")


def wait_until(page, expression: str, seconds: float = 10) -> None:
    """Poll with evaluate(): wait_for_function needs eval, which the Content-Security-Policy forbids."""
    import time

    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, expression
        time.sleep(0.05)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_verdicts_and_certificate_page_on_a_phone(site, browser) -> None:
    app, url, code = site
    token = record(app, code).token
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{url}/V/{token}")
    assert page.locator(".st-valid").is_visible() and "Nguyễn T. Á. T." in page.inner_text("main")
    assert NAME not in page.content() and fits(page)
    colour = page.locator(".st-valid").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(27, 122, 58)"  # the stylesheet loaded under the Content-Security-Policy
    shot(page, "cert-valid.png")
    page.goto(f"{url}/V/{token[:-8]}AAAAAAAA")
    assert page.locator(".st-invalid").is_visible() and fits(page)
    shot(page, "cert-invalid.png")
    # the code form, as an official would use it when the camera fails
    page.fill("#code", code.lower().replace("-", " "))
    page.click("main form button")
    page.wait_for_selector(".st-valid")
    # the holder's own page
    page.goto(f"{url}/login")
    page.fill("#login", "0912345678")
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.goto(f"{url}/certificates/{code}")
    assert page.locator("article.cert svg.qr").is_visible() and NAME in page.inner_text("article.cert")
    width = page.locator("article.cert svg.qr").evaluate("e => e.getBoundingClientRect().width")
    assert width > 150 and fits(page)
    shot(page, "cert-page.png")
    context.close()
    # revoked: the next check says so, with its reason
    result = app.test_cli_runner().invoke(args=["lms", "certs", "revoke", code, "--reason", "Cấp nhầm người"])
    assert result.exit_code == 0, result.output
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{url}/V/{token}")
    assert page.locator(".st-revoked").is_visible() and "Cấp nhầm người" in page.inner_text("main") and fits(page)
    shot(page, "cert-revoked.png")
    context.close()


def test_pdf_raster_for_the_docs(site) -> None:
    app, _url, _code = site
    make_user(app, "0912000777", PASSWORD, full_name="Trần Thị Ngọc Ánh", unit_code="26734")
    client = app.test_client()
    code = pass_quiz(app, client, "0912000777")["certificate"]["code"]

    pdf = client.get(f"/api/v1/certificates/{code}/pdf", headers=token_for(client, "0912000777", PASSWORD)).data
    image = pdfium.PdfDocument(pdf)[0].render(scale=110 / 72).to_pil()
    SHOTS.mkdir(parents=True, exist_ok=True)
    image.save(SHOTS / "cert-pdf.png")
    assert image.size[0] > image.size[1]  # A4 landscape


def test_offline_check_after_one_online_visit(browser, tmp_path) -> None:
    """Open /verify/offline once; with the server gone, opening /V/<token> (a scanned QR) still
    checks the signature, from the service worker and the cached keys, and says revocation needs a
    connection."""
    app = build_app(tmp_path / "instance")
    make_user(app, "0912345678", PASSWORD, full_name="Lê Văn Ước", unit_code="26734")
    code = pass_quiz(app, app.test_client())["certificate"]["code"]
    token = record(app, code).token
    server = serve(app)
    url = f"http://127.0.0.1:{server.server_port}"
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(f"{url}/verify/offline?lang=en")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        wait_until(page, "localStorage.getItem('lms-cert-keys') !== null")
        page.goto(f"{url}/V/{token}")  # online: the server's verdict
        assert page.locator(".st-valid").count() == 1
    finally:
        server.shutdown()
        server.server_close()
    page.goto(f"{url}/V/{token}")  # offline now
    page.wait_for_selector("[data-result]")
    assert page.locator("[data-lms-verify-offline]").get_attribute("data-result") == "valid"
    text = page.inner_text("body")
    # the page the worker kept is the Vietnamese one (the browser's language)
    assert "Lê V. Ư." in text and "Dùng điện thoại thông minh" in text and "dien-thoai" not in text
    assert "Phường Sài Gòn, Thành phố Hồ Chí Minh" in text and "26734" not in text
    root = page.locator("[data-lms-verify-offline]")
    assert root.get_attribute("data-status") == "valid"  # the list kept on the online visit says so
    assert "Danh sách thu hồi ngày " in page.inner_text(".lms-vo-list")
    assert page.locator(".lms-vo-ok").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(27, 122, 58)"
    page.goto(f"{url}/V/{token[:-8]}AAAAAAAA")
    page.wait_for_selector("[data-result]")
    assert page.locator("[data-lms-verify-offline]").get_attribute("data-result") != "valid"
    context.close()


def test_every_reader_decodes_the_certificate_qr(browser, tmp_path) -> None:
    """The whole matrix: zxing-cpp and zbar on the PDF page (150 dpi, 96 dpi, blurred, JPEG 30)
    and on the holder's certificate page at a 360 px phone width and device scale 1, each
    decoding to the certificate's verify URL. A long base URL and name: a version 10 code."""
    app = build_app(tmp_path / "instance", LMS_BASE_URL="https://hoc.example-province.gov.vn/hoc")
    make_user(app, "0912000555", PASSWORD, full_name="Phạm Đức Ưng Ơn Ăn Âu Êm Ôn Ịt Ỹ Ển Ững Ựa", unit_code="26734")
    client = app.test_client()
    code = pass_quiz(app, client, "0912000555")["certificate"]["code"]
    url = f"HTTPS://HOC.EXAMPLE-PROVINCE.GOV.VN/hoc/V/{record(app, code).token}"
    assert qr_info(url).version == 10
    pdf = client.get(f"/api/v1/certificates/{code}/pdf", headers=token_for(client, "0912000555", PASSWORD)).data
    cells = matrix(pdf_images(pdf), url)
    server = serve(app)
    context = phone(browser)
    try:
        page = context.new_page()
        base = f"http://127.0.0.1:{server.server_port}"
        page.goto(f"{base}/login")
        page.fill("#login", "0912000555")
        page.fill("#password", PASSWORD)
        page.click("#submit")
        page.goto(f"{base}/certificates/{code}")
        assert page.locator("article.cert svg.qr").is_visible() and fits(page)
        screen = Image.open(io.BytesIO(page.screenshot(full_page=True)))
        assert screen.size[0] == 360
        for decoder, read in DECODERS.items():
            cells[("phone page 360 px", decoder)] = url in read(screen)
    finally:
        context.close()
        server.shutdown()
        server.server_close()
    assert len(cells) == 10 and failures(cells) == []
