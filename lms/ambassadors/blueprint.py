"""The ambassadors package's blueprint: the ambassador's pages under /ambassador
(:mod:`lms.ambassadors.views`), the card sign-in and the citizen's own card page
(:mod:`lms.ambassadors.card_views`), and the officials' ranking under /ambassadors
(:mod:`lms.ambassadors.official_views`)."""

from __future__ import annotations

from flask import Blueprint

from lms.web.errors import register_blueprint_error_pages

bp = Blueprint("lms_ambassadors", __name__, template_folder="templates")
register_blueprint_error_pages(bp)

