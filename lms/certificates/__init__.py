"""Certificates: signed QR tokens, PDFs, verification, revocation, keys (see README.md)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Per-app set-up, called by the LMS extension once every blueprint is registered."""
    from lms.certificates.ratelimit import init_limiter

    seconds = app.config.get("LMS_VERIFY_CACHE_SECONDS")
    try:
        float(seconds or 0)
    except (TypeError, ValueError):
        # refused at start-up, not with a 500 on every verification
        raise ValueError(f"LMS_VERIFY_CACHE_SECONDS must be a number of seconds (0 turns the cache off), "
                         f"not {seconds!r}") from None
    init_limiter(app)
