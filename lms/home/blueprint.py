"""The home package's blueprint; :mod:`lms.home.views` adds its pages."""

from __future__ import annotations

from flask import Blueprint

from lms.web.errors import register_blueprint_error_pages

bp = Blueprint("lms_home", __name__, template_folder="templates")
register_blueprint_error_pages(bp)
