"""A job on a phone with JavaScript off (Chromium, 360x640): the teacher asks for the class's
certificates PDF, sees the job waiting, and the page refreshes by itself (``<meta refresh>``)
until the download link appears."""

from __future__ import annotations

import pytest

from tests.certs_helpers import PASSWORD, pass_quiz
from tests.classes_helpers import enroll, make_class
from tests.conftest import make_user, require_chromium
from tests.test_certs_browser import build_app, serve, shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    app = build_app(tmp_path_factory.mktemp("jobs-browser"), LMS_CLASS_PDF_SYNC_MAX=0)
    learner = make_user(app, "0912345678", PASSWORD, full_name="Nguyễn Văn An", unit_code="26734")
    pass_quiz(app, app.test_client())
    teacher = make_user(app, "co.lan", PASSWORD, roles={"teacher"}, full_name="Cô Lan")
    class_id = make_class(app, teacher, name="Lớp tin học tổ 5", slugs=["dien-thoai"])
    enroll(app, class_id, learner)
    server = serve(app)
    yield app, f"http://127.0.0.1:{server.server_port}", class_id
    server.shutdown()


def test_the_job_page_refreshes_itself_until_the_file_is_ready(site, browser, monkeypatch) -> None:
    import lms.jobs.start as start
    from lms.jobs.runners import execute

    app, url, class_id = site
    held: list[int] = []
    monkeypatch.setattr(start, "submit", lambda _app, job_id: held.append(job_id))  # the runner is busy
    context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=1, locale="vi-VN",
                                  java_script_enabled=False)
    page = context.new_page()
    page.goto(url + "/login")
    page.fill("input[name=login]", "co.lan")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form [type=submit]")
    page.wait_for_load_state()
    page.goto(f"{url}/certificates/class/{class_id}.pdf")
    assert "Chuẩn bị tệp PDF" in page.locator("main").inner_text()
    page.click("main form button")
    page.wait_for_load_state()
    assert page.url.startswith(url + "/jobs/") and held
    assert "Đang chờ đến lượt" in page.locator("main").inner_text() and page.locator("progress").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "jobs-waiting.png")
    assert execute(app, held[0]) == "done"  # the runner gets to it
    page.locator("a[href$='/download']").wait_for(timeout=15_000)  # the page refreshed itself, no script
    assert "Tệp của bạn đã sẵn sàng" in page.locator("main").inner_text()
    shot(page, "jobs-done.png")
    with page.expect_download() as download:
        page.click("a[href$='/download']")
    assert download.value.suggested_filename == f"chung-nhan-lop-{class_id}.pdf"
    context.close()
