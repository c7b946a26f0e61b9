"""Home page, language switch and the static files of the LMS."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for

from lms.accounts.auth import current_user
from lms.accounts.views import _safe_next
from lms.audiences import AUDIENCES
from lms.courses import services
from lms.db import db
from lms.i18n import LOCALES
from lms.web.errors import register_blueprint_error_pages


class StaticBlueprint(Blueprint):
    def get_send_file_max_age(self, filename: str | None) -> int:
        # URLs carry a content hash (static_url), so browsers may keep files for a year
        return 365 * 24 * 3600


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
