"""Request ids and JSON logs.

Every LMS request has an id: the ``X-Request-ID`` the reverse proxy sent if it looks like one
(8-64 characters of letters, digits and ``._:-``: what nginx's ``$request_id``, Caddy's
``{http.request.uuid}`` or a load balancer's trace id look like), else a new random one. It is
sent back in the response's ``X-Request-ID`` header and put on every log line written while the
request is served, so a learner's "it failed at 10:02" leads to one request's lines.

``LMS_LOG_FORMAT=json`` (standalone app and ``gunicorn.conf.py``) writes one JSON object a line to
standard error: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, ``request_id``
(``-`` outside a request), ``exception`` when there is one. The default, ``text``, leaves the
logging set-up alone so ``make run`` stays readable. Nothing here adds a header, a cookie, a
form field or a query string to a line: secrets stay out (tests/test_secrets_in_logs.py).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import sys
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from flask import g, has_request_context

HEADER = "X-Request-ID"
_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
#: gunicorn's access log passes its atoms as the record's args; the response header is this one
_ACCESS_ATOM = "{x-request-id}o"


_process: tuple[int, str] = (0, "")
_sequence = itertools.count()


def new_request_id() -> str:
    """32 hex digits, unique without a system call per request: 16 random ones drawn once per
    process (again after a fork), then a counter (``uuid4`` costs a ``getrandom`` each time)."""
    global _process
    if _process[0] != os.getpid():
        _process = (os.getpid(), uuid.uuid4().hex[:16])
    return f"{_process[1]}{next(_sequence) & 0xFFFFFFFFFFFFFFFF:016x}"


def request_id_from(header: str | None) -> str:
    """The proxy's id if it is sane, else a new one (an odd value is never echoed into logs)."""
    if header and _SANE.match(header):
        return header
    return new_request_id()


def current_request_id() -> str:
    if has_request_context():
        return g.get("lms_request_id") or "-"
    return "-"


class RequestIdFilter(logging.Filter):
    """Puts ``record.request_id`` on every record (set on a handler, so every logger's lines get it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            found = current_request_id()
            if found == "-" and isinstance(record.args, Mapping):
                found = str(record.args.get(_ACCESS_ATOM) or "-")  # gunicorn's access line, after the request
            record.request_id = found
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line."""

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            RequestIdFilter().filter(record)
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": record.request_id,
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def json_handler(stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler.lms_json = True  # type: ignore[attr-defined]  (so set-up is done once per process)
    return handler


def configure(log_format: str | None, level: str | None = None) -> None:
    """``json``: the root logger writes JSON lines to standard error (once per process)."""
    if (log_format or "text") != "json":
        return
    root = logging.getLogger()
    if not any(getattr(handler, "lms_json", False) for handler in root.handlers):
        for handler in list(root.handlers):
            root.removeHandler(handler)
        root.addHandler(json_handler())
    root.setLevel((level or "INFO").upper())
