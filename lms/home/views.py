"""Home page and language switch."""

from __future__ import annotations

from flask import Response, redirect, render_template, request, session, url_for

from lms.accounts.auth import current_user, signed_in
from lms.audiences import AUDIENCES
from lms.courses import services
from lms.db import db
from lms.home.blueprint import bp
from lms.i18n import LOCALES
from lms.web.pagecache import cached_page
from lms.web.urls import safe_next


@bp.route("/")
@cached_page(signed_in)
def home() -> str | Response:
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
def set_language() -> Response:
    locale = request.form.get("locale")
    if locale in LOCALES:
        session["lms_locale"] = locale
        user = current_user()
        if user is not None:
            user.locale = locale
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) if request.form.get("next") else url_for(".home"))
