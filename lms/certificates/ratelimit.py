"""Rate limit of the verification endpoints (Flask-Limiter), never of a host app's own routes.

One :class:`~flask_limiter.Limiter` per app, with no default or application limits; only the
endpoints in :data:`VERIFY_ENDPOINTS` are wrapped, in this app's ``view_functions``. They share
one budget per client address (``LMS_VERIFY_RATE_LIMIT``, "60 per minute" by default), so
rotating between /V/, /verify and the JSON API buys nothing. Storage comes from
``LMS_RATELIMIT_STORAGE_URI``: ``memory://`` counts per process (with 2 gunicorn workers a
client may get up to twice the budget); ``redis://host:6379/0`` shares the count. Behind a
reverse proxy, wrap the app in ``werkzeug.middleware.proxy_fix.ProxyFix`` so the client's
address, not the proxy's, is the key.
"""

from __future__ import annotations

import time

from flask import Flask, current_app
from limits.storage import MemoryStorage

from lms.i18n import _

#: the QR target, the code form and the JSON look-up by code
VERIFY_ENDPOINTS: tuple[str, ...] = (
    "lms_certificates.verify_token",
    "lms_certificates.verify_code",
    "lms_api.certificate_status",
)
SCOPE = "lms-verify"


class QuietMemoryStorage(MemoryStorage):
    """limits' in-process storage without its expiry thread: ``MemoryStorage`` starts a new
    ``threading.Timer`` whenever the last one (10 ms) has ended, i.e. on nearly every hit under
    load, which cost ~1 ms a request here. Expired counters are already dropped when read; this
    sweeps the rest inline once a minute. ``memory://`` in ``LMS_RATELIMIT_STORAGE_URI`` uses it."""

    STORAGE_SCHEME = ["lms-memory"]
    SWEEP_SECONDS = 60.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = time.monotonic() + self.SWEEP_SECONDS

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - overrides MemoryStorage.__schedule_expiry
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + self.SWEEP_SECONDS
            self._MemoryStorage__expire_events()


def storage_uri(configured: str | None) -> str:
    """The storage for ``LMS_RATELIMIT_STORAGE_URI``: redis://, memcached://... as given."""
    uri = configured or "memory://"
    return "lms-memory://" + uri[len("memory://"):] if uri.startswith("memory://") else uri


def _limit() -> str:
    return str(current_app.config["LMS_VERIFY_RATE_LIMIT"])


def _message() -> str:
    return _("Too many certificate checks from your connection. You can check again a little later.")


def init_limiter(app: Flask) -> None:
    """Create this app's limiter and wrap the verification views (after the blueprints are registered)."""
    if not app.config.get("LMS_VERIFY_RATE_LIMIT"):
        return  # an empty setting turns the limit off
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    never = lambda: True  # noqa: E731 - a host's RATELIMIT_DEFAULT/APPLICATION is not ours to apply
    limiter = Limiter(
        get_remote_address,
        default_limits=[],
        default_limits_exempt_when=never,
        application_limits_exempt_when=never,
        storage_uri=storage_uri(app.config.get("LMS_RATELIMIT_STORAGE_URI")),
        strategy="fixed-window",
        key_prefix="lms",
        headers_enabled=True,  # Retry-After on a 429
        swallow_errors=True,  # a storage outage must not stop verification
        in_memory_fallback_enabled=True,
    )
    limiter.init_app(app)
    # Flask-Limiter also checks every request of the app in a before_request hook; with no default
    # or application limits it finds nothing to apply, so drop it: a host's routes pay nothing
    # and ours are checked once, by the wrapper below
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:
        hooks.remove(limiter._check_request_limit)
    shared = limiter.shared_limit(_limit, scope=SCOPE, error_message=_message)
    for endpoint in VERIFY_ENDPOINTS:
        view = app.view_functions.get(endpoint)
        if view is not None:
            app.view_functions[endpoint] = shared(view)
    app.extensions["lms"].extras["limiter"] = limiter
