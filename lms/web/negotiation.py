"""What a client asked for: the pages answer JSON to ``Accept: application/json``."""

from __future__ import annotations

from flask import current_app, request


def wants_json() -> bool:
    """JSON rather than HTML (a browser, a phone's camera app or ``*/*`` gets HTML)."""
    if "json" not in request.headers.get("Accept", ""):
        return False  # nearly every request: no need to parse the header
    return request.accept_mimetypes.best_match(("text/html", "application/json")) == "application/json"


def api_request() -> bool:
    """A request to API v1, also one that matched no route there (a 404 or 405 answers JSON)."""
    if request.blueprint == "lms_api":
        return True
    return request.path.startswith(current_app.extensions["lms"].url_prefix + "/api/")
