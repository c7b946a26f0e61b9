"""What the quiz package adds to other domains' pages (see lms.signals.page_context)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from lms.quiz.queries import quiz_overview, running_attempt
from lms.signals import page_context


@page_context.connect
def quiz_on_pages(_app: Flask, *, page: str, **objects: Any) -> dict | None:
    if page == "course":
        return {"quiz": quiz_overview(objects["course"], objects.get("user"))}
    if page == "path":
        # "Continue learning" goes back into a quiz the learner left running
        return {"running_attempt": running_attempt(objects["user"].id, [c.id for c in objects["courses"]])}
    return None
