"""Campaign pages, public screens (/display/...) and the portal block (/embed...):
the package's blueprint, which its views modules add their routes to."""

from __future__ import annotations

from flask import Blueprint

from lms.web.errors import register_blueprint_error_pages

bp = Blueprint("lms_campaigns", __name__, template_folder="templates")
register_blueprint_error_pages(bp)
