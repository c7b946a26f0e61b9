"""The installable learner: manifest, icons, service worker, offline page and which pages it may keep."""

from __future__ import annotations

import json
import re

from tests.conftest import FIXTURES, login, make_user

PASSWORD = "mat-khau-tot-2026"


def test_manifest_names_icons_colour_and_start(client) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    assert "max-age=86400" in response.headers["Cache-Control"]
    body = json.loads(response.get_data(as_text=True))
    assert body["name"] == "Bình dân học vụ số" and body["short_name"] == "Học vụ số"
    assert body["lang"] == "vi" and body["display"] == "standalone" and body["start_url"] == "/"
    assert body["theme_color"] == "#b3261e"  # the header's --brand colour
    css = client.get("/static/lms.css").get_data(as_text=True)
    assert "--brand:#b3261e" in css
    sizes = {icon["sizes"]: icon["src"] for icon in body["icons"]}
    assert set(sizes) == {"192x192", "512x512"}
    for size, src in sizes.items():
        icon = client.get(src)
        assert icon.status_code == 200 and icon.mimetype == "image/png"
        assert "max-age=31536000" in icon.headers["Cache-Control"]  # hashed URL: kept a year
        assert icon.data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(icon.data[16:20], "big"), int.from_bytes(icon.data[20:24], "big")
        assert f"{width}x{height}" == size


def test_manifest_uses_the_configured_site_name(app, client) -> None:
    app.config["LMS_SITE_NAME"] = "Học số Phường Tân Định"
    body = client.get("/manifest.webmanifest").get_json(force=True)
    assert body["name"] == "Học số Phường Tân Định" and len(body["short_name"]) <= 12


def test_every_page_links_the_manifest_and_registers_nothing_inline(client) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'data-sw="/sw.js"' in html and 'data-sw-scope="/"' in html
    assert '<meta name="theme-color" content="#b3261e">' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []  # CSP script-src 'self': no inline script
    # the text-size control and read-aloud labels exist only for the script: hidden without it
    assert re.search(r'<div class="tools" id="lms-tools" hidden', html)


def test_service_worker_route(client) -> None:
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in worker.headers["Cache-Control"] and "max-age=0" in worker.headers["Cache-Control"]
    text = worker.get_data(as_text=True)
    config = json.loads(re.match(r"var LMS = (\{.*?\});\n", text).group(1))
    assert config["offline"] == "/offline" and config["forget"] == ["/logout", "/login", "/register"]
    assert config["prefix"] == ""
    for url in config["static"]:
        assert client.get(url).status_code == 200 and "?v=" in url
    again = client.get("/sw.js", headers={"If-None-Match": worker.headers["ETag"]})
    assert again.status_code == 304
    # the certificate check's worker is still served where it always was
    assert client.get("/verify-sw.js").status_code == 200


def test_offline_page_is_vietnamese_with_a_retry_button(client) -> None:
    page = client.get("/offline")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<h1>Không có mạng</h1>" in html and "Những bài bạn đã mở vẫn đọc được:" in html
    assert 'data-reload hidden>Thử lại</button>' in html and 'id="offline-pages"' in html


def test_only_learner_pages_are_marked_for_keeping(courses, client) -> None:
    app = courses
    make_user(app, "0912345678", PASSWORD)
    make_user(app, "giaovien", PASSWORD, roles={"teacher"}, audience=None)
    assert client.get("/courses/dien-thoai/lessons/01-bat-may").headers.get("X-LMS-Offline") == "keep"
    login(client)
    for url in ("/", "/courses/", "/courses/dien-thoai/", "/courses/dien-thoai/lessons/01-bat-may"):
        response = client.get(url)
        assert response.status_code == 200 and response.headers.get("X-LMS-Offline") == "keep", url
    for url in ("/courses/dien-thoai/quiz", "/me", "/offline", "/api/v1/courses", "/manifest.webmanifest"):
        assert "X-LMS-Offline" not in client.get(url).headers, url
    token = _csrf(client, "/courses/dien-thoai/quiz")
    start = client.post("/courses/dien-thoai/quiz/start", data={"csrf_token": token})
    attempt = start.headers["Location"]
    question = client.get(attempt, follow_redirects=True)
    assert question.status_code == 200 and "X-LMS-Offline" not in question.headers
    client.post("/logout", data={"csrf_token": _csrf(client, "/me")})
    login(client, "giaovien")
    assert "X-LMS-Offline" not in client.get("/courses/dien-thoai/lessons/01-bat-may").headers


def _csrf(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_mounted_under_a_prefix(tmp_path) -> None:
    from flask import Flask

    from lms.extension import LMS

    host = Flask("host", instance_path=str(tmp_path))
    host.config.update(SECRET_KEY="k", SQLALCHEMY_DATABASE_URI="sqlite://", TESTING=True)
    LMS(host, url_prefix="/hoc")
    client = host.test_client()
    worker = client.get("/hoc/sw.js")
    assert worker.status_code == 200 and worker.headers["Service-Worker-Allowed"] == "/hoc/"
    config = json.loads(re.match(r"var LMS = (\{.*?\});\n", worker.get_data(as_text=True)).group(1))
    assert config["prefix"] == "/hoc" and config["offline"] == "/hoc/offline"
    assert config["forget"] == ["/hoc/logout", "/hoc/login", "/hoc/register"]
    body = client.get("/hoc/manifest.webmanifest").get_json(force=True)
    assert body["start_url"] == "/hoc/" and body["scope"] == "/hoc/"


def test_a_recorded_lesson_has_a_player_that_works_without_javascript(courses, client) -> None:
    html = client.get("/courses/dien-thoai/lessons/01-bat-may").get_data(as_text=True)
    source = re.search(r'<audio controls [^>]*data-lesson-audio[^>]*><source src="([^"]+)" type="audio/ogg">', html)
    assert source and source.group(1) == "/courses/dien-thoai/audio/01-bat-may.ogg"
    recorded = (FIXTURES / "courses" / "dien-thoai" / "lessons" / "01-bat-may.ogg").read_bytes()
    audio = client.get(source.group(1))
    assert audio.status_code == 200 and audio.mimetype == "audio/ogg" and audio.data == recorded
    assert audio.headers["Accept-Ranges"] == "bytes"
    part = client.get(source.group(1), headers={"Range": "bytes=0-3"})
    assert part.status_code == 206 and part.data == b"OggS"
    # a lesson without a recording has no player; a name that is not a recording is a 404
    assert "<audio" not in client.get("/courses/dien-thoai/lessons/02-ket-noi-wifi").get_data(as_text=True)
    assert client.get("/courses/dien-thoai/audio/02-ket-noi-wifi.ogg").status_code == 404
    assert client.get("/courses/dien-thoai/audio/01-bat-may.md").status_code == 404


def test_a_recording_without_its_lesson_is_a_problem(tmp_path) -> None:
    import shutil

    from lms.courses.schema import read_course
    from lms.courses.sources import ProblemList

    folder = tmp_path / "dien-thoai"
    shutil.copytree(FIXTURES / "courses" / "dien-thoai", folder)
    (folder / "lessons" / "09-khong-co.mp3").write_bytes(b"ID3")
    problems = ProblemList()
    course = read_course(folder, problems)
    assert "lessons/01-bat-may.ogg" in course.assets
    assert any("09-khong-co.mp3" in str(p) for p in problems)
