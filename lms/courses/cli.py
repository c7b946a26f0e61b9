"""``lms courses import [DIR]``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.courses.loader import CourseImportError, import_courses


@click.group("courses")
def courses() -> None:
    """Manage course content."""


@courses.command("import")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@with_appcontext
def import_command(directory: Path | None) -> None:
    """Validate and import course folders (default: courses/) in one transaction."""
    root = directory or Path(current_app.config["LMS_COURSES_DIR"])
    registry = current_app.extensions["lms"].question_types
    try:
        report = import_courses(root, registry)
    except CourseImportError as error:
        for problem in error.problems:
            click.echo(f"error: {problem}", err=True)
        raise click.ClickException(f"{len(error.problems)} problem(s); nothing was imported") from error
    click.echo(
        f"imported {root}: {len(report.created)} new, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.archived)} archived, {report.questions} questions"
    )


commands = [courses]
