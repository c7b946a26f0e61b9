"""The digital ambassador on a phone (Chromium, 360x640): register a citizen in under a minute,
show their sign-in card, help them on the ambassador's phone ("điểm học cộng đồng"), the card
signing the citizen in on another phone, the card ended, and the officials' ranking.
Screenshots go to docs/screenshots/ambassador-*.png."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image
from sqlalchemy import select

from lms.accounts.models import User
from lms.ambassadors.models import Helped
from lms.db import db
from tests.conftest import make_user, require_chromium
from tests.qr_readers import failures, matrix, pdf_images, zbar_texts
from tests.test_certs_browser import SHOTS, build_app, fits, phone, serve, shot

pytestmark = pytest.mark.browser
PASSWORD = "mat-khau-tot-2026"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    app = build_app(tmp_path_factory.mktemp("ambassadors"))
    make_user(app, "daisu", PASSWORD, roles={"ambassador"}, audience=None, unit_code="26734",
              full_name="Phan Thị Sứ")
    make_user(app, "canbo", PASSWORD, roles={"official"}, audience=None, unit_code="79", full_name="Lê Văn Cán")
    server = serve(app)
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def sign_in(page, url: str, username: str) -> None:
    page.goto(url + "/login")
    page.fill("#login", username)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_load_state()


def test_the_ambassador_flow_on_a_phone(site, browser) -> None:
    _app, url = site
    context = phone(browser)
    page = context.new_page()
    sign_in(page, url, "daisu")
    assert page.url == url + "/ambassador"

    started = time.monotonic()
    page.click("#register")
    page.fill("#full_name", "Lê Thị Mai")
    page.fill("#birth_year", "1958")
    page.fill("#phone", "0912000777")
    assert fits(page)
    shot(page, "ambassador-01-register.png")
    page.click("#submit")
    page.wait_for_selector("#signin-card")
    assert time.monotonic() - started < 60  # well under a minute, typing included
    card_url = page.locator(".card-url").inner_text().strip()
    assert "/card/" in card_url and "Lê Thị Mai" in page.locator("#signin-card").inner_text()
    assert fits(page)
    shot(page, "ambassador-02-card.png")
    # the QR on the screen reads as the card's address
    image = Image.open(io.BytesIO(page.locator("#signin-card svg").screenshot()))
    assert card_url in zbar_texts(image)
    # printed (A4, as the browser's Print makes it): the card alone, and its QR reads with both readers
    page.emulate_media(media="print")
    assert page.locator("header.top").is_hidden() and page.locator("#new-card").is_hidden()
    assert page.locator("#signin-card").is_visible()
    printed = page.pdf(format="A4")
    page.emulate_media(media="screen")
    sheets = pdf_images(printed)
    assert not failures(matrix(dict(list(sheets.items())[:2]), card_url))
    top = next(iter(sheets.values()))
    top.crop((0, 0, top.width, top.height // 2)).save(SHOTS / "ambassador-02-card-print.png")

    page.click("text=Về danh sách của tôi")
    page.click("button.act-as")
    page.wait_for_url(url + "/")
    banner = page.locator("#acting").inner_text()
    assert "Lê Thị Mai" in banner
    assert fits(page)
    shot(page, "ambassador-03-acting.png")
    page.goto(url + "/courses/dien-thoai/lessons/01-bat-may")
    page.click("main form[action$='/done'] button")
    page.wait_for_load_state()
    assert page.locator("#acting").is_visible()
    page.click("#acting-back")
    page.wait_for_url(url + "/ambassador")
    person = page.locator(".person").first.inner_text()
    assert "Lê Thị Mai" in person and "Đã giúp hôm nay" in page.locator("main").inner_text()
    assert fits(page)
    shot(page, "ambassador-04-list.png")

    # the citizen's own phone: the card signs them in
    citizen = phone(browser)
    mine = citizen.new_page()
    mine.goto(card_url.replace("http://localhost", url))
    assert "Lê Thị Mai" not in mine.content()  # opening the link tells nothing, signs nobody in
    shot(mine, "ambassador-05-card-sign-in.png")
    mine.click("#card-submit")
    mine.wait_for_url(url + "/")
    assert "Lê Thị Mai" in mine.locator("main").inner_text() or "Lê Thị Mai" in mine.content()
    assert mine.locator("#acting").count() == 0
    mine.goto(url + "/my-card")
    assert fits(mine)
    shot(mine, "ambassador-06-my-card.png")
    citizen.close()

    # the ambassador ends the card ("lost"): it no longer signs anyone in
    page.click(".person >> text=Thẻ đăng nhập")
    page.click("#revoke-card")
    page.wait_for_url(url + "/ambassador")
    other = phone(browser)
    again = other.new_page()
    again.goto(card_url.replace("http://localhost", url))
    again.click("#card-submit")
    again.wait_for_selector("#card-error")
    assert "không dùng được" in again.locator("#card-error").inner_text()
    shot(again, "ambassador-07-card-ended.png")
    other.close()
    context.close()


def test_the_official_ranks_their_ambassadors(site, browser) -> None:
    _app, url = site
    context = phone(browser)
    page = context.new_page()
    sign_in(page, url, "canbo")
    page.goto(url + "/ambassadors")
    rows = page.locator("#ranking tbody tr")
    assert rows.count() == 1 and "Phan Thị Sứ" in rows.first.inner_text()
    assert fits(page)
    shot(page, "ambassador-08-ranking.png")
    context.close()


def _problems(page, where: str) -> list[str]:
    """axe-core (WCAG 2.2 AA) and the tap-target and text-size checks of tests/test_browser_a11y.py."""
    from tests.test_browser_a11y import AXE, CHECKS, WCAG

    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    problems = [f"{where}: {v['id']} ({v['impact']}) {[' '.join(n['target']) for n in v['nodes']][:3]}"
                for v in found["violations"]]
    measured = page.evaluate(CHECKS)
    problems += [f"{where}: tap target under 24x24: {s}" for s in measured["small"]]
    problems += [f"{where}: text under 14 px: {t}" for t in measured["tiny"]]
    if measured["mainSize"] is not None and min(measured["mainSize"][1:]) < 44:
        problems.append(f"{where}: main action {measured['mainSize']}")
    return problems


def test_the_ambassadors_pages_have_no_accessibility_violation(site, browser) -> None:
    app, url = site
    citizen = make_user(app, "0912000888", PASSWORD, unit_code="26734", full_name="Đỗ Văn Tám")
    with app.app_context():
        amb = db.session.scalar(select(User.id).where(User.username == "daisu"))
        db.session.add(Helped(ambassador_id=amb, citizen_id=citizen, registered=False))
        db.session.commit()
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1, locale="vi-VN",
                                  bypass_csp=True, service_workers="block")
    page = context.new_page()
    sign_in(page, url, "daisu")
    for path in ("/ambassador", "/ambassador/register", "/ambassador/add", f"/ambassador/people/{citizen}/card"):
        page.goto(url + path)
        problems += _problems(page, path)
    page.goto(url + f"/ambassador/people/{citizen}/card")
    page.click("#new-card")
    page.wait_for_selector("#signin-card")
    problems += _problems(page, "the new card")
    page.goto(url + "/ambassador")
    page.click(f"#person-{citizen} button.act-as")
    page.wait_for_url(url + "/")
    problems += _problems(page, "acting: the path with the banner")
    page.goto(url + "/my-card")
    problems += _problems(page, "acting: /my-card")
    page.click("#acting-back")
    page.wait_for_url(url + "/ambassador")
    context.close()
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1, locale="vi-VN",
                                  bypass_csp=True, service_workers="block")
    page = context.new_page()
    page.goto(url + "/card/abc")
    problems += _problems(page, "/card/<token>")
    sign_in(page, url, "canbo")
    page.goto(url + "/ambassadors")
    problems += _problems(page, "/ambassadors")
    context.close()
    assert not problems, "\n".join(problems)
