"""Helpers for quiz tests: import the every-type bank, get tokens, compute right answers."""

from __future__ import annotations

from lms.db import db
from lms.quiz.models import Attempt
from tests.conftest import FIXTURES

QUIZBANK = FIXTURES / "quizbank"


def import_quizbank(app) -> None:
    from lms.courses.loader import import_courses

    with app.app_context():
        import_courses(QUIZBANK, app.extensions["lms"].question_types)


def token_for(client, username: str = "0912345678", password: str = "mat-khau-tot-2026") -> dict:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.json
    return {"Authorization": "Bearer " + response.json["token"]}


def right_answers(app, attempt_id: int) -> dict[int, object]:
    """The full-credit response of every question (read server-side, as a grader would)."""
    registry = app.extensions["lms"].question_types
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        return {
            item["position"]: registry.get(item["qtype"]).key(item["config"])
            for item in attempt.snapshot["questions"]
            if item["qtype"] not in ("description", "essay")
        }


def secrets_of(app, attempt_id: int) -> list[str]:
    """Strings that must never reach the browser before submission: feedback and accepted answers."""
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        found: list[str] = []
        for item in attempt.snapshot["questions"]:
            found.extend(_walk_secrets(item["config"]))
        return [s for s in found if s and len(s) > 3]


def _walk_secrets(config: dict) -> list[str]:
    out: list[str] = []
    for key, value in config.items():
        if key in ("general_feedback",) and isinstance(value, str):
            out.append(value)
        if isinstance(value, list):
            for entry in value:
                if isinstance(entry, dict):
                    for field in ("feedback",):
                        if isinstance(entry.get(field), str):
                            out.append(entry[field])
    return out
