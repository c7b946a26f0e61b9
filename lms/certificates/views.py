"""Pages of the certificates package."""

from __future__ import annotations

from flask import Blueprint

from lms.web.errors import register_blueprint_error_pages

bp = Blueprint("lms_certificates", __name__, template_folder="templates")
register_blueprint_error_pages(bp)
