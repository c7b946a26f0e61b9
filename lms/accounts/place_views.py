"""The registration form's commune list, which a chosen province loads in place (lms.js).

Without JavaScript the form's "Show communes" button reloads the page instead (lms.accounts.views),
and the page comes back scrolled to the commune field.
"""

from __future__ import annotations

from flask import Response, jsonify, request
from flask.typing import ResponseReturnValue

from lms.accounts.blueprint import bp
from lms.i18n import _
from lms.units.services import by_code, units_below

#: the unit lists change only when an administrator imports a new edition: a phone keeps them a day
COMMUNES_MAX_AGE = 24 * 3600


@bp.get("/register/communes/<province_code>.json")
def communes(province_code: str) -> ResponseReturnValue:
    """``{"province": code, "communes": [{"code", "name"}]}``, in Vietnamese alphabetical order;
    404 for a code that is not a province."""
    province = by_code(province_code[:12])
    if province is None or province.level != "province":
        return jsonify({"error": "unknown_province", "message": _("No such province.")}), 404
    response: Response = jsonify(
        {"province": province.code, "communes": [{"code": u.code, "name": u.name} for u in units_below(province.code)]}
    )
    response.cache_control.public = True
    response.cache_control.max_age = COMMUNES_MAX_AGE
    response.add_etag()
    return response.make_conditional(request)
