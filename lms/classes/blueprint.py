"""The classes package's blueprints: the teacher's pages under /teach (:mod:`lms.classes.views`,
:mod:`lms.classes.learner_views`, :mod:`lms.classes.roster_views`), the learner's join pages
(:mod:`lms.classes.join`) and the class's certificates PDF (:mod:`lms.classes.certificates_pdf`)."""

from __future__ import annotations

from flask import Blueprint

from lms.web.errors import register_blueprint_error_pages

bp = Blueprint("lms_classes", __name__, template_folder="templates", url_prefix="/teach")
register_blueprint_error_pages(bp)

join_bp = Blueprint("lms_join", __name__, template_folder="templates")
register_blueprint_error_pages(join_bp)

#: pages at the site's root that belong to classes: the class's certificates PDF
site_bp = Blueprint("lms_class_pages", __name__, template_folder="templates")
register_blueprint_error_pages(site_bp)
