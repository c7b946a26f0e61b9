"""The ``LMS`` Flask extension: mounts everything into a host app, or into ``create_app()``'s own."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app
from flask_babel import Babel
from sqlalchemy import event

import lms.accounts.blueprint as accounts
import lms.accounts.place_views as accounts_place_views
import lms.accounts.recovery_views as accounts_recovery_views
import lms.accounts.views as accounts_views
import lms.ambassadors.blueprint as ambassadors
import lms.ambassadors.card_views as ambassador_card_views
import lms.ambassadors.listeners as ambassador_listeners
import lms.ambassadors.official_views as ambassador_official_views
import lms.ambassadors.views as ambassador_views
import lms.api.blueprint as api
import lms.api.certificates as api_certificates
import lms.api.courses as api_courses
import lms.api.coverage as api_coverage
import lms.api.openapi as api_openapi
import lms.api.quiz as api_quiz
import lms.api.tokens as api_tokens
import lms.campaigns.blueprint as campaigns
import lms.campaigns.screens as campaign_screens
import lms.campaigns.views as campaign_views
import lms.certificates.blueprint as certificates
import lms.certificates.listeners as certificate_listeners
import lms.certificates.pages as certificate_pages
import lms.certificates.pdfcache as pdfcache
import lms.certificates.recordcache as recordcache
import lms.certificates.setup as certificates_setup
import lms.certificates.status as certificate_status
import lms.certificates.views as certificate_views
import lms.classes.blueprint as classes
import lms.classes.certificates_pdf as class_certificates
import lms.classes.invitation_views as class_invitation_views
import lms.classes.job_views as class_job_views
import lms.classes.join as class_join
import lms.classes.learner_views as class_learner_views
import lms.classes.listeners as class_listeners
import lms.classes.roster_views as class_roster_views
import lms.classes.views as class_views
import lms.courses.blueprint as courses
import lms.courses.views as course_views
import lms.coverage.blueprint as coverage
import lms.coverage.job_views as coverage_job_views
import lms.coverage.upload_views as coverage_upload_views
import lms.coverage.views as coverage_views
import lms.home.blueprint as home
import lms.home.offline as home_offline
import lms.home.views as home_views
import lms.households.blueprint as households
import lms.households.listeners as household_listeners
import lms.households.views as household_views
import lms.jobs.blueprint as jobs
import lms.jobs.views as job_views
import lms.ops.blueprint as ops
import lms.ops.metrics_view as ops_metrics
import lms.ops.views as ops_views
import lms.outreach.blueprint as outreach
import lms.outreach.report_views as outreach_report_views
import lms.outreach.views as outreach_views
import lms.quiz.bank as quiz_bank
import lms.quiz.blueprint as quiz
import lms.quiz.completion as quiz_completion
import lms.quiz.listeners as quiz_listeners
import lms.quiz.offline_views as quiz_offline_views
import lms.quiz.views as quiz_views
import lms.web.blueprint as web
from lms import metrics
from lms.commands import lms_group
from lms.config import apply_defaults, database_url
from lms.courses.loader import QuestionBanks
from lms.db import REPLICA, db, keep_pools_fork_safe
from lms.hooks import install_app_hooks
from lms.i18n import select_locale
from lms.jobs.services import queue_stats
from lms.models import ALL_MODELS
from lms.quiz.registry import QuestionTypeRegistry, default_registry

#: every blueprint, registered in this order under the mount's prefix (plus each one's own prefix)
BLUEPRINTS: tuple[Blueprint, ...] = (
    web.bp, home.bp, accounts.bp, courses.bp, quiz.bp, certificates.bp, classes.bp, classes.join_bp,
    classes.site_bp, coverage.bp, households.bp, campaigns.bp, outreach.bp, api.bp, ops.bp, jobs.bp, ambassadors.bp,
)
#: every model, so SQLAlchemy's registry is complete before the first query
MODELS = ALL_MODELS
#: importing these adds their routes to the blueprints above, and connects their signal receivers
#: (lms.signals); they are named here so the import is the extension's, and nobody else's
ROUTES_AND_RECEIVERS = (
    home_views, accounts_views, course_views, quiz_views, certificate_views, certificate_pages, class_views,
    accounts_recovery_views, quiz_offline_views,
    class_learner_views, class_roster_views, class_join, class_invitation_views, class_certificates, class_job_views,
    coverage_views, coverage_job_views, coverage_upload_views, accounts_place_views, api_tokens, home_offline,
    api_courses, api_quiz, api_certificates, api_coverage, api_openapi,
    quiz_completion, quiz_listeners, certificate_listeners, certificate_status, pdfcache, recordcache,
    class_listeners, household_views, household_listeners,
    ops_views, ops_metrics, job_views, campaign_views, campaign_screens,
    ambassador_views, ambassador_card_views, ambassador_official_views, ambassador_listeners,
    outreach_views, outreach_report_views,
)


@dataclass
class LMSState:
    """Per-app state, kept in ``app.extensions["lms"]`` (never on the extension object)."""

    url_prefix: str
    question_types: QuestionTypeRegistry | None = None
    #: parses and stores GIFT banks for the course loader (lms.courses.loader.QuestionBanks)
    question_banks: QuestionBanks | None = None
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
        _add_replica_bind(app)
        existing = app.extensions.get("sqlalchemy")
        if existing is None:
            db.init_app(app)
        elif existing is not db:
            # one Flask-SQLAlchemy instance per app: ours would silently have no engine
            raise RuntimeError(
                "bdhvs-lms brings its own Flask-SQLAlchemy instance; this app already has another one. "
                "Mount the LMS on an app without Flask-SQLAlchemy (e.g. a sub-app with DispatcherMiddleware)."
            )
        with app.app_context():
            keep_pools_fork_safe(list(db.engines.values()))
        if "babel" not in app.extensions:
            # a host with its own Babel keeps its locale selector; our domain still translates
            Babel(app, locale_selector=select_locale, default_timezone="Asia/Ho_Chi_Minh")
        app.extensions["lms"] = LMSState(url_prefix=prefix, question_types=default_registry(), question_banks=quiz_bank)
        _enable_sqlite_pragmas(app)

        for blueprint in BLUEPRINTS:
            sub = blueprint.url_prefix or ""
            app.register_blueprint(blueprint, url_prefix=(prefix + sub) or None)
        certificates_setup.init_app(app)  # rate limit of the verification pages
        app.cli.add_command(lms_group)
        install_app_hooks(app)
        metrics.set_queue_depth_reader(_queue_depth)


def _engine_options(app: Flask) -> dict[str, Any]:
    url = str(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
    # hide_parameters: an error or a SQL log line never carries a password hash or token digest
    if url.startswith("sqlite"):
        # several gunicorn workers share one file: wait for the write lock instead of failing
        return {"connect_args": {"timeout": 30}, "hide_parameters": True}
    # no pre-ping: it would cost a round trip on every request; recycle idle connections instead
    return {"pool_recycle": 1800, "pool_size": 10, "max_overflow": 20, "hide_parameters": True}


def _queue_depth() -> dict[str, int]:
    """``lms_queue_depth`` in ``/metrics``: jobs waiting or running, from the jobs table (the same
    answer on every server, whether RQ or the in-app thread runs them)."""
    stats = queue_stats(db.engine)
    return {str(current_app.config["LMS_JOB_QUEUE"]): stats["queued"] + stats["running"]}


def _add_replica_bind(app: Flask) -> None:
    """``LMS_DATABASE_REPLICA_URL``: a second engine (bind ``replica``) that the coverage dashboards
    and public pages read from (:func:`lms.db.reads_from_replica`); writes never go there."""
    url = app.config.get("LMS_DATABASE_REPLICA_URL")
    if not url:
        return
    binds = dict(app.config.get("SQLALCHEMY_BINDS") or {})
    options = {**_engine_options(app), "pool_size": 5, "max_overflow": 10}
    if str(url).startswith("sqlite"):
        options = {"connect_args": {"timeout": 30}, "hide_parameters": True}
    binds.setdefault(REPLICA, {"url": url, **options})
    app.config["SQLALCHEMY_BINDS"] = binds


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
