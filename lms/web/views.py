"""Home page, language switch and the static files of the LMS."""

from __future__ import annotations

import hashlib
import mimetypes
import os
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from werkzeug.security import safe_join

from lms.accounts.auth import current_user
from lms.accounts.views import _safe_next
from lms.audiences import AUDIENCES
from lms.courses import services
from lms.db import db
from lms.i18n import LOCALES
from lms.web.errors import register_blueprint_error_pages

STATIC_DIR = Path(__file__).resolve().parent / "static"


class StaticBlueprint(Blueprint):
    """Serves the few small static files from memory, so they are compressed like pages."""

    def send_static_file(self, filename: str):  # noqa: ANN201
        data, mimetype, etag = _static_file(filename)
        response = current_app.response_class(data, mimetype=mimetype)
        # URLs carry a content hash (static_url), so browsers may keep files for a year
        response.cache_control.public = True
        response.cache_control.max_age = 365 * 24 * 3600
        response.set_etag(etag)
        return response.make_conditional(request)


@lru_cache(maxsize=64)
def _static_file(filename: str) -> tuple[bytes, str, str]:
    path = safe_join(str(STATIC_DIR), filename)
    if path is None or not os.path.isfile(path):
        abort(404)
    data = Path(path).read_bytes()
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return data, mimetype, hashlib.sha256(data).hexdigest()[:16]


bp = StaticBlueprint(
    "lms", __name__, template_folder="templates", static_folder="static", static_url_path="/static"
)
register_blueprint_error_pages(bp)


@bp.route("/")
def home():  # noqa: ANN201
    user = current_user()
    if user is not None and user.audience:
        path = services.path_courses(user.audience)
        return render_template(
            "lms/home.html", path=services.standings(user.id, path), audience=user.audience, audiences=AUDIENCES
        )
    if user is not None:
        # staff accounts without an audience have no path: the catalogue is their home
        return redirect(url_for("lms_courses.catalogue"))
    return render_template("lms/welcome.html", audiences=AUDIENCES)


@bp.route("/language", methods=["POST"])
def set_language():  # noqa: ANN201
    locale = request.form.get("locale")
    if locale in LOCALES:
        session["lms_locale"] = locale
        user = current_user()
        if user is not None:
            user.locale = locale
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")) if request.form.get("next") else url_for(".home"))
