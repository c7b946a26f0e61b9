"""Certificates: signed QR tokens, PDFs, verification, revocation, keys (see README.md)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Per-app set-up, called by the LMS extension once every blueprint is registered."""
    from lms.certificates.ratelimit import init_limiter

    init_limiter(app)
