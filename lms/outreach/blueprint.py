"""Outreach pages (recording activities, the periodic report):
the package's blueprint, which its views modules add their routes to."""

from __future__ import annotations

from flask import Blueprint

from lms.web.errors import register_blueprint_error_pages

bp = Blueprint("lms_outreach", __name__, template_folder="templates", url_prefix="/outreach")
register_blueprint_error_pages(bp)
