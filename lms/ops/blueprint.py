"""The operations package's blueprint: ``/healthz`` and ``/readyz`` (:mod:`lms.ops.views`)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("lms_ops", __name__)
