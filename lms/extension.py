"""The ``LMS`` Flask extension: mounts everything into a host app, or into ``create_app()``'s own."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

from flask import Blueprint, Flask
from flask_babel import Babel

from lms.config import apply_defaults, database_url
from lms.db import db
from lms.i18n import select_locale

#: every domain's blueprint module; each defines ``bp`` and is mounted under the prefix
BLUEPRINT_MODULES: tuple[str, ...] = (
    "lms.web.views",
    "lms.accounts.views",
    "lms.courses.views",
    "lms.quiz.views",
    "lms.certificates.views",
    "lms.classes.views",
    "lms.classes.join",
    "lms.coverage.views",
    "lms.api.views",
)


@dataclass
class LMSState:
    """Per-app state, kept in ``app.extensions["lms"]`` (never on the extension object)."""

    url_prefix: str
    question_types: object = None
    extras: dict = field(default_factory=dict)


class LMS:
    """Mount the LMS into a Flask app: ``LMS(app, url_prefix="/hoc")`` or ``LMS().init_app(app)``."""

    def __init__(self, app: Flask | None = None, url_prefix: str = "") -> None:
        self.url_prefix = url_prefix
        if app is not None:
            self.init_app(app, url_prefix=url_prefix)

    def init_app(self, app: Flask, url_prefix: str | None = None) -> None:
        prefix = (self.url_prefix if url_prefix is None else url_prefix).rstrip("/")
        apply_defaults(app)
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config.setdefault(
            "SQLALCHEMY_DATABASE_URI",
            app.config.get("LMS_DATABASE_URL") or database_url(app.instance_path),
        )
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(app))
        existing = app.extensions.get("sqlalchemy")
        if existing is None:
            db.init_app(app)
        elif existing is not db:
            # one Flask-SQLAlchemy instance per app: ours would silently have no engine
            raise RuntimeError(
                "bdhvs-lms brings its own Flask-SQLAlchemy instance; this app already has another one. "
                "Mount the LMS on an app without Flask-SQLAlchemy (e.g. a sub-app with DispatcherMiddleware)."
            )
        if "babel" not in app.extensions:
            # a host with its own Babel keeps its locale selector; our domain still translates
            Babel(app, locale_selector=select_locale, default_timezone="Asia/Ho_Chi_Minh")
        importlib.import_module("lms.models")

        from lms.quiz.registry import default_registry

        app.extensions["lms"] = LMSState(url_prefix=prefix, question_types=default_registry())
        _enable_sqlite_pragmas(app)

        for module_name in BLUEPRINT_MODULES:
            blueprint: Blueprint = importlib.import_module(module_name).bp
            sub = blueprint.url_prefix or ""
            app.register_blueprint(blueprint, url_prefix=(prefix + sub) or None)
        importlib.import_module("lms.certificates").init_app(app)  # rate limit of the verify pages

        from lms.cli import lms_group

        app.cli.add_command(lms_group)

        from lms.web.hooks import install_app_hooks

        install_app_hooks(app)


def _engine_options(app: Flask) -> dict:
    url = str(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
    # hide_parameters: an error or a SQL log line never carries a password hash or token digest
    if url.startswith("sqlite"):
        # several gunicorn workers share one file: wait for the write lock instead of failing
        return {"connect_args": {"timeout": 30}, "hide_parameters": True}
    # no pre-ping: it would cost a round trip on every request; recycle idle connections instead
    return {"pool_recycle": 1800, "pool_size": 10, "max_overflow": 20, "hide_parameters": True}


def _enable_sqlite_pragmas(app: Flask) -> None:
    url = str(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
    if not url.startswith("sqlite"):
        return
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
