"""``create_app()``: the standalone LMS, a thin composition of the extension."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Config, Flask

from lms.config import load_secret_key, session_cookie_settings
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
    given = Config(app.instance_path)  # what the operator set, in lms.cfg or ``config``
    given.from_pyfile("lms.cfg", silent=True)
    given.update(config)
    app.config.update(given)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    # Flask defines these keys already (SameSite None), so setdefault would do nothing
    for key, value in session_cookie_settings(app.config).items():
        if key not in given:
            app.config[key] = value
    LMS(app, url_prefix=app.config.get("LMS_URL_PREFIX", ""))
    app.extensions["lms"].extras["standalone"] = True

    from lms.web.errors import register_app_error_pages

    register_app_error_pages(app)
    return app
