"""Request ids and JSON logs (scale-out issue, item 4): every LMS response carries X-Request-ID (the
proxy's if sane, else a new one), every log line written while serving it carries the same id,
and LMS_LOG_FORMAT=json writes one JSON object a line without secrets."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

from lms import logs
from tests.conftest import login, make_user


@pytest.fixture
def lines():
    """A JSON handler on the root logger, as LMS_LOG_FORMAT=json sets up; its lines, parsed."""
    stream = io.StringIO()
    handler = logs.json_handler(stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_every_response_has_a_request_id(client) -> None:
    made = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/healthz").headers["X-Request-ID"] != made
    assert client.get("/login", headers={"X-Request-ID": "req-2026-abcdef12"}).headers["X-Request-ID"] == \
        "req-2026-abcdef12"
    for odd in ("short", "has space in it", "x" * 65, "quote\"{json}<b>"):
        answered = client.get("/healthz", headers={"X-Request-ID": odd}).headers["X-Request-ID"]
        assert answered != odd and re.fullmatch(r"[0-9a-f]{32}", answered)


def test_log_lines_carry_the_request_id_as_json(app, client, lines) -> None:
    @app.get("/_log_probe")
    def _probe():
        logging.getLogger("lms.probe").warning("probe %s", "seen")
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("lms.probe").exception("failed")
        return "ok"

    assert client.get("/_log_probe", headers={"X-Request-ID": "trace-0001-abcd"}).status_code == 200
    logging.getLogger("lms.probe").info("outside any request")
    found = [line for line in lines() if line["logger"] == "lms.probe"]
    assert [line["message"] for line in found] == ["probe seen", "failed", "outside any request"]
    assert [line["request_id"] for line in found] == ["trace-0001-abcd", "trace-0001-abcd", "-"]
    assert found[0]["level"] == "WARNING" and found[0]["time"].endswith("+00:00")
    assert "ValueError: boom" in found[1]["exception"]


def test_gunicorn_access_lines_get_the_response_header(lines) -> None:
    # gunicorn logs its access line after the request, with its atoms as the record's args
    logging.getLogger("gunicorn.access").info("%(m)s %(U)s %(s)s", {"m": "GET", "U": "/healthz", "s": "200",
                                                                  "{x-request-id}o": "abcdef0123456789"})
    [line] = [line for line in lines() if line["logger"] == "gunicorn.access"]
    assert line["message"] == "GET /healthz 200" and line["request_id"] == "abcdef0123456789"


def test_a_sign_in_logs_no_password_in_json(app, client, lines) -> None:
    make_user(app)
    login(client)
    client.post("/api/v1/auth/token", json={"username": "0912345678", "password": "sai-mat-khau-nhe"})
    text = json.dumps(lines(), ensure_ascii=False)
    assert "mat-khau-tot-2026" not in text and "sai-mat-khau-nhe" not in text


def test_json_is_an_opt_in(monkeypatch) -> None:
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        logs.configure("text")
        assert list(root.handlers) == saved[0]  # `make run` stays as it was
        logs.configure("json")
        logs.configure("json")  # once per process, however many apps are made
        assert [getattr(h, "lms_json", False) for h in root.handlers] == [True]
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
