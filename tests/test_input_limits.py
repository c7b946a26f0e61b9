"""Request size limits: a body too large is refused with 413 before it is read whole.

Chunked bodies (no Content-Length) are the case a Content-Length check misses: gunicorn sets
``wsgi.input_terminated`` for them, and so do these tests.
"""

from __future__ import annotations

import io

from lms.config import DEFAULTS
from lms.web.inputs import UPLOAD_FORM_ROOM
from tests.classes_helpers import make_class, roster_csv, upload
from tests.conftest import csrf_from, login, make_user, vi

API_LIMIT = DEFAULTS["LMS_API_MAX_BYTES"]
PAGE_LIMIT = DEFAULTS["LMS_MAX_CONTENT_LENGTH"]


class EndlessBody(io.RawIOBase):
    """A request body of ``total`` bytes made on demand; ``sent`` counts what the app read."""

    def __init__(self, total: int, head: bytes = b"") -> None:
        self.total, self.sent, self.head = total, 0, head

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = min(len(buffer), self.total - self.sent)
        chunk = (self.head[self.sent:] + b"a" * size)[:size]
        buffer[:size] = chunk
        self.sent += size
        return size


def _chunked(client, method: str, url: str, body: EndlessBody, **kwargs):
    """Send ``body`` as gunicorn passes a chunked request: no length, the server ends the stream."""
    environ = {"wsgi.input": body, "wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"}
    response = client.open(url, method=method, environ_overrides=environ, **kwargs)
    assert response.request.content_length is None
    return response


def test_token_endpoint_refuses_a_256_mb_chunked_body_after_its_limit(client) -> None:
    body = EndlessBody(256 * 1024 * 1024, b'{"username": "')
    response = _chunked(client, "POST", "/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json["error"]["code"] == "request_entity_too_large"
    assert response.json["error"]["message"] == vi("What you sent is too large: at most %(size)s is accepted here.",
                                                   size="256 KB")
    # read up to the limit (and a buffer), never the whole body
    assert body.sent <= API_LIMIT + 64 * 1024


def test_api_refuses_a_too_large_content_length_without_reading(client) -> None:
    body = EndlessBody(API_LIMIT + 1)
    response = client.post("/api/v1/auth/token", content_type="application/json",
                           environ_overrides={"wsgi.input": body, "CONTENT_LENGTH": str(API_LIMIT + 1)})
    assert response.status_code == 413 and response.is_json
    assert body.sent == 0


def test_api_body_under_the_limit_is_read(app, client) -> None:
    make_user(app)
    padding = "x" * (API_LIMIT - 1000)
    response = client.post("/api/v1/auth/token", json={"username": "0912345678", "password": "mat-khau-tot-2026",
                                                       "padding": padding})
    assert response.status_code == 200 and response.json["token"]


def test_page_refuses_a_chunked_form_with_an_html_page_in_vietnamese(client) -> None:
    body = EndlessBody(64 * 1024 * 1024, b"login=")
    response = _chunked(client, "POST", "/login", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert vi("What you sent is too large: at most %(size)s is accepted here.", size="2 MB") in html
    assert body.sent <= PAGE_LIMIT + 64 * 1024


def test_limits_are_settings(app, client) -> None:
    app.config["LMS_API_MAX_BYTES"] = 10_000
    response = client.post("/api/v1/auth/token", json={"username": "x" * 20_000, "password": "y"})
    assert response.status_code == 413
    app.config["LMS_MAX_CONTENT_LENGTH"] = 10_000
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    assert client.post("/login", data={"csrf_token": token, "login": "x" * 20_000}).status_code == 413


def test_too_many_form_parts_are_refused(client) -> None:
    token = csrf_from(client.get("/login").get_data(as_text=True))
    fields = {"csrf_token": token, **{f"f{n}": "1" for n in range(DEFAULTS["LMS_MAX_FORM_PARTS"] + 10)}}
    response = client.post("/login", data=fields, content_type="multipart/form-data")
    assert response.status_code == 413


def test_roster_upload_has_its_own_larger_limit(app, client, courses, units) -> None:
    teacher = make_user(app, "co.lan", roles={"teacher"}, locale="en")
    class_id = make_class(app, teacher)
    login(client, "co.lan")
    # 3 MB: over the limit of an ordinary page, under the roster file's (5 MB)
    big = roster_csv(*["Nguyễn Văn An,0912345601,1958,"] * 90_000)
    assert PAGE_LIMIT < len(big) < DEFAULTS["LMS_ROSTER_MAX_BYTES"]
    response = upload(client, class_id, big)
    assert response.status_code != 413
    assert "too large" not in response.get_data(as_text=True)
    # far over it (more than the room for the form): 413 before the file is read
    app.config["LMS_ROSTER_MAX_BYTES"] = 1024 * 1024
    response = upload(client, class_id, big)
    assert response.status_code == 413
    assert "What you sent is too large: at most 2 MB is accepted here." in response.get_data(as_text=True)


def test_chunked_roster_upload_stops_at_its_limit(app, client, courses, units) -> None:
    teacher = make_user(app, "co.lan", roles={"teacher"})
    class_id = make_class(app, teacher)
    login(client, "co.lan")
    url = f"/teach/classes/{class_id}/roster"
    token = csrf_from(client.get(url).get_data(as_text=True))
    head = (f'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            '--B\r\nContent-Disposition: form-data; name="roster"; filename="a.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n").encode()
    body = EndlessBody(512 * 1024 * 1024, head)
    response = _chunked(client, "POST", url, body, content_type="multipart/form-data; boundary=B")
    assert response.status_code == 413
    assert body.sent <= DEFAULTS["LMS_ROSTER_MAX_BYTES"] + UPLOAD_FORM_ROOM + 64 * 1024
