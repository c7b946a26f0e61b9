"""The jobs package's blueprint: a job's progress page and its file (:mod:`lms.jobs.views`)."""

from __future__ import annotations

from flask import Blueprint

from lms.web.errors import register_blueprint_error_pages

bp = Blueprint("lms_jobs", __name__, template_folder="templates", url_prefix="/jobs")
register_blueprint_error_pages(bp)
