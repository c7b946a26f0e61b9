"""Request hooks that apply to the LMS's own blueprints only, never to a host's routes."""

from __future__ import annotations

import time

from flask import Flask, abort, current_app, g, request
from flask_compress import Compress
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from lms.accounts.auth import TEMPLATE_USER, load_current_user, signed_in
from lms.i18n import LOCALES, _, domain
from lms.logs import HEADER as REQUEST_ID_HEADER
from lms.logs import request_id_from
from lms.metrics import observe_request
from lms.web.assets import asset_url
from lms.web.formatting import register_template_filters
from lms.web.inputs import apply_limits, guard_request

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def is_lms_request() -> bool:
    if request.blueprint and request.blueprint.startswith("lms"):
        return True
    # the standalone site owns every URL, including its 404s
    return bool(current_app.extensions["lms"].extras.get("standalone"))


def install_app_hooks(app: Flask) -> None:
    app.config.setdefault("COMPRESS_REGISTER", False)
    app.config.setdefault("COMPRESS_ALGORITHM", ["gzip", "br", "deflate"])
    compress = Compress()
    compress.init_app(app)
    app.extensions["lms"].extras["compress"] = compress

    @app.before_request
    def _lms_before_request() -> None:
        if not is_lms_request():
            return
        g.lms_request = True
        g.lms_started = time.perf_counter()
        g.lms_request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        apply_limits()  # before anything reads the body
        if request.routing_exception is None:
            guard_request()
        if request.blueprint == "lms_api":
            return  # bearer-token auth, no cookies, no CSRF
        load_current_user()
        # a 404 or 405 is answered as such, never as a missing CSRF token
        if request.method in UNSAFE_METHODS and request.routing_exception is None:
            token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken")
            try:
                validate_csrf(token)
            except ValidationError:
                abort(400, description=_("The form has expired or is missing its security token. "
                                         "Go back, reload the page and try again."))

    @app.after_request
    def _lms_after_request(response):
        if not is_lms_request():
            return response
        if "lms_started" in g:
            response.headers[REQUEST_ID_HEADER] = g.lms_request_id
            # per endpoint name (a 404 is "unmatched"), never the raw path: a bounded set of labels
            observe_request(request.endpoint, request.method, response.status_code,
                            time.perf_counter() - g.lms_started)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            if not g.get("lms_frameable"):  # the embed block only (lms/campaigns/screens.py) sets its own CSP
                response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'",
            )
            if signed_in() is not None or g.get("lms_user") is not None:
                response.headers.setdefault("Cache-Control", "private, no-store")
        return current_app.extensions["lms"].extras["compress"].after_request(response)

    @app.context_processor
    def _lms_template_context() -> dict:
        if not g.get("lms_request"):
            return {}
        return {
            "current_user": TEMPLATE_USER,  # lazy: a cached or simple page never loads the ORM user
            "csrf_token": generate_csrf,
            "static_url": static_url,
            "locales": LOCALES,
            # our gettext domain, so a host's "messages" catalog never answers for us
            "_": domain.gettext,
            "gettext": domain.gettext,
            "ngettext": domain.ngettext,
        }

    register_template_filters(app)


def static_url(filename: str) -> str:
    """URL of one of the site's static files, with its content hash (cached for a year)."""
    return asset_url("lms", filename)
