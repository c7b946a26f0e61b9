"""Waiting in a browser test for something on a page our Content Security Policy protects.

Playwright's ``page.wait_for_function`` with a string evaluates it once through the DevTools
protocol and, when it is not yet true, keeps polling with ``new Function``: on our pages
(``script-src 'self'``, no ``unsafe-eval``) that second step fails with an EvalError, so a test
passed or failed by a race. :func:`wait_until` polls with ``page.evaluate`` only, which the page's
CSP does not govern. Also: the real site (official units, the repository's courses) on a loopback
server, which several browser tests start.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from playwright.sync_api import Error, Page
from werkzeug.serving import make_server

from lms import create_app
from lms.courses.loader import import_courses
from lms.db import db
from lms.schema import upgrade
from lms.units.importer import import_units, official_rows, official_version
from tests.conftest import REPO, base_config


def wait_until(page: Page, expression: str, seconds: float = 15) -> None:
    """Poll ``expression`` (JavaScript: an expression or an arrow function) until it is truthy."""
    for _ in range(int(seconds * 10)):
        try:
            if page.evaluate(expression):
                return
        except Error as error:  # a navigation replaced the page's context meanwhile: ask again
            if "context was destroyed" not in str(error) and "navigation" not in str(error).lower():
                raise
        page.wait_for_timeout(100)
    raise AssertionError(f"never true within {seconds} s: {expression}")


def real_site(instance: Path) -> Flask:
    """The LMS on a fresh SQLite database in ``instance`` with what a province would load: the
    official unit list and the repository's courses. TESTING off, so pages behave as in production."""
    app = create_app(base_config(instance, f"sqlite:///{instance}/lms.sqlite3") | {
        "LMS_COURSES_DIR": str(REPO / "courses"), "TESTING": False})
    with app.app_context():
        upgrade()
        import_units(official_rows(), "official", official_version())
        import_courses(REPO / "courses", app.extensions["lms"].question_types)
        db.session.remove()
    return app


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """``app`` on a threaded loopback server for the duration; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
