"""``GET /metrics``: Prometheus text, for the scraper only.

Allowed when the client's address is in ``LMS_METRICS_ALLOW`` (addresses or networks, comma-
separated; default loopback only), or when it sends ``Authorization: Bearer <LMS_METRICS_TOKEN>``
(compared in constant time). Anyone else gets a 404, as for a page that does not exist: the
figures (traffic per page, certificates issued) are not public. Behind a reverse proxy the
address is the one ``ProxyFix`` derives, so do not pass ``/metrics`` through the proxy: scrape
each app server directly on the internal network (``docker-compose.yml``).
"""

from __future__ import annotations

import hmac
import ipaddress

from flask import Response, abort, current_app, request
from flask.typing import ResponseReturnValue

from lms.metrics import CONTENT_TYPE, exposition
from lms.ops.blueprint import bp


def _networks(setting: object) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    items = setting if isinstance(setting, list | tuple) else str(setting or "").split(",")
    found = []
    for item in (str(part).strip() for part in items):
        if item:
            try:
                found.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                continue  # checked at start-up by lms.envsettings; a hand-set odd entry allows nothing
    return found


def allowed() -> bool:
    token = str(current_app.config.get("LMS_METRICS_TOKEN") or "")
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip().encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address((request.remote_addr or "").split("%")[0])
    except ValueError:
        return False
    return any(address in network for network in _networks(current_app.config.get("LMS_METRICS_ALLOW")))


@bp.get("/metrics")
def metrics() -> ResponseReturnValue:
    if not allowed():
        abort(404)
    return Response(exposition(), content_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})
