"""The ``lms`` blueprint: the site's shared templates (layout, macros, error page) and static
files (style sheet, scripts). It has no pages of its own (only ``/favicon.ico``); the home page is :mod:`lms.home`."""

from __future__ import annotations

from lms.web.assets import AssetBlueprint, favicon
from lms.web.errors import register_blueprint_error_pages

bp = AssetBlueprint("lms", __name__, template_folder="templates", static_folder="static", static_url_path="/static")
register_blueprint_error_pages(bp)
#: at the LMS's root (under its mount prefix), where browsers look for it unasked
bp.add_url_rule("/favicon.ico", "favicon", favicon)
