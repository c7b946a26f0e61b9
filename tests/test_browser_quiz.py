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
