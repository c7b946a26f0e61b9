"""``GET /courses``: the catalogue, optionally for one audience."""

from __future__ import annotations

from flask import Response, jsonify, request

from lms.api.auth import api_error
from lms.api.blueprint import bp
from lms.audiences import AUDIENCES
from lms.courses import services as courses
from lms.i18n import _
from lms.web.urls import public_url


@bp.get("/courses")
def course_list() -> Response | tuple[Response, int]:
    audience = request.args.get("audience")
    if audience is not None and audience not in AUDIENCES:
        return api_error(400, "unknown_audience", _("Unknown audience. Use one of: %(options)s.",
                                                    options=", ".join(AUDIENCES)))
    return jsonify([
        {"slug": c.slug, "title": c.title, "summary": c.summary, "audiences": c.audiences,
         "url": public_url("lms_courses.course", slug=c.slug)}
        for c in courses.active_courses(audience)
    ])
