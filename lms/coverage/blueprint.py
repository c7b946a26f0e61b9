"""Coverage dashboards, data entry and reports:
the package's blueprint, which its views modules add their routes to."""

from __future__ import annotations

from flask import Blueprint

from lms.web.errors import register_blueprint_error_pages

bp = Blueprint("lms_coverage", __name__, template_folder="templates", url_prefix="/coverage")
register_blueprint_error_pages(bp)
