"""Every request a learner page makes in Chromium at 360x640 succeeds: no 404 for an icon or an image.

Both sides are watched: the browser's responses (``page.on("response")``) and what the server answered,
since Chromium fetches the favicon on its own and may not report it to the page.
"""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from lms import create_app
from lms.schema import upgrade
from tests.conftest import FIXTURES, base_config, make_user, require_chromium

pytestmark = pytest.mark.browser


class Recorder:
    """WSGI middleware that notes every path the server answered, with its status."""

    def __init__(self, app) -> None:
        self.app, self.seen = app, []

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "") + ("?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else "")

        def noting(status, headers, exc_info=None):
            self.seen.append((int(status.split()[0]), path))
            return start_response(status, headers, exc_info)

        return self.app(environ, noting)


@pytest.fixture(scope="module")
def learner_server(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    instance = tmp_path_factory.mktemp("requests-browser")
    app = create_app(base_config(instance, f"sqlite:///{instance}/lms.sqlite3") | {"TESTING": False})
    with app.app_context():
        upgrade()
        from lms.courses.loader import import_courses

        import_courses(FIXTURES / "courses", app.extensions["lms"].question_types)
    make_user(app)
    recorder = Recorder(app.wsgi_app)
    app.wsgi_app = recorder
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield recorder, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_learner_pages_make_no_failing_request(learner_server, browser) -> None:
    recorder, url = learner_server
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1, locale="vi-VN")
    page = context.new_page()
    answered: list[tuple[int, str]] = []
    page.on("response", lambda response: answered.append((response.status, response.url)))
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))

    def visit(path: str) -> None:
        page.goto(url + path)
        page.wait_for_load_state("networkidle")

    visit("/login")
    page.fill("#login", "0912345678")
    page.fill("#password", "mat-khau-tot-2026")
    page.click("#submit")
    page.wait_for_url(url + "/")
    page.wait_for_load_state("networkidle")  # home: the learner's path
    visit("/courses/")  # catalogue
    visit("/courses/dien-thoai/")  # a course
    visit("/courses/dien-thoai/lessons/01-bat-may")  # a lesson, with an image
    visit("/courses/dien-thoai/quiz")
    page.click("button:has-text('Bắt đầu')")
    page.wait_for_url("**/attempts/*/q/*")  # a quiz question
    page.wait_for_load_state("networkidle")
    question = page.url
    page.reload()  # the same question again: now from the page cache, with its time filled in
    page.wait_for_load_state("networkidle")
    choice = page.locator("input[name=response]").first
    assert choice.count(), "the first question has no answer field"
    with page.expect_response(lambda response: "/answers/" in response.url, timeout=15000) as saved:
        if choice.get_attribute("type") in ("radio", "checkbox"):
            choice.check()  # the page's script saves the answer at once
        else:
            choice.fill("42")
            choice.dispatch_event("change")
    assert saved.value.status == 200
    page.wait_for_load_state("networkidle")
    page.goto(question)  # and once more, showing the saved answer
    page.wait_for_load_state("networkidle")
    visit("/me")  # the profile
    context.close()

    pages = {path for _status, path in recorder.seen}
    questions = [path for path in pages if "/q/" in path]
    assert len([p for _s, p in recorder.seen if "/q/" in p]) >= 3  # first, cached, after the save
    assert any("/answers/" in path for _s, path in recorder.seen), "the answer was not saved by the script"
    assert questions and "/me" in pages and "/courses/dien-thoai/lessons/01-bat-may" in pages
    assert any(path.startswith("/courses/dien-thoai/images/") for path in pages), "the lesson's image was not fetched"
    assert [(s, u) for s, u in answered if s >= 400] == []
    assert [(s, p) for s, p in recorder.seen if s >= 400] == []
    assert failed == []
