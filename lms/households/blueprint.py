"""The households package's blueprint: the learner's household page under /household
(:mod:`lms.households.views`)."""

from __future__ import annotations

from flask import Blueprint

from lms.web.errors import register_blueprint_error_pages

bp = Blueprint("lms_households", __name__, template_folder="templates", url_prefix="/household")
register_blueprint_error_pages(bp)
