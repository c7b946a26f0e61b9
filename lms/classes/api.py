"""JSON API endpoints of the classes package, on the API v1 blueprint."""

from __future__ import annotations

from lms.api.views import bp  # noqa: F401 - routes are added to this blueprint
