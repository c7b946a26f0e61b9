"""The ``LMS`` Flask extension: mounts everything into a host app, or into ``create_app()``'s own."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask
from flask_babel import Babel
from sqlalchemy import event

from lms import hooks, models
from lms.accounts import blueprint as accounts
from lms.accounts import views as accounts_views
from lms.api import (
    blueprint as api,
)
from lms.api import (
    certificates as api_certificates,
)
from lms.api import (
    courses as api_courses,
)
from lms.api import (
    coverage as api_coverage,
)
from lms.api import (
    openapi as api_openapi,
)
from lms.api import (
    quiz as api_quiz,
)
from lms.api import (
    tokens as api_tokens,
)
from lms.certificates import (
    blueprint as certificates,
)
from lms.certificates import (
    listeners as certificate_listeners,
)
from lms.certificates import (
    pages as certificate_pages,
)
from lms.certificates import (
    pdfcache,
    recordcache,
)
from lms.certificates import (
    setup as certificates_setup,
)
from lms.certificates import (
    status as certificate_status,
)
from lms.certificates import (
    views as certificate_views,
)
from lms.classes import (
    blueprint as classes,
)
from lms.classes import (
    certificates_pdf as class_certificates,
)
from lms.classes import (
    join as class_join,
)
from lms.classes import (
    learner_views as class_learner_views,
)
from lms.classes import (
    listeners as class_listeners,
)
from lms.classes import (
    roster_views as class_roster_views,
)
from lms.classes import (
    views as class_views,
)
from lms.commands import lms_group
from lms.config import apply_defaults, database_url
from lms.courses import blueprint as courses
from lms.courses import views as course_views
from lms.coverage import blueprint as coverage
from lms.coverage import views as coverage_views
from lms.db import db
from lms.home import blueprint as home
from lms.home import views as home_views
from lms.i18n import select_locale
from lms.quiz import blueprint as quiz
from lms.quiz import completion as quiz_completion
from lms.quiz import listeners as quiz_listeners
from lms.quiz import views as quiz_views
from lms.quiz.registry import QuestionTypeRegistry, default_registry
from lms.web import blueprint as web

#: every blueprint, registered in this order under the mount's prefix (plus each one's own prefix)
BLUEPRINTS: tuple[Blueprint, ...] = (
    web.bp, home.bp, accounts.bp, courses.bp, quiz.bp, certificates.bp, classes.bp, classes.join_bp,
    classes.site_bp, coverage.bp, api.bp,
)
#: importing these adds their routes to the blueprints above, and connects their signal receivers
#: (lms.signals); they are named here so the import is the extension's, and nobody else's
ROUTES_AND_RECEIVERS = (
    home_views, accounts_views, course_views, quiz_views, certificate_views, certificate_pages, class_views,
    class_learner_views, class_roster_views, class_join, class_certificates, coverage_views, api_tokens,
    api_courses, api_quiz, api_certificates, api_coverage, api_openapi,
    quiz_completion, quiz_listeners, certificate_listeners, certificate_status, pdfcache, recordcache,
    class_listeners, models,
)


@dataclass
class LMSState:
    """Per-app state, kept in ``app.extensions["lms"]`` (never on the extension object)."""

    url_prefix: str
    question_types: QuestionTypeRegistry | None = None
    extras: dict[str, Any] = field(default_factory=dict)


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
        app.extensions["lms"] = LMSState(url_prefix=prefix, question_types=default_registry())
        _enable_sqlite_pragmas(app)

        for blueprint in BLUEPRINTS:
            sub = blueprint.url_prefix or ""
            app.register_blueprint(blueprint, url_prefix=(prefix + sub) or None)
        certificates_setup.init_app(app)  # rate limit of the verification pages
        app.cli.add_command(lms_group)
        hooks.install_app_hooks(app)


def _engine_options(app: Flask) -> dict[str, Any]:
    url = str(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
    if url.startswith("sqlite"):
        # several gunicorn workers share one file: wait for the write lock instead of failing
        return {"connect_args": {"timeout": 30}}
    # no pre-ping: it would cost a round trip on every request; recycle idle connections instead
    return {"pool_recycle": 1800, "pool_size": 10, "max_overflow": 20}


def _enable_sqlite_pragmas(app: Flask) -> None:
    url = str(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
    if not url.startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: object) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
