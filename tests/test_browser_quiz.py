"""The quiz in Chromium with JavaScript: answers saved at once, kept while offline, sent when back."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from lms import create_app
from lms.db import db
from lms.quiz.models import Answer, Attempt
from lms.schema import upgrade
from tests.conftest import base_config, make_user
from tests.quiz_helpers import QUIZBANK
from tests.test_browser import shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def quiz_server(tmp_path_factory: pytest.TempPathFactory):
    instance = tmp_path_factory.mktemp("quiz-browser")
    app = create_app(base_config(instance, f"sqlite:///{instance}/lms.sqlite3") | {"TESTING": False})
    with app.app_context():
        upgrade()
        from lms.courses.loader import import_courses

        import_courses(QUIZBANK, app.extensions["lms"].question_types)
    make_user(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def saved_answers(app) -> dict[int, object]:
    with app.app_context():
        rows = {a.position: a.response for a in db.session.scalars(select(Answer))}
        db.session.remove()
        return rows


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def test_autosave_and_offline_queue(quiz_server, browser) -> None:
    app, url = quiz_server
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    page.goto(url + "/login")
    page.fill("#login", "0912345678")
    page.fill("#password", "mat-khau-tot-2026")
    page.click("#submit")
    page.goto(url + "/courses/kiem-tra/quiz")
    page.click("text=Bắt đầu làm bài")
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        positions = {i["qtype"]: i["position"] for i in attempt.snapshot["questions"]}
        attempt_id = attempt.id
        db.session.remove()
    # a tap on a choice is saved at once, without pressing any button
    page.goto(f"{url}/attempts/{attempt_id}/q/{positions['single']}")
    assert page.locator("#timer").is_visible()
    page.locator("label.choice").nth(1).click()
    wait_for(lambda: positions["single"] in saved_answers(app))
    shot(page, "06-quiz-question.png")
    page.reload()
    assert page.locator("input[type=radio]:checked").count() == 1
    # the connection drops: the answer waits in the phone and is sent when the network is back
    page.goto(f"{url}/attempts/{attempt_id}/q/{positions['truefalse']}")
    context.set_offline(True)
    page.locator("label.choice").nth(1).click()  # "Sai" (False)
    time.sleep(1.0)
    assert positions["truefalse"] not in saved_answers(app)
    queued = page.evaluate("localStorage.getItem('lms-unsent-answers')")
    assert queued and f"answers/{positions['truefalse']}" in queued
    context.set_offline(False)
    wait_for(lambda: saved_answers(app).get(positions["truefalse"]) is False)
    # the server has it; the phone forgets it once the server's reply arrives (a moment later)
    wait_for(lambda: page.evaluate("localStorage.getItem('lms-unsent-answers')") == "{}")
    context.close()


EFFECTIVE_COLOURS = """el => {
  const rgba = s => (s.match(/[\\d.]+/g) || []).map(Number);
  let node = el, bg = [0, 0, 0, 0];
  while (node && node.nodeType === 1) {  // the first opaque background behind the text
    const c = rgba(getComputedStyle(node).backgroundColor);
    if (c.length >= 3 && (c.length === 3 || c[3] > 0)) { bg = c; break; }
    node = node.parentElement;
  }
  if (bg[3] === 0) bg = [255, 255, 255, 1];
  return {fg: rgba(getComputedStyle(el).color), bg: bg};
}"""


def contrast(fg: list[float], bg: list[float]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours (alpha ignored: the colours here are opaque)."""

    def luminance(rgb: list[float]) -> float:
        parts = [c / 255 for c in rgb[:3]]
        parts = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in parts]
        return 0.2126 * parts[0] + 0.7152 * parts[1] + 0.0722 * parts[2]

    light, dark = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula() -> None:
    assert round(contrast([0, 0, 0], [255, 255, 255]), 1) == 21.0
    assert contrast([255, 255, 255], [255, 255, 255]) == 1.0


def test_see_all_questions_is_visible_and_true_false_review_reads_right(quiz_server, browser) -> None:
    app, url = quiz_server
    make_user(app, "0987111222")
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1, locale="vi-VN")
    page = context.new_page()
    page.goto(url + "/login")
    page.fill("#login", "0987111222")
    page.fill("#password", "mat-khau-tot-2026")
    page.click("#submit")
    page.goto(url + "/courses/kiem-tra/quiz")
    page.click("text=Bắt đầu làm bài")
    page.wait_for_url("**/q/1")
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).order_by(Attempt.id.desc()))
        positions = {i["qtype"]: i["position"] for i in attempt.snapshot["questions"]}
        attempt_id = attempt.id
        db.session.remove()
    # every control of a question page can be seen: non-zero size and a contrast of at least 4.5:1
    for control in page.locator("form#answer-form button").all():
        box = control.bounding_box()
        assert box and box["width"] > 0 and box["height"] >= 44, (control.inner_text(), box)
        colours = control.evaluate(EFFECTIVE_COLOURS)
        assert contrast(colours["fg"], colours["bg"]) >= 4.5, (control.inner_text(), colours)
    see_all = page.get_by_role("button", name="Xem tất cả câu hỏi")
    assert see_all.is_visible()
    shot(page, "07-quiz-see-all.png")
    see_all.click()
    page.wait_for_url(f"**/attempts/{attempt_id}/summary")
    # the learner rightly says the statement is false ("Sai"), leaves the rest and submits
    page.goto(f"{url}/attempts/{attempt_id}/q/{positions['truefalse']}")
    page.get_by_label("Sai").check()
    page.get_by_role("button", name="Xem tất cả câu hỏi").click()
    page.wait_for_url("**/summary")
    page.locator("form[action$='/submit'] button").click()
    page.wait_for_url(f"**/attempts/{attempt_id}/result")
    # failed: "Làm lại" sits beside the score, on the first screen; the details are folded
    retry = page.get_by_role("button", name="Làm lại")
    box = retry.bounding_box()
    assert retry.is_visible() and box["y"] + box["height"] <= 640, box
    colours = retry.evaluate(EFFECTIVE_COLOURS)
    assert contrast(colours["fg"], colours["bg"]) >= 4.5, colours
    review = page.locator("details.review")
    assert review.get_attribute("open") is None
    assert not page.get_by_text("Bạn chọn: Sai").is_visible()
    shot(page, "08-quiz-result-failed.png")
    page.locator("details.review > summary").click()
    card = page.locator("details.review .card").nth(positions["truefalse"] - 1)
    text = " ".join(card.inner_text().split())
    assert "Bạn chọn: Sai" in text and "Chính xác" in text and "Chưa chính xác" not in text, text
    assert "Đáp án: Sai" in text and "✓" not in text and "✗" not in text, text
    badge = card.locator(".badge")
    colours = badge.evaluate(EFFECTIVE_COLOURS)
    assert contrast(colours["fg"], colours["bg"]) >= 4.5, colours
    card.scroll_into_view_if_needed()
    shot(page, "09-quiz-review.png")
    context.close()
