"""The ``lms`` command line: ``lms ...`` standalone, ``flask lms ...`` inside a host app."""

from __future__ import annotations

import os
import sys

import click
import flask.cli as flask_cli
from flask import Flask
from flask.cli import FlaskGroup

from lms.app import create_app
from lms.commands import LazyCommands
from lms.envsettings import SettingError


def _create_app() -> Flask:
    try:
        return create_app()
    except SettingError as error:
        # a setting that cannot be read: say which, without a traceback
        click.echo(f"Error: {error}", err=True)
        sys.exit(2)


class _LMSFlaskGroup(LazyCommands, FlaskGroup):
    """``lms ...``: Flask's group (app loading, ``run``) with the LMS commands loaded on demand."""


@click.group(cls=_LMSFlaskGroup, create_app=_create_app, add_default_commands=False,
             help="bdhvs-lms: learning-management system for 'Bình dân học vụ số'.")
def main() -> None:
    os.environ.setdefault("FLASK_APP", "lms:create_app")


main.add_command(flask_cli.run_command)
