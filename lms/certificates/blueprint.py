"""The certificates package's blueprint: public verification pages (:mod:`lms.certificates.views`)
and the pages of holders, teachers and officials (:mod:`lms.certificates.pages`) both add to it."""

from __future__ import annotations

from lms.clock import local_day
from lms.web.assets import AssetBlueprint, asset_url
from lms.web.errors import register_blueprint_error_pages

bp = AssetBlueprint(
    "lms_certificates", __name__, template_folder="templates",
    static_folder="static", static_url_path="/certificates/static",
)
register_blueprint_error_pages(bp)


def cert_static(filename: str) -> str:
    """URL of one of the certificates' static files, with its content hash."""
    return asset_url("lms_certificates", filename)


@bp.context_processor
def _template_helpers() -> dict:
    return {"cert_static": cert_static, "local_day": local_day}
