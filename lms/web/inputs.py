"""What a request may send: body size limits per route, and input the database cannot store.

Every LMS request gets a body limit before anything reads its body (also a chunked body without
``Content-Length``: Werkzeug stops reading at the limit and answers 413):

* API v1 (JSON): ``LMS_API_MAX_BYTES``;
* a view marked with :func:`body_limit` (file uploads): its own setting, plus room for the form;
* every other page: ``LMS_MAX_CONTENT_LENGTH``.

Form fields kept in memory and the number of multipart parts are limited too
(``LMS_MAX_FORM_MEMORY_SIZE``, ``LMS_MAX_FORM_PARTS``); uploaded files above 500 KB are spooled
to a temporary file by Werkzeug, never held whole in memory.

:func:`guard_request` then refuses, with a 400, a URL, query or form holding a NUL byte or a lone
surrogate, and answers 404 to an id in the URL that no id column can hold (above 2³¹-1).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import LimitedStream

from lms.i18n import _
from lms.textcheck import first_unsafe

F = TypeVar("F", bound=Callable[..., Any])
#: attribute a view carries when :func:`body_limit` gives it a larger body limit
LIMIT_ATTRIBUTE = "lms_body_limit_setting"
#: room for the multipart envelope and the other fields of an upload form; a file a little over
#: its own limit still reaches the view, which says so in its own words ("larger than 5 MB")
UPLOAD_FORM_ROOM = 1024 * 1024
#: PostgreSQL's ``integer``, the type of every id column (and of every int in a URL here)
MAX_ID = 2**31 - 1
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def body_limit(setting: str) -> Callable[[F], F]:
    """Mark an upload view: its body may be as large as the config value ``setting`` (bytes)."""

    def decorator(view: F) -> F:
        setattr(view, LIMIT_ATTRIBUTE, setting)
        return view

    return decorator


def request_body_limit() -> int:
    """The body limit of the current request, in bytes."""
    config = current_app.config
    if request.blueprint == "lms_api":
        return int(config["LMS_API_MAX_BYTES"])
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    setting = getattr(view, LIMIT_ATTRIBUTE, None)
    if setting:
        return int(config[setting]) + UPLOAD_FORM_ROOM
    return int(config["LMS_MAX_CONTENT_LENGTH"])


def apply_limits() -> None:
    """Set this request's limits; must run before anything reads the body."""
    config = current_app.config
    request.max_content_length = request_body_limit()
    request.max_form_memory_size = int(config["LMS_MAX_FORM_MEMORY_SIZE"])
    request.max_form_parts = int(config["LMS_MAX_FORM_PARTS"])


def human_size(size: int) -> str:
    """1048576 -> "1 MB", 262144 -> "256 KB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    return f"{max(1, size // 1024)} KB"


def too_large_message() -> str:
    limit = request.max_content_length
    if not limit:
        return _("What you sent is too large.")
    return _("What you sent is too large: at most %(size)s is accepted here.", size=human_size(limit))


def bad_characters_message() -> str:
    return _("What you sent contains characters that are not allowed (such as a NUL byte). "
             "Check it and try again.")


def refuse_truncated_body() -> None:
    """413 if a chunked body filled the limit: Werkzeug's ``read()`` then stops there silently,
    and the truncated body would be parsed as if it were whole."""
    if request.content_length is not None:
        return  # a declared length above the limit is refused before reading
    stream = request.stream
    if isinstance(stream, LimitedStream) and stream.is_exhausted:
        raise RequestEntityTooLarge()


def guard_request() -> None:
    """Refuse input that would break the database: NUL bytes, lone surrogates, ids above MAX_ID.

    Form fields are read here only for the methods that send a form (never for the JSON API,
    whose bodies :func:`read_json` checks).
    """
    view_args = request.view_args or {}
    for value in view_args.values():
        if isinstance(value, int) and not isinstance(value, bool) and value > MAX_ID:
            abort(404)
    values: list[object] = [list(view_args.values()), request.args.to_dict(flat=False)]
    if request.method in UNSAFE_METHODS and request.blueprint != "lms_api" and not request.is_json:
        values.append(request.form.to_dict(flat=False))
        values.append([upload.filename for upload in request.files.values()])
        refuse_truncated_body()
    if first_unsafe(values) is not None:
        abort(400, description=bad_characters_message())


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")  # Python would read NaN and Infinity; JSON has neither


def read_json() -> object | None:
    """The request's JSON body (within the body limit), or None if it is missing or not JSON.

    Unlike ``request.get_json``, a body nested too deep is refused with a 400 rather than a
    ``RecursionError`` (a 500), and so is a NUL byte or a lone surrogate ("\\ud800") in a string.
    """
    if not request.is_json:
        return None
    data = request.get_data(cache=True)
    refuse_truncated_body()
    try:
        body = json.loads(data, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return None
    problem = first_unsafe([body])
    if problem == "depth":
        abort(400, description=_("What you sent is nested too deeply."))
    if problem is not None:
        abort(400, description=bad_characters_message())
    return body
