"""Rate limit of the verification endpoints, never of a host app's own routes.

The ``limits`` library counts; this module only decides what is counted. The endpoints in
:data:`VERIFY_ENDPOINTS` are wrapped in this app's ``view_functions``, nothing else is touched
(no app-wide hook, so a host's routes pay nothing). They share one budget per client address
(``LMS_VERIFY_RATE_LIMIT``, "60 per minute" by default), so rotating between /V/, /verify and
the JSON API buys nothing. Storage comes from ``LMS_RATELIMIT_STORAGE_URI``: ``memory://``
counts per process (with 2 gunicorn workers a client may get up to twice the budget);
``redis://host:6379/0`` shares the count. If that storage fails, the process counts in memory
until it answers again: verification never stops because a counter is down. Behind a reverse
proxy, wrap the app in ``werkzeug.middleware.proxy_fix.ProxyFix`` so the client's address, not
the proxy's, is the key.

Flask-Limiter did this before; its per-request machinery (limit resolution, exemptions,
header injection) cost ~0.2 ms a verification, a third of the page's own work.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from functools import lru_cache, wraps

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from lms.counters import ResilientCounter
from lms.i18n import _
from lms.metrics import verified

#: the QR target, its share card, the code form and the JSON look-up by code
VERIFY_ENDPOINTS: tuple[str, ...] = (
    "lms_certificates.verify_token",
    "lms_certificates.share_card",
    "lms_certificates.verify_code",
    "lms_api.certificate_status",
)
SCOPE = "lms-verify"


@lru_cache(maxsize=8)
def _item(setting: str) -> RateLimitItem:
    return parse(setting)


class VerifyLimiter:
    """One budget per client address for every verification endpoint of one app."""

    def __init__(self, uri: str | None) -> None:
        self.counter = ResilientCounter(uri, FixedWindowRateLimiter, "rate-limit")

    def check(self, setting: str, client: str) -> None:
        """Count this request; past the limit, raise 429 with ``Retry-After``."""
        item = _item(setting)

        def hit(strategy: FixedWindowRateLimiter) -> float | None:
            if strategy.hit(item, SCOPE, client):
                return None
            return strategy.get_window_stats(item, SCOPE, client).reset_time

        reset = self.counter.run(hit)
        if reset is not None:
            verified("limited")
            raise TooManyRequests(description=_message(), retry_after=max(1, math.ceil(reset - time.time())))


def _message() -> str:
    return _("Too many certificate checks from your connection. You can check again a little later.")


def limited(view: Callable, limiter: VerifyLimiter) -> Callable:
    """The view, counted against the shared budget first (the setting is read per request)."""

    @wraps(view)
    def wrapper(*args: object, **kwargs: object) -> object:
        setting = current_app.config.get("LMS_VERIFY_RATE_LIMIT")
        if setting:
            limiter.check(str(setting), request.remote_addr or "unknown")
        return view(*args, **kwargs)

    return wrapper


def init_limiter(app: Flask) -> None:
    """Create this app's limiter and wrap the verification views (after the blueprints are registered)."""
    setting = app.config.get("LMS_VERIFY_RATE_LIMIT")
    if not setting:
        return  # an empty setting turns the limit off
    try:
        _item(str(setting))
    except ValueError:
        raise ValueError(f'LMS_VERIFY_RATE_LIMIT must read like "60 per minute", not {setting!r}') from None
    limiter = VerifyLimiter(app.config.get("LMS_RATELIMIT_STORAGE_URI"))
    for endpoint in VERIFY_ENDPOINTS:
        view = app.view_functions.get(endpoint)
        if view is not None:
            app.view_functions[endpoint] = limited(view, limiter)
    app.extensions["lms"].extras["limiter"] = limiter
