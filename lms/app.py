"""``create_app()``: the standalone LMS, a thin composition of the extension."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Config, Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from lms.config import load_secret_key, session_cookie_settings
from lms.envsettings import from_environment, from_text
from lms.extension import LMS
from lms.logs import configure as configure_logging
from lms.web.errors import register_app_error_pages
from lms.web.routing import LazyBuilderRule


def refuse_production_without_base_url(app: Flask) -> None:
    """QR codes, PDFs and credentials carry the LMS's address; behind gunicorn it must be configured,
    never guessed from a request's Host header (see lms.web.urls)."""
    if os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn") and not app.config.get("LMS_BASE_URL"):
        raise RuntimeError(
            "LMS_BASE_URL is not set. Under gunicorn the LMS needs its public address (for example "
            "LMS_BASE_URL=https://hoc.example.vn) for the links in certificates, QR codes and PDFs."
        )


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
    app.url_rule_class = LazyBuilderRule  # each URL builder compiled on first use (~40 ms of a start)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    keep_compiled_templates(app)
    # what the operator set; precedence: ``config``, then the environment, then lms.cfg (lms.envsettings)
    given = Config(app.instance_path)
    given.from_pyfile("lms.cfg", silent=True)
    given.update(from_text(given))
    given.update(from_environment(os.environ))
    given.update(config)
    app.config.update(given)
    configure_logging(app.config.get("LMS_LOG_FORMAT"), os.environ.get("LMS_LOG_LEVEL"))
    refuse_production_without_base_url(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    # Flask defines these keys already (SameSite None), so setdefault would do nothing
    for key, value in session_cookie_settings(app.config).items():
        if key not in given:
            app.config[key] = value
    LMS(app, url_prefix=app.config.get("LMS_URL_PREFIX", ""))
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        # the LMS sets each of its requests' limit itself; this one covers anything else
        app.config["MAX_CONTENT_LENGTH"] = app.config["LMS_MAX_CONTENT_LENGTH"]
    app.extensions["lms"].extras["standalone"] = True
    register_app_error_pages(app)
    trust_proxies(app)
    return app


def keep_compiled_templates(app: Flask) -> None:
    """Keep the templates' compiled code in the instance folder (Jinja's own bytecode cache, keyed by
    each template's source checksum, so an upgrade recompiles what changed): compiling the learner
    pages costs a starting server ~0.1 s of CPU on every start, loading their code a few ms."""
    from jinja2 import FileSystemBytecodeCache

    folder = Path(app.instance_path) / "cache" / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    app.jinja_options = {**app.jinja_options, "bytecode_cache": FileSystemBytecodeCache(str(folder))}


def trust_proxies(app: Flask) -> None:
    """``LMS_PROXY_COUNT`` reverse proxies in front (0: none): take the client's address and scheme
    from the last that many ``X-Forwarded-For`` / ``X-Forwarded-Proto`` entries, which those
    proxies wrote (an entry a client made up sits further left and is ignored). Never more than
    there are: a client could then choose its own address and escape the rate limits."""
    count = int(app.config.get("LMS_PROXY_COUNT") or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


#: the pages a learner's phone opens first, and the sign-in page
WARM_TEMPLATES = ("lms/base.html", "lms/home.html", "lms/welcome.html", "lms/courses/catalogue.html",
                  "lms/courses/course.html", "lms/courses/lesson.html", "lms/quiz/question.html",
                  "lms/accounts/login.html")


def warm_up(app: Flask) -> None:
    """Do once, before a server forks its workers, what every worker's first request would do:
    configure the ORM mappers (~half of a first request's CPU), compile the learner pages'
    templates and read the translations. gunicorn's preloading master calls it (gunicorn.conf.py):
    the forked workers share the result instead of each paying for it while a learner waits.
    No database connection is opened."""
    from flask_babel import force_locale
    from jinja2 import TemplateNotFound
    from sqlalchemy.orm import configure_mappers

    from lms.i18n import LOCALES, domain

    configure_mappers()
    for name in WARM_TEMPLATES:
        try:
            app.jinja_env.get_template(name)
        except TemplateNotFound:  # a host may mount the LMS without one of them
            continue
    with app.test_request_context():
        for locale in LOCALES:
            with force_locale(locale):
                domain.gettext("Sign in")  # loads and keeps this locale's catalogue
