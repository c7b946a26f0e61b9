"""The ``lms`` command line: ``lms ...`` standalone, ``flask lms ...`` inside a host app."""

from __future__ import annotations

import importlib
import os

import click
import flask.cli as flask_cli
from flask.cli import AppGroup, FlaskGroup

#: each module defines ``commands``: a list of click commands or groups
CLI_MODULES: tuple[str, ...] = (
    "lms.setup_cli",
    "lms.accounts.cli",
    "lms.courses.cli",
    "lms.quiz.cli",
    "lms.units.cli",
    "lms.certificates.cli",
    "lms.coverage.cli",
    "lms.classes.cli",
)

lms_group = AppGroup("lms", help="Manage the learning-management system.")


def _commands() -> list[click.Command]:
    found: list[click.Command] = []
    for name in CLI_MODULES:
        found.extend(importlib.import_module(name).commands)
    return found


for _command in _commands():
    lms_group.add_command(_command)


def _create_app():  # noqa: ANN202
    from lms.app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             help="bdhvs-lms: learning-management system for 'Bình dân học vụ số'.")
def main() -> None:
    os.environ.setdefault("FLASK_APP", "lms:create_app")


for _command in _commands():
    main.add_command(_command)
main.add_command(flask_cli.run_command)
