"""Success and registration on a 360x640 phone in Chromium: the path completed on the quiz result
and at the top of the path page, "Tiếp tục học", communes loaded in place (and without JavaScript,
the reload back at the commune field), the join poster's province and commune filled in.

Screenshots: docs/screenshots/journey-*.png.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.classes.models import Classroom
from lms.courses.models import Course, CourseResult, PathStep
from lms.db import db, now_utc
from lms.quiz.models import Attempt
from lms.units.models import AdminUnit
from tests.browser_helpers import real_site, serving
from tests.classes_helpers import make_class
from tests.conftest import make_user, require_chromium
from tests.quiz_helpers import right_answers
from tests.test_browser import SHOTS, shot

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 640}, "device_scale_factor": 1, "locale": "vi-VN"}
PASSWORD = "mat-khau-tot-2026"
NAME = "Chứng nhận phổ cập kỹ năng số"


@pytest.fixture(scope="module")
def journey_server(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    app = real_site(tmp_path_factory.mktemp("journey-browser"))
    with serving(app) as url:
        yield app, url


def sign_in(page, url: str, username: str) -> None:
    page.goto(url + "/login")
    page.fill("#login", username)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    page.wait_for_url(url + "/")


def path_slugs(app, audience: str = "citizens") -> list[str]:
    with app.app_context():
        slugs = list(db.session.scalars(
            select(Course.slug).join(PathStep, PathStep.course_id == Course.id)
            .where(PathStep.audience == audience).order_by(PathStep.position)))
        db.session.remove()
        return slugs


def pass_by_hand(app, username: str, slugs: list[str]) -> None:
    """The courses were passed earlier (their certificates do not matter here)."""
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.username == username))
        for slug in slugs:
            course_id = db.session.scalar(select(Course.id).where(Course.slug == slug))
            db.session.add(CourseResult(user_id=uid, course_id=course_id, passed=True, passed_at=now_utc()))
        db.session.commit()
        db.session.remove()


def assert_tap_target(locator, size: int = 44) -> None:
    box = locator.bounding_box()
    assert box and box["width"] >= size and box["height"] >= size, box


def test_last_course_passed_shows_the_path_certificate(journey_server, browser) -> None:
    app, url = journey_server
    make_user(app, "0912777001", full_name="Trần Thị Thu", audience="citizens")
    slugs = path_slugs(app)
    pass_by_hand(app, "0912777001", slugs[:-1])
    last = slugs[-1]
    with app.app_context():
        lessons = [lesson.slug for lesson in db.session.scalar(select(Course).where(Course.slug == last)).lessons]
        db.session.remove()
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_in(page, url, "0912777001")
    # "Tiếp tục học": the next lesson of the first course not passed, a big enough button
    button = page.locator("#continue")
    assert button.inner_text() == "Tiếp tục học"
    assert_tap_target(button)
    assert "0/" not in page.locator("ol.steps li").first.inner_text()  # a passed course is not "0/6 bài"
    assert page.locator("ol.steps li").first.locator(".badge.ok").inner_text() == "Đạt"
    shot(page, "journey-continue.png")
    button.click()
    page.wait_for_url(f"{url}/courses/{last}/lessons/{lessons[0]}")
    # a quiz left running: "Tiếp tục học" goes back into it
    page.goto(f"{url}/courses/{last}/quiz")
    page.click("text=Bắt đầu làm bài")
    page.wait_for_url("**/attempts/*/q/1")
    page.goto(url + "/")
    page.locator("#continue").click()
    page.wait_for_url("**/attempts/*/q/*")
    with app.app_context():
        attempt_id = db.session.scalar(select(Attempt.id).order_by(Attempt.id.desc()))
        db.session.remove()
    assert f"/attempts/{attempt_id}/q/" in page.url
    # the learner answers (through the app's API, as the offline queue does) and submits on the phone
    token = context.request.post(url + "/api/v1/auth/token",
                                 data={"username": "0912777001", "password": PASSWORD}).json()["token"]
    for position, response in right_answers(app, attempt_id).items():
        saved = context.request.put(f"{url}/api/v1/attempts/{attempt_id}/answers/{position}",
                                    data={"response": response}, headers={"Authorization": "Bearer " + token})
        assert saved.ok, saved.text()
    page.goto(f"{url}/attempts/{attempt_id}/summary")
    page.locator("form[action$='/submit'] button").click()
    page.wait_for_url(f"**/attempts/{attempt_id}/result")
    box = page.locator("section.path-done")
    assert box.locator("h2").inner_text() == "Bạn đã hoàn thành lộ trình học!"
    assert NAME in box.inner_text()
    pdf = box.get_by_role("link", name="Tải bản PDF")
    share = box.get_by_role("link", name="Chia sẻ")
    for link in (pdf, share, box.get_by_role("link", name="Xem chứng nhận")):
        assert link.is_visible()
        assert_tap_target(link)
    assert "/verify?code=" in share.get_attribute("href")
    download = context.request.get(url + pdf.get_attribute("href"))
    assert download.ok and download.headers["content-type"] == "application/pdf"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # the first screen shows the score and the certificate's buttons (a viewport, not the long review)
    bottom = box.bounding_box()["y"] + box.bounding_box()["height"]
    page.evaluate(f"window.scrollTo(0, {max(0, bottom - 630)})")
    page.screenshot(path=str(SHOTS / "journey-path-complete.png"))
    # from then on the path page shows it at the top
    page.goto(url + "/")
    top = page.locator("section.path-done").bounding_box()
    # right under the title (the header holds the menu and the text-size buttons: ~210 px at 360 px wide)
    assert top is not None and top["y"] < 260 and top["y"] < page.locator("ol.steps").bounding_box()["y"]
    assert NAME in page.locator("section.path-done").inner_text()
    assert page.locator("#continue").count() == 0
    shot(page, "journey-path-page.png")
    context.close()


def test_register_with_javascript_loads_communes_in_place(journey_server, browser) -> None:
    app, url = journey_server
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(url + "/register")
    assert page.locator("#pick_province").is_hidden()  # the script does the button's work
    assert "Ít nhất 8 ký tự" in page.locator("#password").locator("xpath=..").inner_text()
    names = page.locator("#province option").all_inner_texts()[1:]
    assert names.index("Điện Biên") == names.index("Đắk Lắk") + 1
    assert names.index("Gia Lai") < names.index("Thành phố Hà Nội") < names.index("Hà Tĩnh")
    page.evaluate("window.stillHere = true")  # gone if the page were reloaded
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.select_option("#province", "01")
    page.wait_for_selector("#commune option:has-text('Phường Ba Đình')", state="attached")
    assert page.evaluate("window.stillHere") is True and page.url == url + "/register"
    assert any(r.endswith("/register/communes/01.json") for r in requests)
    assert not any(r.endswith("/register") for r in requests)
    communes = page.locator("#commune option").all_inner_texts()[1:]
    assert communes.index("Phường Ba Đình") < communes.index("Phường Cầu Giấy") < communes.index("Phường Đống Đa")
    page.fill("#login", "0912777002")
    page.fill("#full_name", "Lò Văn Páo")
    page.select_option("#audience", "citizens")
    page.select_option("#commune", label="Phường Ba Đình")
    page.fill("#password", "hoa-ban-trang-77")
    shot(page, "journey-register-communes.png")
    page.click("#submit")
    page.wait_for_url(url + "/")
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "0912777002")).unit.code == "00004"
        db.session.remove()
    context.close()


def test_register_without_javascript_comes_back_at_the_commune_field(journey_server, browser) -> None:
    context = browser.new_context(java_script_enabled=False, **PHONE)
    page = context.new_page()
    _app, url = journey_server
    page.goto(url + "/register")
    page.fill("#login", "0912777003")
    page.fill("#full_name", "Nguyễn Văn Tư")
    page.select_option("#province", "79")
    pick = page.locator("#pick_province")
    assert pick.is_visible()
    pick.click()
    page.wait_for_url(url + "/register#pick-commune")
    commune = page.locator("#commune")
    box = commune.bounding_box()
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 640, box  # on screen, no scrolling
    label = page.locator("label[for=commune]").bounding_box()
    assert label is not None and label["y"] >= 0  # its label too
    assert page.locator("#province").input_value() == "79" and page.locator("#full_name").input_value()
    assert "Phường Sài Gòn" in commune.locator("option").all_inner_texts()
    page.screenshot(path=str(SHOTS / "journey-register-no-js.png"))  # the screen as the learner sees it
    # the account is made from there, and the home page's address carries no #pick-commune
    page.select_option("#audience", "citizens")
    page.select_option("#commune", label="Phường Sài Gòn")
    page.fill("#password", "mai-vang-tet-2026")
    page.click("#submit")
    page.wait_for_url(url + "/")
    context.close()


def test_register_from_the_join_poster_prefills_the_class_place(journey_server, browser) -> None:
    app, url = journey_server
    teacher = make_user(app, "co.hoa", roles={"teacher"}, full_name="Vũ Thị Hoà")
    with app.app_context():
        unit_id = db.session.scalar(select(AdminUnit.id).where(AdminUnit.code == "26737"))  # Phường Tân Định
    class_id = make_class(app, teacher, name="Lớp kỹ năng số Tân Định", unit_id=unit_id)
    with app.app_context():
        code = db.session.get(Classroom, class_id).join_code
        db.session.remove()
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{url}/join/{code}")  # where the poster's QR code leads
    page.get_by_role("link", name="Tạo tài khoản").click()
    page.wait_for_url("**/register?**")
    assert page.locator("#province").input_value() == "79"
    assert page.locator("#commune").input_value() == "26737"
    assert page.locator("#audience").input_value() == "citizens"
    shot(page, "journey-register-from-poster.png")
    page.fill("#login", "0912777004")
    page.fill("#full_name", "Huỳnh Thị Lệ")
    page.fill("#password", "sen-hong-nở-88")
    page.click("#submit")
    page.wait_for_url(f"{url}/join/{code}")
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "0912777004")).unit.code == "26737"
        db.session.remove()
    context.close()
