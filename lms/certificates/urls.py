"""Public URLs of certificates (the QR's target)."""

from __future__ import annotations

from lms.certificates.models import Certificate
from lms.certificates.tokens import verification_url
from lms.web.urls import base_url

__all__ = ["base_url", "verify_url"]


def verify_url(cert: Certificate) -> str:
    return verification_url(base_url(), cert.token)
