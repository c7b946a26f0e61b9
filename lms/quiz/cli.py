"""``lms quiz check FILE.gift`` and ``lms quiz close-overdue``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from lms.db import now_utc
from lms.quiz.attempts import finish_if_overdue
from lms.quiz.gift import check_file
from lms.quiz.models import Attempt


@click.group("quiz")
def quiz() -> None:
    """Quiz banks and attempts."""


@quiz.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@with_appcontext
def check_command(files: tuple[Path, ...]) -> None:
    """Validate GIFT files and print a summary per question type; exit 1 on any error."""
    registry = current_app.extensions["lms"].question_types
    failed = False
    for path in files:
        counts, problems = check_file(path, registry)
        errors = [p for p in problems if getattr(p, "severity", "error") == "error"]
        for problem in problems:
            level = getattr(problem, "severity", "error")
            click.echo(f"{level}: {problem}", err=True)
        total = sum(counts.values())
        summary = ", ".join(f"{name} {n}" for name, n in sorted(counts.items()))
        status = "FAILED" if errors else "ok"
        click.echo(f"{path}: {status}: {total} questions ({summary or 'none'})")
        failed = failed or bool(errors)
    if failed:
        raise SystemExit(1)


@quiz.command("close-overdue")
@with_appcontext
def close_overdue_command() -> None:
    """Grade every attempt whose time is up (run from cron; pages also do it on access)."""
    registry = current_app.extensions["lms"].question_types
    now = now_utc()
    closed = 0
    for attempt in current_app.extensions["sqlalchemy"].session().scalars(
        select(Attempt).where(Attempt.state == "in_progress", Attempt.deadline.is_not(None), Attempt.deadline < now)
    ).all():
        closed += finish_if_overdue(attempt, registry, now=now)
    click.echo(f"closed {closed} overdue attempt(s)")


commands = [quiz]
