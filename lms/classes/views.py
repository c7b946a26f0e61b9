"""Pages of the classes package."""

from __future__ import annotations

from flask import Blueprint

from lms.web.errors import register_blueprint_error_pages

bp = Blueprint("lms_classes", __name__, template_folder="templates", url_prefix="/teach")
register_blueprint_error_pages(bp)
