"""URLs: the LMS's public address, and ``next`` parameters followed only inside this site.

Everything that leaves the request (a QR code, a PDF, a credential, a poster, an e-mail, an API
link) is built on :func:`base_url`, which never reads the request's ``Host`` header: a cached
certificate PDF first downloaded with ``Host: evil.example`` must not send the next reader there.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for

#: without LMS_BASE_URL (development, tests); production refuses to start without it (lms.app)
DEVELOPMENT_BASE = "http://localhost"


def base_url() -> str:
    """``LMS_BASE_URL`` (the LMS's public address, mount prefix included), else a development
    placeholder plus the mount prefix. Never the request's host."""
    configured = current_app.config.get("LMS_BASE_URL")
    if configured:
        return str(configured).rstrip("/")
    return DEVELOPMENT_BASE + current_app.extensions["lms"].url_prefix


def public_url(endpoint: str, **values: object) -> str:
    """An absolute URL of an LMS page on :func:`base_url` (for print, QR codes, API links)."""
    path = url_for(endpoint, **values)
    mount = request.script_root + current_app.extensions["lms"].url_prefix if has_request_context() else ""
    if mount and path.startswith(mount):
        path = path[len(mount):]
    return base_url() + path


def safe_next(target: str | None) -> str:
    """Follow a ``next`` only inside this site (no open redirect); the home page otherwise."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("lms_home.home")
