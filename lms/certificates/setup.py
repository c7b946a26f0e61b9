"""Per-app set-up of the certificates package, called by the LMS extension."""

from __future__ import annotations

from flask import Flask

from lms.certificates.ratelimit import init_limiter


def init_app(app: Flask) -> None:
    """Check the verification settings and wrap the verification views in the rate limit
    (once every blueprint is registered)."""
    seconds = app.config.get("LMS_VERIFY_CACHE_SECONDS")
    try:
        float(seconds or 0)
    except (TypeError, ValueError):
        # refused at start-up, not with a 500 on every verification
        raise ValueError(f"LMS_VERIFY_CACHE_SECONDS must be a number of seconds (0 turns the cache off), "
                         f"not {seconds!r}") from None
    init_limiter(app)
