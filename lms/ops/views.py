"""``GET /healthz``: the process answers (no database touched). ``GET /readyz``: 200 when the
database and Redis answer and the schema is at head, else 503 with what is wrong (JSON)."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from lms.ops.blueprint import bp
from lms.ops.health import readiness


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    checks = readiness()
    ready = all(check.ok for check in checks)
    body = {"status": "ready" if ready else "not ready",
            "checks": {check.name: {"ok": check.ok, "detail": check.detail} for check in checks}}
    response = jsonify(body)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response
