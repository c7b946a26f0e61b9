"""``create_app()``: the standalone LMS, a thin composition of the extension."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from lms.config import load_secret_key
from lms.extension import LMS


def create_app(config: dict | None = None) -> Flask:
    """Build the standalone LMS. ``config`` overrides any setting (tests pass their own)."""
    config = dict(config or {})
    instance_path = config.pop("LMS_INSTANCE_PATH", None) or os.environ.get("LMS_INSTANCE_PATH")
    app = Flask(
        "lms",
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        instance_relative_config=True,
        static_folder=None,  # the LMS blueprint serves its own static files
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_pyfile("lms.cfg", silent=True)
    app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    LMS(app, url_prefix=app.config.get("LMS_URL_PREFIX", ""))
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        # the LMS sets each of its requests' limit itself; this one covers anything else
        app.config["MAX_CONTENT_LENGTH"] = app.config["LMS_MAX_CONTENT_LENGTH"]
    app.extensions["lms"].extras["standalone"] = True

    from lms.web.errors import register_app_error_pages

    register_app_error_pages(app)
    return app
