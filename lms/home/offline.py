"""The installable learner: web app manifest, service worker and the offline page.

The service worker (``/sw.js``, at the LMS's root so its scope covers every page) keeps only what
the server marks with ``X-LMS-Offline: keep``: learner pages a reader may want again without a
signal (home path, catalogue, course, lesson). Anything else (quiz attempts, results and reviews,
teachers' and officials' pages, the JSON API) is never marked and so never kept.
"""

from __future__ import annotations

import json

from flask import Response, current_app, make_response, render_template, request, url_for

from lms.accounts.auth import signed_in
from lms.ambassadors.acting import acting_state
from lms.config import DEFAULTS
from lms.home.blueprint import bp
from lms.i18n import _
from lms.web.assets import asset, asset_url

#: pages worth reading again offline; quiz attempts and results are deliberately absent
KEEP_ENDPOINTS = frozenset({
    "lms_home.home", "lms_courses.catalogue", "lms_courses.course", "lms_courses.lesson",
})
#: a page seen by staff may carry other people's data: never kept on the phone
STAFF_ROLES = frozenset({"teacher", "official", "admin", "verifier", "ambassador"})
THEME = "#b3261e"  # the header's colour (--brand in lms.css)


def keep_offline(response: Response) -> Response:
    """Mark a learner page the service worker may keep (an ``after_app_request`` hook)."""
    if (request.method == "GET" and request.endpoint in KEEP_ENDPOINTS and response.status_code == 200
            and response.mimetype == "text/html"):
        state = signed_in()
        # an ambassador's phone acting for a citizen (lms.ambassadors) keeps none of their pages
        if (state is None or not state.roles.intersection(STAFF_ROLES)) and acting_state() is None:
            response.headers["X-LMS-Offline"] = "keep"
    return response


bp.after_app_request(keep_offline)


def _prefix() -> str:
    return current_app.extensions["lms"].url_prefix


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    name = current_app.config["LMS_SITE_NAME"]
    body = {
        "name": name, "short_name": "Học vụ số" if name == DEFAULTS["LMS_SITE_NAME"] else name[:12],
        "description": str(_("Digital skills for everyone")),
        "lang": "vi", "dir": "ltr", "start_url": url_for("lms_home.home"), "scope": _prefix() + "/",
        "display": "standalone", "theme_color": THEME, "background_color": "#ffffff",
        "icons": [
            {"src": asset_url("lms", f"icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png",
             "purpose": "any maskable"} for size in (192, 512)
        ],
    }
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.cache_control.public = True
    response.cache_control.max_age = 86400  # a day: the icons inside carry their own hash
    response.add_etag()
    return response.make_conditional(request)


def _worker_config() -> dict:
    static = [asset_url("lms", name) for name in ("lms.css", "lms.js", "lms-offline.js", "icon-192.png",
                                                          "icon-512.png")]
    return {
        "offline": url_for("lms_home.offline_page"), "static": static, "prefix": _prefix(),
        "sync": url_for("lms_quiz.sync"),  # where actions queued offline are sent
        # signing out, or someone signing in (or registering, which signs in), on this phone
        "forget": [url_for("lms_accounts.logout"), url_for("lms_accounts.login"), url_for("lms_accounts.register")],
    }


@bp.get("/sw.js")
def service_worker() -> Response:
    """Served from the root (not /static/) so that its scope is the whole site; never cached by
    the browser's HTTP cache, so an update reaches phones on their next visit."""
    folder = current_app.blueprints["lms"].static_folder
    code = asset(str(folder), "lms-sw.js")[0]
    data = b"var LMS = " + json.dumps(_worker_config()).encode() + b";\n" + code
    response = current_app.response_class(data, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = _prefix() + "/"
    response.cache_control.no_cache = True
    response.cache_control.max_age = 0
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/offline")
def offline_page() -> Response:
    """What the service worker shows for a page it has no copy of while there is no signal."""
    response = make_response(render_template("lms/offline.html"))
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
