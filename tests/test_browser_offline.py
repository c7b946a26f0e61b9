"""Learning without a signal in Debian Chromium at 360x640 (issue 15's "Done when"):

1. download a course, go offline, read every lesson, mark them done, answer the whole quiz and
   submit, close the page; online again: everything is sent once, the attempt graded and the
   certificate issued;
2. a timed attempt answered offline past its deadline counts only what reached the server in
   time, and the learner is told which answers did not count;
3. nothing the service worker keeps holds an answer key or feedback.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from lms import create_app
from lms.certificates.models import Certificate
from lms.courses.models import Course, LessonProgress
from lms.db import db
from lms.quiz.models import Answer, Attempt, OfflineOp
from lms.schema import upgrade
from tests.browser_helpers import wait_until
from tests.conftest import FIXTURES, REPO, base_config, make_user, require_chromium
from tests.quiz_helpers import right_answers, secrets_of
from tests.test_browser_pwa import CACHE_SCAN, PASSWORD, _phone, _sign_in

pytestmark = pytest.mark.browser
SHOTS = REPO / "docs" / "screenshots"
COURSE = "/courses/dien-thoai/"
LESSONS = ["/courses/dien-thoai/lessons/01-bat-may", "/courses/dien-thoai/lessons/02-ket-noi-wifi"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    instance = tmp_path_factory.mktemp("offline")
    app = create_app(base_config(instance, f"sqlite:///{instance}/lms.sqlite3") | {"TESTING": False})
    with app.app_context():
        upgrade()
        from lms.courses.loader import import_courses

        import_courses(FIXTURES / "courses", app.extensions["lms"].question_types)
    for number in ("0912345601", "0912345602", "0912345603"):
        make_user(app, number, PASSWORD, full_name="Nguyễn Thị Hoa")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "app": app}
    server.shutdown()


def _time_limit(app, minutes: int | None) -> None:
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == "dien-thoai"))
        course.quiz_settings = {**course.quiz_settings, "time_limit_minutes": minutes}
        db.session.commit()


def _download(page, url: str) -> None:
    page.goto(url + COURSE)
    box = page.locator("#offline-box")
    box.wait_for(state="visible")
    wait_until(page, "document.getElementById('offline-size').textContent.includes('KB')")
    assert "Dung lượng: khoảng" in page.locator("#offline-size").inner_text()
    page.get_by_role("button", name="Tải về để học không cần mạng").click()
    page.wait_for_selector("#offline-list li")
    assert "Dùng điện thoại thông minh" in page.locator("#offline-list").inner_text()


def _answer(page, app, attempt: int, positions: list[int] | None = None) -> None:
    """Answer on the offline quiz page, moving with its "Next" button."""
    key = right_answers(app, attempt)
    sets = page.locator("fieldset[data-position]")
    for index in range(sets.count()):
        fieldset = sets.nth(index)
        position = int(fieldset.get_attribute("data-position"))
        assert fieldset.is_visible()
        if positions is None or position in positions:
            value = key[position]
            if isinstance(value, bool):
                fieldset.locator(f"input[value='{str(value).lower()}']").check()
            elif fieldset.locator("input[type=radio]").count():
                fieldset.locator(f"input[value='{value}']").check()
            else:
                text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
                fieldset.locator("input").fill(text)
                fieldset.locator("input").dispatch_event("change")
        if index < sets.count() - 1:
            page.locator("[data-go='1']").click()


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_download_learn_offline_close_and_everything_is_sent_once(site: dict, browser) -> None:
    url, app = site["url"], site["app"]
    _time_limit(app, None)
    context = _phone(browser)
    page = context.new_page()
    _sign_in(page, url, "0912345601")
    _download(page, url)
    _shot = SHOTS / "offline-download.png"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(_shot), full_page=True)

    context.set_offline(True)
    page.reload()
    assert page.locator("h1").inner_text() == "Dùng điện thoại thông minh"
    for lesson in LESSONS:
        page.goto(url + lesson)
        assert page.locator("article.lesson h1").count() == 1
        page.get_by_role("button", name="Tôi đã học xong bài này").click()
        page.wait_for_selector("text=sẽ được gửi khi có mạng")
    wait_until(page, "!document.getElementById('lms-unsent').hidden")
    page.goto(url + "/courses/dien-thoai/offline/quiz")
    attempt = int(page.locator("#offline-quiz").get_attribute("data-attempt"))
    assert page.locator("button.listen:visible").count() == 1  # "Nghe" for the question shown only
    _answer(page, app, attempt)
    page.get_by_role("button", name="Nộp bài").click()
    wait_until(page, "document.getElementById('lms-unsent').textContent.includes('Chưa gửi: 6')")
    page.screenshot(path=str(SHOTS / "offline-quiz-waiting.png"), full_page=True)
    assert _count(app, OfflineOp) == 0  # nothing reached the server yet
    page.close()

    context.set_offline(False)
    page = context.new_page()
    page.goto(url + "/")  # the next page load sends what waits
    wait_until(page, "document.getElementById('lms-unsent').textContent.includes('chấm')")
    page.locator("#lms-unsent a").click()
    page.wait_for_load_state("load")
    assert f"/attempts/{attempt}/result" in page.url and "Đạt" in page.content()
    assert page.get_by_role("link", name="Xem chứng nhận của bạn").is_visible()  # the certificate, issued
    with app.app_context():
        done = db.session.get(Attempt, attempt)
        assert done.state == "finished" and done.passed is True
    assert _count(app, Attempt) == 1 and _count(app, Certificate) == 1
    assert _count(app, LessonProgress) == 2
    assert _count(app, OfflineOp) == 6  # 2 lessons, 3 answers, 1 submit: each once
    assert _count(app, Answer, Answer.attempt_id == attempt) == 3
    page.reload()
    assert page.locator("#lms-unsent").is_hidden()
    kept = [e["url"] for e in page.evaluate(CACHE_SCAN)]
    assert url + LESSONS[0] in kept and url + "/courses/dien-thoai/offline/quiz" not in kept  # submitted: gone
    context.close()


def test_timed_attempt_answered_offline_past_its_deadline(site: dict, browser) -> None:
    url, app = site["url"], site["app"]
    _time_limit(app, 10)
    context = _phone(browser)
    page = context.new_page()
    _sign_in(page, url, "0912345602")
    _download(page, url)  # a timed quiz is not started by a download: the box says why
    assert "đồng hồ của bài chạy trên máy chủ" in page.locator("#offline-status").inner_text()
    assert page.locator("#offline-list a", has_text="Làm bài kiểm tra không cần mạng").count() == 0
    page.goto(url + "/courses/dien-thoai/quiz")
    page.click("text=Bắt đầu làm bài")
    page.wait_for_load_state("load")
    # started online: the downloaded copy is replaced by one with the attempt (a new version)
    wait_until(page, "caches.open('lms-course-dien-thoai').then(c => c.match(location.origin + "
                "'/courses/dien-thoai/offline/quiz')).then(r => !!r)")
    page.goto(url + "/courses/dien-thoai/offline/quiz")
    attempt = int(page.locator("#offline-quiz").get_attribute("data-attempt"))
    note = page.locator("#clock-note")
    assert note.is_visible() and "đồng hồ chạy trên máy chủ" in note.inner_text()
    assert page.locator("#offline-quiz").is_hidden()  # the learner reads it before the questions
    page.get_by_role("button", name="Tôi đã hiểu").click()
    first = int(page.locator("fieldset[data-position]").first.get_attribute("data-position"))
    _answer(page, app, attempt, [first])  # online: it reaches the server at once
    for _ in range(50):
        if _count(app, Answer, Answer.attempt_id == attempt):
            break
        page.wait_for_timeout(100)
    assert _count(app, Answer, Answer.attempt_id == attempt) == 1

    context.set_offline(True)
    page.reload()
    page.get_by_role("button", name="Tôi đã hiểu").click()
    page.locator("[data-go='1']").click()
    others = [int(p) for p in page.locator("fieldset[data-position]").evaluate_all(
        "fs => fs.map(f => f.dataset.position)") if int(p) != first]
    page.locator("[data-go='-1']").click()
    _answer(page, app, attempt, others)
    wait_until(page, "document.getElementById('lms-unsent').textContent.includes('Chưa gửi: 2')")
    page.screenshot(path=str(SHOTS / "offline-timed.png"), full_page=True)
    page.close()
    with app.app_context():  # the phone stayed without a signal past the deadline and its grace
        from datetime import timedelta

        from lms.db import now_utc

        db.session.get(Attempt, attempt).deadline = now_utc() - timedelta(minutes=2)
        db.session.commit()

    context.set_offline(False)
    page = context.new_page()
    page.goto(url + "/")
    wait_until(page, "document.getElementById('lms-unsent').textContent.includes('không được tính')")
    told = page.locator("#lms-unsent").inner_text()
    assert ", ".join(str(p) for p in sorted(others)) in told
    with app.app_context():
        done = db.session.get(Attempt, attempt)
        given = [p for p, r in db.session.execute(select(Answer.position, Answer.response).where(
            Answer.attempt_id == attempt)) if r is not None]
        assert done.state == "finished" and given == [first]
    page.goto(url + f"/attempts/{attempt}/result")
    assert page.locator("#late-answers").is_visible()
    context.close()


def test_nothing_the_worker_keeps_holds_an_answer_key_or_feedback(site: dict, browser) -> None:
    url, app = site["url"], site["app"]
    _time_limit(app, None)
    context = _phone(browser)
    page = context.new_page()
    _sign_in(page, url, "0912345603")
    _download(page, url)
    page.goto(url + "/courses/dien-thoai/offline/quiz")
    attempt = int(page.locator("#offline-quiz").get_attribute("data-attempt"))
    entries = page.evaluate(CACHE_SCAN)
    kept = {e["url"] for e in entries if e["cache"] == "lms-course-dien-thoai"}
    assert url + "/courses/dien-thoai/offline/quiz" in kept and url + LESSONS[1] in kept
    assert url + "/courses/dien-thoai/images/nut-nguon.svg" in kept
    secrets = secrets_of(app, attempt)
    assert secrets
    context.set_offline(True)  # a form sent without a signal: the Vietnamese page, not the browser's error
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Không có mạng"
    context.set_offline(False)
    for entry in entries:
        for secret in secrets:
            assert secret not in entry["body"], (entry["url"], secret)
    context.close()
