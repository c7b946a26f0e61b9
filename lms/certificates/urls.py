"""Public URLs of certificates (the QR's target)."""

from __future__ import annotations

from flask import current_app, has_request_context, request

from lms.certificates.models import Certificate
from lms.certificates.tokens import verification_url


def base_url() -> str:
    """``LMS_BASE_URL``, or this request's host plus the LMS prefix."""
    configured = current_app.config.get("LMS_BASE_URL")
    if configured:
        return configured.rstrip("/")
    prefix = current_app.extensions["lms"].url_prefix
    if has_request_context():
        return request.host_url.rstrip("/") + prefix
    return "http://127.0.0.1:5000" + prefix


def verify_url(cert: Certificate) -> str:
    return verification_url(base_url(), cert.token)
